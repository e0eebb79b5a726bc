"""The remote detector backend against a real MLServer on 127.0.0.1 (KServe v2)."""

import json
import socket
import threading
import time

import pytest

from django_video_analytics.pipeline.detectors import OnnxRuntimeDetector
from django_video_analytics.pipeline.remote_inference import InferenceServerError, RemoteDetector
from django_video_analytics.pipeline.sources import open_source
from django_video_analytics.workers.camera_runner import CameraRunner, RunnerState
from django_video_analytics.workers.config import WorkerOptions
from testing_media.clips import clip_frames
from tests.inference_server.server import (
    FIXED_BATCH_MODEL_NAME,
    KSERVE_PYTHON,
    MLSERVER,
    MODEL_NAME,
    InferenceServer,
    KServeServer,
    free_port,
)
from tests.workers.helpers import ListSink, camera_config

pytest.importorskip("tritonclient", reason="the remote extra (tritonclient) is not installed")

pytestmark = [pytest.mark.inference, pytest.mark.inference_server]

PROTOCOLS = {"grpc": "grpc_url", "http": "http_url"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not MLSERVER.exists():
        pytest.skip(
            f"no inference server venv at {MLSERVER.parent.parent}: run scripts/inference_server.sh"
        )
    running = InferenceServer(tmp_path_factory.mktemp("inference-server")).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def kserve(tmp_path_factory):
    if not KSERVE_PYTHON.exists():
        pytest.skip(
            f"no KServe venv at {KSERVE_PYTHON.parent.parent}: run scripts/inference_server.sh"
        )
    from django_video_analytics.pipeline.serving import write_model_repository

    folder = tmp_path_factory.mktemp("kserve")
    running = KServeServer(folder, write_model_repository(folder, input_size=320)).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def local():
    return OnnxRuntimeDetector(input_size=320)


def remote(server, protocol, **options):
    # MLServer's REST API takes JSON tensors only (no binary tensor extension).
    url = getattr(server, PROTOCOLS[protocol])
    return RemoteDetector(url=url, protocol=protocol, http_binary=False, **options)


def assert_same(found, expected):
    assert [d.class_name for d in found] == [d.class_name for d in expected]
    for got, want in zip(found, expected, strict=True):
        assert got.confidence == pytest.approx(want.confidence, abs=1e-3)
        assert got.box == pytest.approx(want.box, abs=1e-4)
        assert got.track_id == want.track_id


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_remote_detections_equal_the_local_backend_on_the_bus_photo(
    server, local, protocol, bus_image
):
    found = remote(server, protocol).detect(bus_image, confidence=0.25)
    expected = local.detect(bus_image, confidence=0.25)
    assert {d.class_name for d in expected} >= {"bus", "person"}
    assert_same(found, expected)


def test_http_binary_tensors_give_the_local_detections(kserve, local, bus_image):
    detector = RemoteDetector(url=kserve.http_url, protocol="http")  # binary extension on
    assert detector.http_binary
    flipped = bus_image[:, ::-1].copy()
    found = detector.detect_batch([bus_image, flipped], confidence=0.25)
    assert_same(found[0], local.detect(bus_image, confidence=0.25))
    assert_same(found[1], local.detect(flipped, confidence=0.25))


def test_remote_tracks_equal_the_local_backend_on_a_clip(server, objects_clip):
    detector, reference = remote(server, "grpc"), OnnxRuntimeDetector(input_size=320)
    compared = 0
    for frame in clip_frames(objects_clip):
        if frame.index % 10:
            continue
        expected = reference.track(frame.image, ["person", "bus"], 0.4)
        assert_same(detector.track(frame.image, ["person", "bus"], 0.4), expected)
        compared += bool(expected)
    assert compared >= 3  # the clip's person and bus were tracked on several frames


def test_a_batch_of_four_equals_four_single_requests(server, objects_clip, bus_image):
    detector = remote(server, "grpc")
    images = [bus_image] + [f.image for f in clip_frames(objects_clip) if f.index in (30, 75, 120)]
    batch = detector.detect_batch(images, confidence=0.3)
    assert len(batch) == 4 and any(batch[1:])
    for found, image in zip(batch, images, strict=True):
        assert_same(found, detector.detect(image, confidence=0.3))


def test_a_model_of_fixed_batch_size_gets_one_frame_per_request(server, bus_image):
    fixed = remote(server, "grpc", model=FIXED_BATCH_MODEL_NAME)
    images = [bus_image, bus_image[:, ::-1].copy(), bus_image[::2, ::2].copy()]
    found = fixed.detect_batch(images, confidence=0.3)
    assert fixed._model_inputs()[3] == 1  # the batch limit read from the server
    expected = remote(server, "grpc").detect_batch(images, confidence=0.3)
    assert all(expected)
    for got, want in zip(found, expected, strict=True):
        assert_same(got, want)


def test_the_model_input_size_comes_from_the_server(server):
    detector = remote(server, "grpc", input_size=640)
    detector.detect_batch([__import__("numpy").zeros((90, 160, 3), "uint8")])
    assert detector._model_inputs()[2] == 320
    assert detector.model_info == (MODEL_NAME, "kserve-v2:latest")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_server_that_is_down_gives_a_clear_error_then_fails_fast(protocol, bus_image):
    url = f"{protocol}://127.0.0.1:{free_port()}"  # nothing listens there
    detector = RemoteDetector(url=url, protocol=protocol, timeout=2.0, model=MODEL_NAME)
    named = rf"Inference server {url} \({protocol}\)"
    with pytest.raises(InferenceServerError, match=named) as first:
        detector.detect(bus_image)
    started = time.monotonic()
    with pytest.raises(InferenceServerError) as again:
        detector.detect(bus_image)  # within the back-off: no new connection attempt
    assert time.monotonic() - started < 0.1
    assert str(again.value) == str(first.value)  # one stable error line for the camera


def test_credentials_in_the_url_never_reach_the_error(bus_image):
    detector = RemoteDetector(url=f"http://user:s3cret@127.0.0.1:{free_port()}", protocol="http")
    with pytest.raises(InferenceServerError) as raised:
        detector.detect(bus_image)
    assert "s3cret" not in str(raised.value)


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_server_that_never_answers_times_out(protocol, silent_server, bus_image):
    port, accepted = silent_server
    detector = RemoteDetector(url=f"127.0.0.1:{port}", protocol=protocol, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(InferenceServerError, match="no answer within the timeout"):
        detector.detect(bus_image)
    assert 0.9 < time.monotonic() - started < 5
    assert accepted  # the request reached the silent server


def test_local_fallback_while_the_server_is_down(local, bus_image):
    detector = RemoteDetector(
        url=f"127.0.0.1:{free_port()}", protocol="grpc", fallback=True, input_size=320
    )
    assert_same(detector.detect(bus_image), local.detect(bus_image))


def camera(path):
    return camera_config("remote-test", path)


def camera_events(settings, backend, path, on_frame=None, **inference):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "DETECTOR_BACKEND": f"django_video_analytics.pipeline.{backend}",
        **inference,
    }
    sink = ListSink()
    runner = CameraRunner(camera(path), WorkerOptions.from_settings(), sink, on_frame=on_frame)
    runner.analyse_source(open_source(str(path), allow_local=True))
    events = [json.loads(entry["data"]) for entry in sink.entries]
    for event in events:
        event.pop("event_id", None)
    return runner, events


@pytest.mark.slow
def test_camera_events_equal_the_local_backend_on_a_clip(server, settings, objects_clip):
    _, expected = camera_events(settings, "detectors.OnnxRuntimeDetector", objects_clip)
    runner, found = camera_events(
        settings,
        "remote_inference.RemoteDetector",
        objects_clip,
        INFERENCE_URL=server.grpc_url,
        INFERENCE_PROTOCOL="grpc",
    )
    assert runner.stats.frames_total == 150 and runner.state != RunnerState.ERROR
    assert {event["event_type"] for event in expected} >= {"detection", "motion"}
    assert [e["event_type"] for e in found] == [e["event_type"] for e in expected]
    for got, want in zip(found, expected, strict=True):
        assert got["frame_number"] == want["frame_number"]
        assert got.get("track_id") == want.get("track_id")
        got_objects, want_objects = got.get("detections", []), want.get("detections", [])
        assert [(d["class_name"], d.get("track_id")) for d in got_objects] == [
            (d["class_name"], d.get("track_id")) for d in want_objects
        ]
        for got_object, want_object in zip(got_objects, want_objects, strict=True):
            assert got_object["confidence"] == pytest.approx(want_object["confidence"], abs=1e-3)
            assert got_object["bounding_box"] == pytest.approx(
                want_object["bounding_box"], abs=1e-3
            )


def test_a_camera_whose_server_is_down_is_in_error_and_keeps_its_motion_events(
    settings, objects_clip
):
    _, local_events = camera_events(settings, "detectors.OnnxRuntimeDetector", objects_clip)
    motion_events = [event for event in local_events if event["event_type"] == "motion"]
    assert motion_events  # the clip moves
    url = f"grpc://user:s3cret@127.0.0.1:{free_port()}"
    errors = []
    started = time.monotonic()
    runner, events = camera_events(
        settings,
        "remote_inference.RemoteDetector",
        objects_clip,
        on_frame=lambda runner: errors.append(runner.last_error),
        INFERENCE_URL=url,
        INFERENCE_PROTOCOL="grpc",
        INFERENCE_TIMEOUT=1.0,
    )
    assert runner.stats.frames_total == 150  # every frame was read and looked at
    assert time.monotonic() - started < 30  # refused connections, then fast failures
    reported = {error for error in errors if error}
    assert reported and all("could not read the model's metadata" in e for e in reported)
    assert all("***:***@127.0.0.1" in e and "s3cret" not in e for e in reported)
    assert runner.analyzer.stats.detector_frames == 0
    # Detection failed on every frame, yet no motion event was lost with it.
    assert without_time(events) == without_time(motion_events)


def without_time(events):
    """Events without their timestamps (a file's frame times count from its opening)."""
    return [{key: value for key, value in event.items() if key != "timestamp"} for event in events]
