"""The detectors of one worker's cameras: one batched backend, or one per camera in turn.

A backend that tracks outside its model (``Detector.BATCHES``: ultralytics, onnxruntime,
the remote backend) is built once per worker and shared through an ``InferenceBatcher``:
the cameras' frames run in one model call (one request to an inference server), each
camera tracking its own objects. A backend that does not batch (one tracking inside its
model) is built once per camera, and the cameras take turns: CPU inference already uses
every core.
"""

import threading
from collections import Counter

from ..pipeline.batching import InferenceBatcher


class SerialDetector:
    """A detector whose calls take a lock shared by the cameras of one worker."""

    def __init__(self, detector, lock):
        self.detector = detector
        self.lock = lock

    def track(self, *args, **kwargs):
        with self.lock:
            return self.detector.track(*args, **kwargs)

    def detect(self, *args, **kwargs):
        with self.lock:
            return self.detector.detect(*args, **kwargs)

    def detect_batch(self, *args, **kwargs):
        with self.lock:
            return self.detector.detect_batch(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.detector, name)


class WorkerDetectors:
    """Hands each camera of a worker its detector (``for_camera``), built from ``options``."""

    def __init__(self, options, *, wait: float = 0.0):
        self.options = options
        self.wait = wait  # seconds the inference thread may wait for more frames
        self.lock = threading.Lock()  # the turn of per-camera backends
        self.building = threading.Lock()
        self.batcher: InferenceBatcher | None = None

    @property
    def batches(self) -> bool:
        return getattr(self.options.detector_backend, "BATCHES", False)

    def for_camera(self):
        """A detector for one camera (raises what building the backend raises)."""
        if not self.batches:
            return SerialDetector(self.options.build_detector(), self.lock)
        with self.building:
            if self.batcher is None:
                self.batcher = InferenceBatcher(
                    self.options.build_detector(),
                    max_batch=self.options.inference_batch_size,
                    wait=self.wait,
                )
        return self.batcher.for_camera()

    def batch_sizes(self) -> Counter:
        """Frames per model call -> calls, so far (empty without batching)."""
        return Counter(self.batcher.batch_sizes) if self.batcher else Counter()

    def close(self):
        if self.batcher is not None:
            self.batcher.close()
