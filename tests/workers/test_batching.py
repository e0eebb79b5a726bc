"""Cameras of one worker batched into one detector call, with the real onnxruntime detector."""

import json
import threading

import pytest

from django_video_analytics.pipeline.batching import BatchedDetector
from django_video_analytics.pipeline.sources import open_source
from django_video_analytics.workers.camera_runner import CameraRunner
from django_video_analytics.workers.config import WorkerOptions
from django_video_analytics.workers.detectors import SerialDetector, WorkerDetectors
from tests.inference_server.server import free_port
from tests.workers.helpers import ListSink, camera_config

pytestmark = pytest.mark.inference

ONNX = "django_video_analytics.pipeline.detectors.OnnxRuntimeDetector"
REMOTE = "django_video_analytics.pipeline.remote_inference.RemoteDetector"
ULTRALYTICS = "django_video_analytics.pipeline.detectors.UltralyticsDetector"
MODEL_TRACK = "tests.workers.helpers.ModelTrackDetector"


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    from testing_media import clips

    folder = tmp_path_factory.mktemp("batching-clips")
    return {"objects": clips.objects_clip(folder), "plates": clips.plates_clip(folder)}


def camera(camera_id, path):
    return camera_config(camera_id, path, confidence_threshold=0.4)


def options(settings, backend, **extra):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "DETECTOR_BACKEND": backend,
        **extra,
    }
    return WorkerOptions.from_settings()


def run_cameras(worker_options, clips, detectors):
    """Analyse each camera's clip in its own thread, all at once; their runners and events."""
    runners = {
        name: CameraRunner(camera(name, path), worker_options, ListSink(), detectors=detectors)
        for name, path in clips.items()
    }
    failures = []

    def analyse(runner):
        try:
            runner.analyse_source(open_source(runner.camera.stream_url, allow_local=True))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=analyse, args=(r,)) for r in runners.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures
    return runners, {name: events(runner) for name, runner in runners.items()}


def events(runner):
    found = [json.loads(entry["data"]) for entry in runner.sink.entries]
    for event in found:
        event.pop("event_id", None)
        event.pop("timestamp")  # a file's frame times count from its opening
    return found


def frame_count(path):
    import cv2

    capture = cv2.VideoCapture(str(path))
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        capture.release()


def assert_same_events(got, want):
    assert [e["event_type"] for e in got] == [e["event_type"] for e in want]
    assert [e["frame_number"] for e in got] == [e["frame_number"] for e in want]
    for got_event, want_event in zip(got, want, strict=True):
        got_objects, want_objects = (
            got_event.get("detections", []),
            want_event.get("detections", []),
        )
        assert [o["class_name"] for o in got_objects] == [o["class_name"] for o in want_objects]
        for got_object, want_object in zip(got_objects, want_objects, strict=True):
            assert got_object["confidence"] == pytest.approx(want_object["confidence"], abs=1e-3)
            assert got_object["bounding_box"] == pytest.approx(
                want_object["bounding_box"], abs=1e-3
            )
            assert got_object.get("track_id") == want_object.get("track_id")


def alone(worker_options, clips):
    """Each camera's events when it runs alone in its worker."""
    found = {}
    for name, path in clips.items():
        _, events = run_cameras(worker_options, {name: path}, WorkerDetectors(worker_options))
        found.update(events)
    return found


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend, regions", [(ONNX, False), (ULTRALYTICS, False), (ULTRALYTICS, True)]
)
def test_two_cameras_batched_give_the_events_each_gives_alone(settings, clips, backend, regions):
    worker_options = options(settings, backend, MOTION_REGIONS=regions)
    each = alone(worker_options, clips)
    # A bounded wait lines the two cameras up (without it they may alternate, batches of one).
    shared = WorkerDetectors(worker_options, wait=0.1)
    runners, together = run_cameras(worker_options, clips, shared)
    shared.close()

    assert all(isinstance(r.analyzer.detector, BatchedDetector) for r in runners.values())
    sizes = shared.batch_sizes()
    assert max(sizes) >= 2, sizes  # the two cameras' frames did share model calls
    for name in clips:
        assert any(e["event_type"] == "detection" for e in each[name]), name
        assert_same_events(together[name], each[name])


@pytest.mark.slow
def test_ultralytics_split_from_bytetrack_gives_the_events_of_model_track(settings, clips):
    """One predict for the frames, ByteTrack per camera: the events of ``model.track``."""
    worker_options = options(settings, ULTRALYTICS)
    split = alone(worker_options, clips)
    tracked_in_model = alone(options(settings, MODEL_TRACK), clips)
    for name in clips:
        assert any(e.get("detections") for e in tracked_in_model[name]), name
        assert_same_events(split[name], tracked_in_model[name])


def test_a_failed_batch_is_each_cameras_error_and_keeps_their_motion(settings, clips):
    worker_options = options(
        settings,
        REMOTE,
        INFERENCE_URL=f"grpc://127.0.0.1:{free_port()}",
        INFERENCE_TIMEOUT=1.0,
    )
    shared = WorkerDetectors(worker_options)
    errors = {name: set() for name in clips}
    runners = {
        name: CameraRunner(camera(name, path), worker_options, ListSink(), detectors=shared)
        for name, path in clips.items()
    }
    for name, runner in runners.items():
        runner.on_frame = lambda runner, name=name: errors[name].add(runner.last_error)
    threads = [
        threading.Thread(
            target=r.analyse_source, args=(open_source(r.camera.stream_url, allow_local=True),)
        )
        for r in runners.values()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    shared.close()

    for name, runner in runners.items():
        assert runner.stats.frames_total == frame_count(clips[name])  # no camera stopped
        reported = {error for error in errors[name] if error}
        assert reported and all(
            e.startswith("detection failed: InferenceServerError") for e in reported
        )
        kinds = {event["event_type"] for event in events(runner)}
        assert kinds == {"motion"}  # the motion of the failed frames was published
    # One server back-off for the worker: after the first refusals, calls fail fast.
    assert shared.batcher.backend.retry_at > 0


def test_a_backend_that_tracks_in_its_model_is_one_per_camera_in_turn(settings):
    worker_options = options(settings, MODEL_TRACK)
    shared = WorkerDetectors(worker_options)
    assert not shared.batches
    first, second = shared.for_camera(), shared.for_camera()
    assert isinstance(first, SerialDetector) and first.detector is not second.detector
    assert first.lock is second.lock
