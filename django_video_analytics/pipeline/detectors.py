"""Object detector backends: ultralytics (default, with ByteTrack) and bare onnxruntime.

Both are built as ``Backend(model_path=None, input_size=320, device=None)`` and offer
``detect`` (one frame), ``detect_each`` (several frames, each with its own classes and
confidence, in one model call) and ``track`` (frames of one camera, in order: detections
carry ``track_id``). Tracking happens outside the model, in a tracker from
``new_tracker()`` fed with ``detect``'s output, so one instance can serve every camera of
a worker, their frames in one batch, each camera with its own tracker (``batching.py``).
``device`` (default: the ``DEVICE`` setting) is resolved by ``devices.py``.
"""

import importlib.util
import logging
from collections.abc import Iterable
from functools import cached_property
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

    def new_tracker(self):
        """A tracker for one camera: ``update(detect's output)`` gives the tracked detections."""
        return IouTracker()

    @cached_property
    def tracker(self):
        """The tracker of ``track`` (one camera's frames)."""
        return self.new_tracker()

    def track(
        self, image: Image, classes: Classes = None, confidence: float = 0.25
    ) -> list[Detection]:
        return self.tracker.update(self.detect(image, classes, confidence))

    def detect_each(self, requests: list[tuple[Image, Classes, float]]) -> list[list[Detection]]:
        """Detections of each ``(image, classes, confidence)``; one frame at a time here."""
        return [self.detect(image, classes, confidence) for image, classes, confidence in requests]

    def detect_batch(
        self, images: list[Image], classes: Classes = None, confidence: float = 0.25
    ) -> list[list[Detection]]:
        """Detections of each image, all with the same classes and confidence."""
        return self.detect_each([(image, classes, confidence) for image in images])


Wanted = tuple[Image, list[int] | None, float]  # a frame, its class ids (None: all), confidence


class BatchDetector(Detector):
    """A backend whose ``detect_each`` runs its frames together (``detect_wanted``)."""

    BATCHES = True

    def detect(
        self, image: Image, classes: Classes = None, confidence: float = 0.25
    ) -> list[Detection]:
        return self.detect_each([(image, classes, confidence)])[0]

    def detect_each(self, requests: list[tuple[Image, Classes, float]]) -> list[list[Detection]]:
        wanted = [(image, self.class_ids(classes), conf) for image, classes, conf in requests]
        found: list[list[Detection]] = [[] for _ in requests]
        todo = [index for index, (_, ids, _) in enumerate(wanted) if ids != []]
        if todo:
            each = self.detect_wanted([wanted[index] for index in todo])
            for index, detections in zip(todo, each, strict=True):
                found[index] = detections
        return found

    def detect_wanted(self, wanted: list[Wanted]) -> list[list[Detection]]:
        """Detections of each frame (none without a wanted class), in as few model runs."""
        raise NotImplementedError


class TensorDetector(BatchDetector):
    """A backend running the raw YOLO graph: frames letterboxed in, output decoded (``yolo.py``).

    Subclasses provide ``infer(images)``: the raw output and letterbox placement of each
    image, in as few model calls as the model allows.
    """

    def detect_wanted(self, wanted: list[Wanted]) -> list[list[Detection]]:
        outputs = self.infer([image for image, _, _ in wanted])
        return [
            yolo.decode(output, placed, self.class_names, ids, confidence)
            for (_, ids, confidence), (output, placed) in zip(wanted, outputs, strict=True)
        ]

    def infer(self, images: list[Image]) -> list[tuple[Any, yolo.Letterbox]]:
        raise NotImplementedError


