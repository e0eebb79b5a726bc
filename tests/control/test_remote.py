import json
import logging
import socket
import threading
import time
from urllib.request import urlopen

import pytest

from django_video_analytics.control import ControlError, get_control_backend
from django_video_analytics.control.remote import RemoteControlBackend
from django_video_analytics.masking import mask_urls_in
from django_video_analytics.models import Camera
from tests.api.factories import BASE, client_for, make_user

SECRET_URL = "rtsp://admin:s3cret@10.0.0.5/live"


@pytest.fixture
def camera(db):
    return Camera.objects.create(
        camera_id="gate",
        name="Gate",
        stream_url=SECRET_URL,
        detection_classes=["person", "car"],
        roi_zones=[[[0, 0], [1, 0], [1, 1]]],
        enable_anpr=True,
    )


@pytest.fixture
def backend(remote_settings):
    backend = get_control_backend()
    assert isinstance(backend, RemoteControlBackend)
    backend.backoff_seconds = 0.01
    return backend


def service_get(service, path):
    with urlopen(service.url + path, timeout=2) as response:
        return json.loads(response.read())


def test_start_registers_the_camera_config(backend, service, camera):
    backend.start(camera)
    method, path, body = service.calls[-1]
    assert (method, path) == ("POST", "/api/cameras")
    assert body == [
        {
            "camera_id": "gate",
            "status": "inactive",
            "stream_url": SECRET_URL,  # the service needs the real URL
            "parameters": {
                "detection_classes": ["person", "car"],
                "confidence_threshold": 0.5,
                "roi_zones": [[[0, 0], [1, 0], [1, 1]]],
                "enable_motion_detection": True,
                "enable_object_detection": True,
                "enable_anpr": True,
                "motion_threshold": 0.5,
                "frame_skip": 0,
                "max_fps": None,
            },
        }
    ]
    assert service_get(service, "/api/cameras/gate")["camera_id"] == "gate"
    camera.refresh_from_db()
    assert (camera.enabled, camera.status, camera.last_error) == (True, "active", "")


def test_a_camera_with_a_substream_sends_it_beside_the_main_stream(backend, service, camera):
    camera.substream_url = "rtsp://admin:s3cret@10.0.0.5/sub"
    camera.save()
    backend.start(camera)
    _method, _path, body = service.calls[-1]
    assert (body[0]["stream_url"], body[0]["substream_url"]) == (SECRET_URL, camera.substream_url)


def test_stop_deletes_the_camera(backend, service, camera):
    backend.start(camera)
    backend.stop(camera)
    assert service.calls[-1][:2] == ("DELETE", "/api/cameras/gate")
    assert service_get(service, "/api/cameras") == {"cameras": []}
    camera.refresh_from_db()
    assert (camera.enabled, camera.status) == (False, "inactive")


def test_stopping_a_camera_the_service_does_not_know_succeeds(backend, service, camera):
    backend.stop(camera)
    assert service.calls == [("DELETE", "/api/cameras/gate", None)]
    camera.refresh_from_db()
    assert camera.status == "inactive"


def test_health(backend, service):
    assert backend.health() == {"status": "ok", "cameras": 0}


def test_a_transient_failure_is_retried(backend, service, camera):
    service.fail_next = 2  # fails twice, then the third attempt (retries=2) succeeds
    backend.start(camera)
    assert [call[0] for call in service.calls] == ["POST", "POST", "POST"]
    camera.refresh_from_db()
    assert camera.status == "active"


def test_a_persistent_failure_marks_the_camera(backend, service, camera, caplog):
    service.fail_next = 100
    service.error = f"cannot open {SECRET_URL}"
    with caplog.at_level(logging.DEBUG), pytest.raises(ControlError) as failure:
        backend.start(camera)
    assert len(service.calls) == 3
    message = str(failure.value)
    assert message == "The analytics service answered 500: cannot open rtsp://***:***@10.0.0.5/live"
    camera.refresh_from_db()
    assert (camera.status, camera.last_error, camera.enabled) == ("error", message, False)
    assert "s3cret" not in caplog.text


def test_client_errors_are_not_retried(backend, service, camera):
    backend.base_url = service.url + "/nowhere"
    with pytest.raises(ControlError, match="answered 404: unknown camera"):
        backend.start(camera)
    assert len(service.calls) == 1


def test_a_slow_service_times_out(backend, service, camera):
    service.delay = 2.0
    backend.retries = 0
    started = time.monotonic()
    with pytest.raises(ControlError, match="did not answer within 0.5 s"):
        backend.stop(camera)
    assert time.monotonic() - started < 1.5
    camera.refresh_from_db()
    assert camera.status == "error"


def test_an_unreachable_service(remote_settings, camera, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = RemoteControlBackend(
        base_url=f"http://127.0.0.1:{port}", retries=1, backoff_seconds=0
    )
    with pytest.raises(ControlError, match="unreachable"):
        backend.start(camera)


def test_an_unset_service_url(db, camera):
    with pytest.raises(ControlError, match="ANALYTICS_SERVICE_URL is not set"):
        RemoteControlBackend().start(camera)


def test_mask_urls_in_free_text():
    text = "failed rtsp://u:p@h/1 and http://x:y@z:8080/a; ok http://h/2"
    assert mask_urls_in(text) == (
        "failed rtsp://***:***@h/1 and http://***:***@z:8080/a; ok http://h/2"
    )


def test_api_start_and_stop_through_the_service(remote_settings, service, camera):
    operator = client_for(make_user("op", "change_camera"))
    response = operator.post(f"{BASE}cameras/gate/start/")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert "s3cret" not in response.content.decode()
    assert "gate" in {c["camera_id"] for c in service_get(service, "/api/cameras")["cameras"]}
    assert operator.post(f"{BASE}cameras/gate/stop/").json()["status"] == "inactive"


def test_api_answers_502_when_the_service_fails(remote_settings, service, camera):
    remote_settings.VIDEO_ANALYTICS = {
        **remote_settings.VIDEO_ANALYTICS,
        "ANALYTICS_SERVICE_BACKOFF": 0,
    }
    service.fail_next = 100
    operator = client_for(make_user("op", "view_camera", "change_camera", "delete_camera"))
    response = operator.post(f"{BASE}cameras/gate/start/")
    assert response.status_code == 502
    assert response.json() == {"detail": "The analytics service answered 500: detector crashed"}
    detail = operator.get(f"{BASE}cameras/gate/").json()
    assert (detail["status"], detail["last_error"]) == ("error", response.json()["detail"])
    Camera.objects.filter(pk=camera.pk).update(enabled=True)
    assert operator.delete(f"{BASE}cameras/gate/").status_code == 502
    assert Camera.objects.filter(pk=camera.pk).exists()  # not deleted while still running


def test_a_service_that_hangs_up(remote_settings, camera):
    with socket.socket() as listener:  # accepts the connection, then closes it unanswered
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def hang_up():
            connection, _ = listener.accept()
            connection.recv(65536)
            connection.close()

        thread = threading.Thread(target=hang_up)
        thread.start()
        backend = RemoteControlBackend(base_url=f"http://127.0.0.1:{port}", retries=0)
        with pytest.raises(ControlError, match="unreachable"):
            backend.stop(camera)
        thread.join(timeout=5)
    camera.refresh_from_db()
    assert camera.status == "error"


@pytest.mark.parametrize("url", ["analytics.local:8001", "http://[::1", "file:///etc"])
def test_a_malformed_service_url(db, camera, url):
    with pytest.raises(ControlError, match="not a valid URL"):
        RemoteControlBackend(base_url=url, retries=0).start(camera)
