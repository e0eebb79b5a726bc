import json
import subprocess
import sys

import pytest

from django_video_analytics.pipeline.detectors import OnnxRuntimeDetector, UltralyticsDetector

pytestmark = pytest.mark.inference

BACKENDS = [UltralyticsDetector, OnnxRuntimeDetector]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("input_size", [320, 640])
def test_bus_photo_shows_a_bus_and_people(backend, input_size, bus_image):
    detector = backend(input_size=input_size)
    detections = detector.detect(bus_image, confidence=0.5)
    names = [d.class_name for d in detections]
    assert names.count("bus") == 1 and names.count("person") >= 3
    for detection in detections:
        x, y, width, height = detection.box
        assert 0 <= x < x + width <= 1.0001 and 0 <= y < y + height <= 1.0001
    bus = next(d for d in detections if d.class_name == "bus")
    assert bus.box[2] > 0.8  # the bus spans the photo's width


@pytest.mark.parametrize("backend", BACKENDS)
def test_camera_classes_and_confidence_are_honoured(backend, bus_image):
    detector = backend()
    assert {d.class_name for d in detector.detect(bus_image, classes=["bus"])} == {"bus"}
    assert detector.detect(bus_image, classes=["giraffe"]) == []
    low = detector.detect(bus_image, confidence=0.25)
    high = detector.detect(bus_image, confidence=0.8)
    assert all(d.confidence >= 0.8 for d in high) and len(high) < len(low)


def test_backends_agree_on_the_same_weights(bus_image):
    found = [
        sorted((d.class_name, round(d.confidence, 2)) for d in backend().detect(bus_image))
        for backend in BACKENDS
    ]
    assert found[0] == found[1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_tracking_gives_stable_ids_on_repeated_frames(backend, bus_image):
    detector = backend()
    runs = [detector.track(bus_image) for _ in range(4)]
    ids = [sorted(d.track_id for d in run) for run in runs[1:]]
    assert ids[0] and ids[0] == ids[1] == ids[2]
    assert None not in ids[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_frames_with_their_own_classes_and_confidence_run_in_one_call(backend, bus_image):
    import cv2

    detector = backend()
    requests = [
        (bus_image, None, 0.25),
        (cv2.flip(bus_image, 1), ["person"], 0.6),
        (bus_image[100:700], ["bus", "person"], 0.4),
        (bus_image, ["unicorn"], 0.25),  # no such class: not run at all
    ]
    each = [detector.detect(image, classes, conf) for image, classes, conf in requests]
    runs = _counted_runs(detector)
    together = detector.detect_each(requests)
    assert runs == [3]  # one model run of the three frames with wanted classes
    assert together == each and each[1] and each[2] and each[3] == []
    assert {d.class_name for d in each[1]} == {"person"}
    assert all(d.confidence >= 0.6 for d in each[1])


def _counted_runs(detector) -> list[int]:
    """The batch size of each model run from now on (the real session still runs)."""
    owner = detector.model.predictor.model.backend if hasattr(detector, "model") else detector
    session, runs = owner.session, []

    class Counted:
        def __getattr__(self, name):
            return getattr(session, name)

        def run(self, outputs, feed, *args):
            runs.append(len(next(iter(feed.values()))))
            return session.run(outputs, feed, *args)

    owner.session = Counted()
    return runs


def test_model_info_names_the_model_and_version():
    assert UltralyticsDetector().model_info[0] == "yolov8n"
    assert OnnxRuntimeDetector().model_info == ("yolov8n", "onnx")


def test_onnxruntime_backend_runs_without_torch(tmp_path):
    # An empty cache: no 320 copy, and no torch to build one, so it runs at 640.
    code = """
import json, sys
sys.modules["torch"] = None  # any import of torch now fails
import cv2
from testing_media.clips import asset_path
from django_video_analytics.pipeline.detectors import OnnxRuntimeDetector
detector = OnnxRuntimeDetector()
found = detector.detect(cv2.imread(str(asset_path("bus.jpg"))), confidence=0.5)
print(json.dumps({
    "names": sorted({d.class_name for d in found}),
    "input_size": detector.input_size,
    "ultralytics": "ultralytics" in sys.modules,
}))
"""
    env = {**__import__("os").environ, "VIDEO_ANALYTICS_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"names": ["bus", "person"], "input_size": 640, "ultralytics": False}


def spinning(session):
    return session.get_session_options().get_session_config_entry("session.intra_op.allow_spinning")


def test_onnxruntime_sessions_do_not_spin_their_idle_threads(bus_image):
    """Spinning pool threads doubled inference's CPU time on a busy 2-core machine."""
    onnx = OnnxRuntimeDetector(input_size=320)
    assert spinning(onnx.session) == "0"
    yolo = UltralyticsDetector(input_size=320)
    assert yolo.track(bus_image)  # ultralytics builds its session on the first frame
    session = yolo.model.predictor.model.backend.session
    assert spinning(session) == "0"
    assert yolo.track(bus_image)  # and detects with the rebuilt one