class UltralyticsDetector(BatchDetector):
    """YOLO through ultralytics, tracked by its ByteTrack; the default backend.

    Loads the weights with a free batch dimension (``serving.batchable_weights``), so one
    ``predict`` call runs every frame of ``detect_each`` in one model run. Each camera's
    ``ByteTracker`` (``new_tracker``) is then updated with that camera's ``Results``, as
    ``model.track(persist=True, tracker="bytetrack.yaml")`` would, but outside the model.
    """

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
        self.model = module.YOLO(str(_batchable(self.weights)), task="detect", verbose=False)
        self.session_tuned = False  # its onnxruntime session rebuilt without spinning
        metadata = onnx_metadata(self.weights)
        names = metadata["names"]
        self.class_names = [names[index] for index in sorted(names)]
        self.model_info = (model_type(metadata), module.__version__)

    def new_tracker(self) -> "ByteTracker":
        return ByteTracker(self.class_names)

    def detect_wanted(self, wanted: list[Wanted]) -> list[list[Detection]]:
        """One ``predict`` over every frame, at the lowest confidence and the classes of all;
        each frame's ``Results`` then keeps its own classes and confidence (NMS is per class
        and greedy by score, so this equals predicting each frame with its own)."""
        kinds = [ids for _, ids, _ in wanted]
        results = self.model.predict(
            [image for image, _, _ in wanted],
            imgsz=self.input_size,
            conf=min(confidence for _, _, confidence in wanted),
            classes=None if None in kinds else sorted({i for ids in kinds for i in ids or ()}),
            device=self.device,
            rect=False,  # the square input the weights were exported for
            verbose=False,
        )
        if not self.session_tuned:
            self.session_tuned = _without_spinning(self.model)
        return [
            ResultDetections(_kept(result, ids, confidence), self.class_names)
            for (_, ids, confidence), result in zip(wanted, results, strict=True)
        ]


class ResultDetections(list):
    """One frame's detections, with the ultralytics ``Results`` they were read from."""

    def __init__(self, result, class_names: list[str]):
        super().__init__(_detections(result, class_names))
        self.result = result


class ByteTracker:
    """ultralytics' ByteTrack (its bundled ``bytetrack.yaml``) for one camera's frames.

    ``update`` takes ``UltralyticsDetector``'s detections of a frame and does what the
    tracking callback of ``model.track`` does with that frame's ``Results``.
    """

    def __init__(self, class_names: list[str]):
        ultralytics()  # first: it sets up ultralytics' environment before the imports below
        from ultralytics.trackers.byte_tracker import BYTETracker
        from ultralytics.utils import YAML, IterableSimpleNamespace
        from ultralytics.utils.checks import check_yaml

        config = YAML.load(check_yaml("bytetrack.yaml"))
        self.tracker = BYTETracker(args=IterableSimpleNamespace(**config))
        self.class_names = class_names

    def update(self, detections: ResultDetections) -> list[Detection]:
        import torch

        result = detections.result
        tracks = self.tracker.update(result.boxes.cpu().numpy(), result.orig_img)
        if len(tracks) == 0:
            # New tracks stay hidden until confirmed; with none pending, the untracked boxes.
            if any(not track.is_activated for track in self.tracker.tracked_stracks):
                return []
            return list(detections)
        tracked = result[tracks[:, -1].astype(int)]
        tracked.update(boxes=torch.as_tensor(tracks[:, :-1], device=result.boxes.data.device))
        return _detections(tracked, self.class_names)


def _kept(result, ids: list[int] | None, confidence: float):
    """``result`` with only the boxes of classes ``ids`` (None: all) above ``confidence``
    (strictly, as ultralytics' NMS keeps them)."""
    boxes = result.boxes
    keep = boxes.conf > confidence
    if ids is not None:
        keep &= (boxes.cls[:, None] == boxes.cls.new_tensor(ids)).any(1)
    return result if bool(keep.all()) else result[keep]


def _detections(result, class_names: list[str]) -> list[Detection]:
    boxes = result.boxes
    if boxes is None or not len(boxes):
        return []
    track_ids = boxes.id.int().tolist() if boxes.id is not None else [None] * len(boxes)
    return [
        Detection(
            class_name=class_names[int(class_index)],
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
