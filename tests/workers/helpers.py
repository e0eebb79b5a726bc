"""Shared helpers of the worker tests: cameras, published events, waiting, a worker thread."""

import contextlib
import threading
import time
import uuid

from django_video_analytics.events.wire import parse_entry
from django_video_analytics.models import Camera
from django_video_analytics.pipeline.detectors import UltralyticsDetector, _detections
from django_video_analytics.workers.config import CameraConfig
from django_video_analytics.workers.worker import CameraWorker


def camera_config(camera_id, stream_url, **fields):
    """A ``CameraConfig`` as a runner gets it: detection and motion on, every frame."""
    values = {
        "enable_object_detection": True,
        "enable_motion_detection": True,
        "enable_anpr": False,
        "confidence_threshold": 0.5,
        "detection_classes": (),
        "roi_zones": (),
        "motion_threshold": 0.5,
        "frame_skip": 0,
        "max_fps": None,
        "plate_format": "eu",
        **fields,
    }
    return CameraConfig(camera_id=camera_id, stream_url=str(stream_url), **values)


class ModelTrackDetector(UltralyticsDetector):
    """The ultralytics backend as it was: ``model.track``, ByteTrack inside the model.

    The reference for the batched backend: one instance per camera, taking turns, on the
    original (batch 1) weights.
    """

    BATCHES = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = self.model.__class__(str(self.weights), task="detect", verbose=False)

    def track(self, image, classes=None, confidence=0.25):
        ids = self.class_ids(classes)
        if ids == []:
            return []
        results = self.model.track(
            image,
            imgsz=self.input_size,
            conf=confidence,
            classes=ids,
            device=self.device,
            verbose=False,
            persist=True,
            tracker="bytetrack.yaml",
        )
        return _detections(results[0], self.class_names)


class ListSink:
    """An event sink keeping the entries in order (the Redis path is tested elsewhere)."""

    def __init__(self):
        self.entries = []

    def publish_many(self, entries):
        self.entries.extend(entries)


def make_camera(stream_url, **fields):
    fields.setdefault("enabled", True)
    camera_id = f"cam-{uuid.uuid4().hex[:8]}"
    return Camera.objects.create(
        camera_id=camera_id, name=camera_id, stream_url=str(stream_url), **fields
    )


def published(redis_client, stream_name, event_type=None):
    """The events on the stream, parsed by the wire module."""
    events = [parse_entry(fields) for _, fields in redis_client.xrange(stream_name)]
    return [event for event in events if event_type in (None, event.event_type)]


def wait_for(predicate, timeout, interval=0.2):
    """Poll ``predicate`` until it is truthy; return its value (or the last falsy one)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def camera_row(camera):
    return Camera.objects.get(pk=camera.pk)


@contextlib.contextmanager
def worker_thread(*camera_ids, **kwargs):
    """A CameraWorker running in a thread; stopped (first-signal path) on exit."""
    worker = CameraWorker(camera_ids, all_cameras=not camera_ids, **kwargs)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        yield worker, thread
    finally:
        worker.shutdown.request()
        thread.join(30)
        assert not thread.is_alive()
