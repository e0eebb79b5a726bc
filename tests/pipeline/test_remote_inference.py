"""The remote detector backend against a real MLServer on 127.0.0.1 (KServe v2)."""

import socket
import threading
import time

import pytest

from django_video_analytics.pipeline.clips import clip_frames
from django_video_analytics.pipeline.detectors import OnnxRuntimeDetector
from django_video_analytics.pipeline.remote_inference import InferenceServerError, RemoteDetector
from tests.inference_server.server import MLSERVER, MODEL_NAME, InferenceServer, free_port

pytestmark = [
    pytest.mark.inference,
    pytest.mark.inference_server,
    pytest.mark.skipif(
        not MLSERVER.exists(),
        reason=f"no inference server venv at {MLSERVER.parent.parent}: "
        "run scripts/inference_server.sh",
    ),
]

PROTOCOLS = {"grpc": "grpc_url", "http": "http_url"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = InferenceServer(tmp_path_factory.mktemp("inference-server")).start()
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


def test_the_model_input_size_comes_from_the_server(server):
    detector = remote(server, "grpc", input_size=640)
    detector.detect_batch([__import__("numpy").zeros((90, 160, 3), "uint8")])
    assert detector._model_inputs()[2] == 320
    assert detector.model_info == (MODEL_NAME, "kserve-v2:latest")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_server_that_is_down_gives_a_clear_error_then_fails_fast(protocol, bus_image):
    url = f"{protocol}://127.0.0.1:{free_port()}"  # nothing listens there
    detector = RemoteDetector(url=url, protocol=protocol, timeout=2.0, model=MODEL_NAME)
    with pytest.raises(InferenceServerError, match=rf"Inference server {url} \({protocol}\)"):
        detector.detect(bus_image)
    started = time.monotonic()
    with pytest.raises(InferenceServerError, match="next attempt in"):
        detector.detect(bus_image)  # within the back-off: no new connection attempt
    assert time.monotonic() - started < 0.1


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
    with pytest.raises(InferenceServerError, match="could not"):
        detector.detect(bus_image)
    assert 0.9 < time.monotonic() - started < 5
    assert accepted  # the request reached the silent server


def test_local_fallback_while_the_server_is_down(local, bus_image):
    detector = RemoteDetector(
        url=f"127.0.0.1:{free_port()}", protocol="grpc", fallback=True, input_size=320
    )
    assert_same(detector.detect(bus_image), local.detect(bus_image))
