"""Object detector backends: ultralytics (default, with ByteTrack) and bare onnxruntime.

Both are built as ``Backend(model_path=None, input_size=320, device=None)`` and offer
``detect`` (one frame), ``detect_each`` (several frames, each with its own classes and
confidence) and ``track`` (frames of one camera, in order: detections carry ``track_id``).
A backend whose tracking lives in the model (ultralytics' ByteTrack) needs one instance per
camera; a ``TensorDetector`` (onnxruntime here, the remote backend in
``remote_inference.py``) tracks outside the model, so one instance can serve every camera
of a worker and run their frames in one batch (``batching.py``). ``device`` (default: the
``DEVICE`` setting) is resolved by ``devices.py``.
"""

import importlib.util
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from . import yolo
from .devices import DEFAULT_DEVICE, onnx_providers, torch_device
from .env import ultralytics
from .tracking import IouTracker
from .types import Detection
from .weights import (
    cached_sized_weights,
    model_type,
    onnx_metadata,
    onnx_session_metadata,
    resolve_detector_weights,
    sized_weights,
)

logger = logging.getLogger(__name__)

Image = Any  # a BGR numpy array, HxWx3 uint8
Classes = Iterable[str] | None  # class names to keep; None or empty: all


class Detector:
    """What backends share: class names, ``model_info`` and the class filter.

    ``SETTINGS`` maps constructor keywords to the package settings that feed them: the
    worker passes those values in, so the pipeline itself never reads Django's settings.
    """

    SETTINGS: ClassVar[dict[str, str]] = {"device": "DEVICE"}
    # One instance may serve several cameras, their frames in one ``detect_each`` call.
    BATCHES: ClassVar[bool] = False

    class_names: list[str]
    model_info: tuple[str, str]  # (model_type, version) for the events' model_info

    def class_ids(self, classes: Classes) -> list[int] | None:
        """Indices of the wanted class names (None: all; unknown names are ignored)."""
        if not classes:
            return None
        wanted = set(classes)
        return [index for index, name in enumerate(self.class_names) if name in wanted]

    def detect(
        self, image: Image, classes: Classes = None, confidence: float = 0.25
    ) -> list[Detection]:
        raise NotImplementedError

    def track(
        self, image: Image, classes: Classes = None, confidence: float = 0.25
    ) -> list[Detection]:
        raise NotImplementedError

    def detect_each(self, requests: list[tuple[Image, Classes, float]]) -> list[list[Detection]]:
        """Detections of each ``(image, classes, confidence)``; one frame at a time here."""
        return [self.detect(image, classes, confidence) for image, classes, confidence in requests]

    def detect_batch(
        self, images: list[Image], classes: Classes = None, confidence: float = 0.25
    ) -> list[list[Detection]]:
        """Detections of each image, all with the same classes and confidence."""
        return self.detect_each([(image, classes, confidence) for image in images])


class TensorDetector(Detector):
    """A backend running the raw YOLO graph: frames letterboxed in, output decoded (``yolo.py``).

    Tracking is an ``IouTracker`` outside the model, so one instance may serve several
    cameras (each then tracks with its own, see ``batching.py``). Subclasses provide
    ``infer(images)``: the raw output and letterbox placement of each image, in as few model
    calls as the model allows.
    """

    BATCHES = True
    tracker: IouTracker

    def detect(
        self, image: Image, classes: Classes = None, confidence: float = 0.25
    ) -> list[Detection]:
        return self.detect_each([(image, classes, confidence)])[0]

    def track(
        self, image: Image, classes: Classes = None, confidence: float = 0.25
    ) -> list[Detection]:
        return self.tracker.update(self.detect(image, classes, confidence))

    def detect_each(self, requests: list[tuple[Image, Classes, float]]) -> list[list[Detection]]:
        wanted = [(image, self.class_ids(classes), conf) for image, classes, conf in requests]
        found: list[list[Detection]] = [[] for _ in requests]
        todo = [index for index, (_, ids, _) in enumerate(wanted) if ids != []]
        if not todo:
            return found
        outputs = self.infer([wanted[index][0] for index in todo])
        for index, (output, placed) in zip(todo, outputs, strict=True):
            _, ids, confidence = wanted[index]
            found[index] = yolo.decode(output, placed, self.class_names, ids, confidence)
        return found

    def infer(self, images: list[Image]) -> list[tuple[Any, yolo.Letterbox]]:
        raise NotImplementedError


