"""One detector for the cameras of a worker: their frames run in one batched model call.

``InferenceBatcher(backend)`` owns a backend whose instance may serve several cameras
(``Detector.BATCHES``: ultralytics, onnxruntime, the remote backend) and one inference
thread. A camera thread gets its own ``BatchedDetector`` (``batcher.for_camera()``): its
``detect`` and ``detect_batch`` hand the frame (or a frame's crops) to the batcher and
wait; the inference thread takes everything pending, up to ``max_batch`` frames, without
waiting for more (``wait`` seconds at most when set), runs one ``detect_each`` call and
hands each camera its detections. Tracking stays per camera: each ``BatchedDetector`` has
its own tracker from ``backend.new_tracker()`` (ultralytics' ByteTrack, or an
``IouTracker``), fed with that camera's detections. When the call fails, every camera of
the batch gets the exception.
"""

import logging
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from .types import Detection

logger = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 8


@dataclass(eq=False)
class _Request:
    """One camera's frames (with their classes and confidence), and then their detections."""

    items: list
    done: threading.Event = field(default_factory=threading.Event)
    found: list | None = None
    error: BaseException | None = None


class InferenceBatcher:
    """The inference thread shared by the cameras of a worker (see the module docstring)."""

    def __init__(self, backend, *, max_batch: int = DEFAULT_MAX_BATCH, wait: float = 0.0):
        if not getattr(backend, "BATCHES", False):
            raise ValueError(f"{type(backend).__name__} cannot serve several cameras")
        self.backend = backend
        self.max_batch = max_batch
        self.wait = wait
        self.batch_sizes: Counter[int] = Counter()  # frames per model call -> calls
        self._pending: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="inference", daemon=True)
        self._thread.start()

    def for_camera(self) -> "BatchedDetector":
        return BatchedDetector(self)

    def detect_each(self, items: list) -> list[list[Detection]]:
        """Detections of each ``(image, classes, confidence)``, run with other cameras' frames."""
        if not items:
            return []
        request = _Request(list(items))
        self._pending.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.found is not None
        return request.found

    def close(self) -> None:
        """Stop the inference thread once the requests already queued are answered."""
        self._pending.put(None)
        self._thread.join(timeout=10.0)

    def _loop(self) -> None:
        while True:
            first = self._pending.get()
            if first is None:
                return
            batch, closing = self._gather(first)
            self._run(batch)
            if closing:
                return

    def _gather(self, first: _Request) -> tuple[list[_Request], bool]:
        """``first`` and whatever is pending (waiting ``wait`` at most), up to ``max_batch``."""
        batch, size = [first], len(first.items)
        deadline = time.monotonic() + self.wait
        while size < self.max_batch:
            left = deadline - time.monotonic()
            try:
                pending = self._pending
                request = pending.get(timeout=left) if left > 0 else pending.get_nowait()
            except queue.Empty:
                break
            if request is None:
                return batch, True
            batch.append(request)
            size += len(request.items)
        return batch, False

    def _run(self, batch: list[_Request]) -> None:
        items = [item for request in batch for item in request.items]
        self.batch_sizes[len(items)] += 1
        try:
            found = self.backend.detect_each(items)
        except Exception as exc:
            for request in batch:
                request.error = exc
                request.done.set()
            return
        start = 0
        for request in batch:
            request.found = found[start : start + len(request.items)]
            start += len(request.items)
            request.done.set()


class BatchedDetector:
    """One camera's view of an ``InferenceBatcher``: the backend's interface, its own tracks."""

    def __init__(self, batcher: InferenceBatcher):
        self.batcher = batcher
        backend = batcher.backend
        self.class_names = backend.class_names
        self.model_info = backend.model_info
        self.tracker = backend.new_tracker()

    @property
    def input_size(self) -> int:
        return self.batcher.backend.input_size

    def detect(self, image, classes=None, confidence=0.25) -> list[Detection]:
        return self.batcher.detect_each([(image, classes, confidence)])[0]

    def detect_batch(self, images, classes=None, confidence=0.25) -> list[list[Detection]]:
        return self.batcher.detect_each([(image, classes, confidence) for image in images])

    def track(self, image, classes=None, confidence=0.25) -> list[Detection]:
        return self.tracker.update(self.detect(image, classes, confidence))
