"""The remote detector backend: YOLO run by an inference server over the Open Inference
Protocol (KServe v2; Triton, OpenVINO Model Server, KServe, MLServer), HTTP or gRPC.

Frames are letterboxed and the output decoded by ``yolo.py``, exactly as the local
onnxruntime backend does, and tracked by the same IoU tracker, so a camera gives the same
detections, tracks and events whichever backend runs its model.

When the server cannot be reached (refused, timed out, failing), ``detect`` raises
``InferenceServerError``; the camera runner turns it into the camera's ``error`` state and
goes on with the next frame. After a failure the backend waits out an exponential back-off
(up to ``RECONNECT_BACKOFF_MAX_SECONDS``) before calling the server again, failing fast in
between, unless ``INFERENCE_FALLBACK`` is on: then frames go through a local
``OnnxRuntimeDetector`` until the server answers again.
"""

import logging
import time
from urllib.parse import urlsplit

import numpy as np

from ..backoff import Backoff
from ..masking import mask_url
from . import yolo
from .detectors import Detector, OnnxRuntimeDetector, TensorDetector
from .types import Detection

logger = logging.getLogger(__name__)

PROTOCOLS = ("http", "grpc")


class InferenceServerError(RuntimeError):
    """The inference server could not run the model; the message says why (no secrets)."""