class UltralyticsDetector(Detector):
    """YOLO through ultralytics, tracked by its ByteTrack; the default backend."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        input_size: int = 320,
        device: str | None = None,
    ) -> None:
        self.weights = sized_weights(resolve_detector_weights(model_path), input_size)
        self.input_size = input_size
        self.device = torch_device(device or DEFAULT_DEVICE)
        module = ultralytics()
        self.model = module.YOLO(str(self.weights), task="detect", verbose=False)
        self.session_tuned = False  # its onnxruntime session rebuilt without spinning
        metadata = onnx_metadata(self.weights)
        names = metadata["names"]
        self.class_names = [names[index] for index in sorted(names)]
        self.model_info = (model_type(metadata), module.__version__)

    def detect(
        self, image: Image, classes: Classes = None, confidence: float = 0.25
    ) -> list[Detection]:
        return self._run(self.model.predict, image, classes, confidence)

    def track(
        self, image: Image, classes: Classes = None, confidence: float = 0.25
    ) -> list[Detection]:
        return self._run(
            self.model.track, image, classes, confidence, persist=True, tracker="bytetrack.yaml"
        )

    def _run(self, method, image, classes, confidence, **options) -> list[Detection]:
        """``model.predict`` or ``model.track`` on one frame, as Detections."""
        ids = self.class_ids(classes)
        if ids == []:
            return []
        results = method(
            image,
            imgsz=self.input_size,
            conf=confidence,
            classes=ids,
            device=self.device,
            verbose=False,
            **options,
        )
        if not self.session_tuned:
            self.session_tuned = _without_spinning(self.model)
        return self._detections(results[0])

    def _detections(self, result) -> list[Detection]:
        boxes = result.boxes
        if boxes is None or not len(boxes):
            return []
        track_ids = boxes.id.int().tolist() if boxes.id is not None else [None] * len(boxes)
        return [
            Detection(
                class_name=self.class_names[int(class_index)],
                confidence=round(float(score), 4),
                box=_top_left_box(cx, cy, width, height),
                track_id=track_id,
            )
            for (cx, cy, width, height), score, class_index, track_id in zip(
                boxes.xywhn.tolist(),
                boxes.conf.tolist(),
                boxes.cls.tolist(),
                track_ids,
                strict=True,
            )
        ]


class OnnxRuntimeDetector(TensorDetector):
    """YOLO ONNX run by onnxruntime alone (no torch), tracked by a small IoU tracker.

    Uses the cached copy for ``input_size`` when there is one; builds it when torch is
    installed; otherwise runs the model at the size it was exported for. The graph is
    loaded with a free batch dimension (``serving.batchable_weights``: the shipped export
    has batch 1 baked in), so ``infer`` runs any number of frames in one call.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        input_size: int = 320,
        device: str | None = None,
    ) -> None:
        self.weights = self._weights(resolve_detector_weights(model_path), input_size)
        self.session = _session(_batchable(self.weights), onnx_providers(device or DEFAULT_DEVICE))
        first_input = self.session.get_inputs()[0]
        self.input_name = first_input.name
        batch = first_input.shape[0]
        self.largest_batch = batch if isinstance(batch, int) and batch > 0 else None
        metadata = onnx_session_metadata(self.session)
        names = metadata["names"]
        self.class_names = [names[index] for index in sorted(names)]
        self.input_size = int(metadata["imgsz"][0])
        self.model_info = (model_type(metadata), "onnx")
        self.tracker = IouTracker()

    @staticmethod
    def _weights(source, input_size):
        cached = cached_sized_weights(source, input_size)
        if cached is not None:
            return cached
        if _torch_installed():
            try:
                return sized_weights(source, input_size)
            except Exception:
                logger.exception("Cannot build %s-pixel weights; using the original", input_size)
        else:
            logger.warning(
                "No %s-pixel copy of %s and no torch to build one: running at its own size",
                input_size,
                source.name,
            )
        return source

    def infer(self, images: list[Image]) -> list[tuple[Any, yolo.Letterbox]]:
        letterboxed = [yolo.letterbox(image, self.input_size) for image in images]
        return yolo.run_batches(
            letterboxed,
            self.largest_batch,
            lambda blob: self.session.run(None, {self.input_name: blob})[0],
        )


def _batchable(weights: Path) -> Path:
    """``weights`` with a free batch dimension, or as they are if that cannot be made."""
    from .serving import batchable_weights

    try:
        return batchable_weights(weights)
    except Exception:
        logger.exception("Cannot free the batch dimension of %s: one frame per call", weights.name)
        return weights


def _session(path, providers):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # Idle pool threads spin by default: on a busy CPU that doubles inference's CPU time
    # (measured: 41 against 24 ms a frame at 320), taken from decoding and other cameras.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(str(path), options, providers=providers)
    logger.info("%s runs on %s", path.name, session.get_providers()[0])
    return session


def _without_spinning(model) -> bool:
    """Rebuild ultralytics' CPU onnxruntime session like ``_session``; False if not built yet.

    ultralytics makes its session with the default options on the first prediction (other
    weight formats have no session: nothing to do).
    """
    predictor = getattr(model, "predictor", None)
    if predictor is None:
        return False
    backend: Any = getattr(predictor.model, "backend", None)
    session = getattr(backend, "session", None)
    if session is not None and session.get_providers() == ["CPUExecutionProvider"]:
        backend.session = _session(Path(session._model_path), ["CPUExecutionProvider"])
    return True


def _torch_installed() -> bool:
    try:
        return importlib.util.find_spec("torch") is not None
    except ValueError:  # torch imported oddly (e.g. blocked in sys.modules)
        return False


def _top_left_box(cx, cy, width, height):
    return (max(0.0, cx - width / 2), max(0.0, cy - height / 2), width, height)