class RemoteDetector(TensorDetector):
    """YOLO through a KServe v2 inference server; ``detect``, ``detect_each``, ``track``.

    Built like the local backends; the worker passes the ``INFERENCE_*`` settings in as the
    keywords of ``SETTINGS`` (the defaults below are those settings' defaults). ``input_size``
    is only used when the served model's input size is dynamic.
    """

    SETTINGS = {
        **Detector.SETTINGS,
        "url": "INFERENCE_URL",
        "protocol": "INFERENCE_PROTOCOL",
        "model": "INFERENCE_MODEL",
        "version": "INFERENCE_MODEL_VERSION",
        "timeout": "INFERENCE_TIMEOUT",
        "http_binary": "INFERENCE_HTTP_BINARY",
        "fallback": "INFERENCE_FALLBACK",
        "class_names": "DETECTION_CLASS_NAMES",
        "backoff_max": "RECONNECT_BACKOFF_MAX_SECONDS",
    }

    def __init__(
        self,
        model_path=None,
        *,
        input_size=320,
        device=None,
        url=None,
        model="yolov8n",
        version="",
        protocol="grpc",
        timeout=5.0,
        http_binary=True,
        fallback=False,
        class_names=None,
        backoff_max=30.0,
    ):
        self.model_path = model_path  # for the local fallback only
        self.requested_size = input_size
        self.device = device
        if not url:
            raise InferenceServerError("INFERENCE_URL is not set: no inference server to call.")
        self.protocol = protocol
        if self.protocol not in PROTOCOLS:
            raise ValueError(
                f"INFERENCE_PROTOCOL must be one of {PROTOCOLS}, not {self.protocol!r}"
            )
        self.model_name = model
        self.model_version = str(version or "")
        self.timeout = float(timeout)
        self.http_binary = http_binary
        self.fallback_enabled = fallback
        self.server = mask_url(url)  # for messages: never the credentials
        self.client = _client(self.protocol, url, self.timeout)
        self.class_names = list(class_names or _coco_names())
        self.model_info = (self.model_name, f"kserve-v2:{self.model_version or 'latest'}")
        self.backoff = Backoff(maximum=backoff_max)
        self.retry_at = 0.0  # monotonic time before which the server is not called
        self.last_failure = ""
        self._inputs = None  # (input name, output name, input size, largest batch)
        self._fallback = None

    @property
    def input_size(self) -> int:
        """The served model's input side once known, the requested one until then."""
        return self._inputs[2] if self._inputs else self.requested_size

    def detect_each(self, requests) -> list[list[Detection]]:
        """Detections of each request, the frames sent in as few requests as the model accepts."""
        try:
            return super().detect_each(requests)
        except InferenceServerError:
            if not self.fallback_enabled:
                raise
            return self._local().detect_each(requests)

    def infer(self, images):
        if time.monotonic() < self.retry_at:
            # The same message as the failure itself: the camera's error stays one line.
            raise InferenceServerError(self.last_failure)
        try:
            input_name, output_name, size, largest = self._model_inputs()
            letterboxed = [yolo.letterbox(image, size) for image in images]
            outputs = yolo.run_batches(
                letterboxed, largest, lambda blob: self._infer(input_name, output_name, blob)
            )
        except InferenceServerError as exc:
            self.last_failure = str(exc)
            self.retry_at = time.monotonic() + self.backoff.next_delay()
            raise
        if self.retry_at:
            logger.info("Inference server %s answers again", self.server)
        self.retry_at = 0.0
        self.backoff.reset()
        return outputs

    def _model_inputs(self):
        """The served model's input and output names, input size and batch limit (cached)."""
        if self._inputs is None:
            metadata = self._call(
                "read the model's metadata",
                self.client.get_model_metadata,
                self.model_name,
                self.model_version,
                **({"client_timeout": self.timeout} if self.protocol == "grpc" else {}),
            )
            if not isinstance(metadata, dict):  # gRPC answers a protobuf message
                from google.protobuf.json_format import MessageToDict

                metadata = MessageToDict(metadata)
            first_input, first_output = metadata["inputs"][0], metadata["outputs"][0]
            shape = [int(side) for side in first_input["shape"]]
            size = shape[-1] if shape[-1] > 0 else self.requested_size
            largest = shape[0] if len(shape) == 4 and shape[0] > 0 else None
            self._inputs = (first_input["name"], first_output["name"], size, largest)
        return self._inputs

    def _infer(self, input_name, output_name, blob) -> np.ndarray:
        module = _client_module(self.protocol)
        tensor = module.InferInput(input_name, list(blob.shape), "FP32")
        wanted = module.InferRequestedOutput(output_name)
        if self.protocol == "http":
            tensor.set_data_from_numpy(blob, binary_data=self.http_binary)
            wanted = module.InferRequestedOutput(output_name, binary_data=self.http_binary)
            extra = {}
        else:
            tensor.set_data_from_numpy(blob)
            extra = {"client_timeout": self.timeout}
        result = self._call(
            "run the model",
            self.client.infer,
            self.model_name,
            [tensor],
            model_version=self.model_version,
            outputs=[wanted],
            **extra,
        )
        output = result.as_numpy(output_name)
        if output is None or output.shape[0] != blob.shape[0]:
            raise InferenceServerError(
                f"Inference server {self.server} answered no {output_name!r} for "
                f"{blob.shape[0]} image(s)"
            )
        return output

    def _call(self, what, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except Exception as exc:  # the clients raise socket, gevent and their own errors
            raise InferenceServerError(
                f"Inference server {self.server} ({self.protocol}) could not {what} "
                f"{self.model_name!r}: {_reason(exc)}"
            ) from exc

    def _local(self):
        """The local onnxruntime backend, built on first need (needs the weights here)."""
        if self._fallback is None:
            logger.warning("Inference server %s unreachable: detecting locally", self.server)
            self._fallback = OnnxRuntimeDetector(
                self.model_path, input_size=self.input_size, device=self.device
            )
        return self._fallback


def _client_module(protocol):
    if protocol == "grpc":
        import tritonclient.grpc as module
    else:
        import tritonclient.http as module
    return module


def _client(protocol, url, timeout):
    """A tritonclient for ``url`` (``http(s)://host:port`` or ``grpc(s)://host:port``)."""
    parts = urlsplit(url if "://" in url else f"{protocol}://{url}")
    secure = parts.scheme in ("https", "grpcs")
    address = f"{parts.hostname}:{parts.port or (443 if secure else 80)}"
    module = _client_module(protocol)
    if protocol == "grpc":
        return module.InferenceServerClient(address, ssl=secure)
    return module.InferenceServerClient(
        address, ssl=secure, connection_timeout=timeout, network_timeout=timeout
    )


def _reason(exc) -> str:
    """A short reason: the server's message, or the kind of network failure."""
    message = getattr(exc, "message", None)
    text = message() if callable(message) else str(exc)
    if not text or text == "None":
        text = type(exc).__name__
    timed_out = ("timed out", "deadline exceeded", "timeout")
    if isinstance(exc, TimeoutError) or any(words in text.lower() for words in timed_out):
        return f"no answer within the timeout ({text})"
    return text


def _coco_names():
    from ..classes import COCO_CLASS_NAMES

    return COCO_CLASS_NAMES
