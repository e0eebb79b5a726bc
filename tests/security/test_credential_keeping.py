"""A masked credential (``***``) is kept only for the server it was given to."""

import pytest
from django.urls import reverse

from django_video_analytics.models import Camera, WatchlistEntry
from tests.api.factories import BASE, client_for, make_user

from .test_admin_secrets import EDITOR_PERMISSIONS, entry_form, staff_client

STORED = "rtsp://admin:s3cret@10.0.0.5:554/stream1?password=s3cret"
SHOWN = "rtsp://***:***@10.0.0.5:554/stream1?password=***"
ELSEWHERE = [
    "http://***:***@attacker.invalid:8080/grab",
    "rtsp://***:***@attacker.invalid:554/stream1",
    "rtsp://***:***@10.0.0.5:8554/stream1",
    "rtsps://***:***@10.0.0.5:554/stream1",
    "rtsp://attacker.invalid:554/stream1?password=***",
]


@pytest.fixture
def camera(db):
    return Camera.objects.create(camera_id="gate", name="Gate", stream_url=STORED)


@pytest.fixture
def operator(db):
    return client_for(
        make_user(
            "op", "view_camera", "change_camera", "view_watchlistentry", "change_watchlistentry"
        )
    )


def test_api_shows_the_mask_and_keeps_it_for_the_same_server(operator, camera):
    detail = operator.get(f"{BASE}cameras/gate/").json()
    assert detail["stream_url"] == SHOWN
    response = operator.put(
        f"{BASE}cameras/gate/",
        {"camera_id": "gate", "name": "Gate", "stream_url": SHOWN},
        format="json",
    )
    assert response.status_code == 200, response.json()
    camera.refresh_from_db()
    assert camera.stream_url == STORED


@pytest.mark.parametrize("new_url", ELSEWHERE)
def test_api_refuses_the_mask_for_another_server(operator, camera, new_url):
    response = operator.patch(f"{BASE}cameras/gate/", {"stream_url": new_url}, format="json")
    assert response.status_code == 400
    assert "send new credentials or none" in str(response.json()["stream_url"])
    assert "s3cret" not in response.content.decode()
    camera.refresh_from_db()
    assert camera.stream_url == STORED


def test_api_takes_new_credentials_or_none_for_another_server(operator, camera):
    for new_url in ("rtsp://new:pw@10.0.0.6:554/s", "rtsp://10.0.0.6:554/s"):
        response = operator.patch(f"{BASE}cameras/gate/", {"stream_url": new_url}, format="json")
        assert response.status_code == 200, response.json()
        camera.refresh_from_db()
        assert camera.stream_url == new_url


def test_webhook_url_is_masked_and_kept_in_the_api(operator, db):
    entry = WatchlistEntry.objects.create(
        plate="AB12CDE", webhook_url="https://u:s3cret@hooks.example.com/in"
    )
    url = f"{BASE}watchlist/{entry.pk}/"
    shown = operator.get(url).json()["webhook_url"]
    assert shown == "https://***:***@hooks.example.com/in"
    assert (
        operator.patch(url, {"webhook_url": shown, "label": "x"}, format="json").status_code == 200
    )
    entry.refresh_from_db()
    assert entry.webhook_url == "https://u:s3cret@hooks.example.com/in"
    response = operator.patch(
        url, {"webhook_url": "https://***:***@attacker.invalid/in"}, format="json"
    )
    assert response.status_code == 400
    assert "send new credentials or none" in str(response.json()["webhook_url"])
    entry.refresh_from_db()
    assert entry.webhook_url == "https://u:s3cret@hooks.example.com/in"


def camera_form(**changes):
    return {
        "camera_id": "gate",
        "name": "Gate",
        "location": "",
        "stream_url": SHOWN,
        "enable_object_detection": "on",
        "enable_motion_detection": "on",
        "confidence_threshold": "0.5",
        "detection_classes": "[]",
        "roi_zones": "[]",
        "motion_threshold": "0.5",
        "frame_skip": "0",
        "max_fps": "",
        "plate_format": "",
        **changes,
    }


@pytest.mark.parametrize("new_url", ELSEWHERE)
def test_admin_refuses_the_mask_for_another_server(camera, new_url):
    editor = staff_client("editor", EDITOR_PERMISSIONS)
    change = reverse("admin:django_video_analytics_camera_change", args=[camera.pk])
    response = editor.post(change, camera_form(stream_url=new_url))
    assert response.status_code == 200  # the form again, with the error
    html = response.content.decode()
    assert "send new credentials or none" in html
    assert "s3cret" not in html
    camera.refresh_from_db()
    assert camera.stream_url == STORED


def test_admin_keeps_the_mask_for_the_same_server(camera):
    editor = staff_client("editor", EDITOR_PERMISSIONS)
    change = reverse("admin:django_video_analytics_camera_change", args=[camera.pk])
    response = editor.post(change, camera_form(name="Gate 2"))
    assert response.status_code == 302
    camera.refresh_from_db()
    assert (camera.name, camera.stream_url) == ("Gate 2", STORED)


def test_admin_refuses_a_webhook_mask_for_another_server(db):
    entry = WatchlistEntry.objects.create(
        plate="AB12CDE", webhook_url="https://hook:H00k@hooks.example.com/in?sig=S1g"
    )
    editor = staff_client("editor", EDITOR_PERMISSIONS)
    change = reverse("admin:django_video_analytics_watchlistentry_change", args=[entry.pk])
    response = editor.post(
        change, entry_form(webhook_url="https://***:***@attacker.invalid/in?sig=***")
    )
    assert response.status_code == 200
    assert "send new credentials or none" in response.content.decode()
    entry.refresh_from_db()
    assert entry.webhook_url == "https://hook:H00k@hooks.example.com/in?sig=S1g"
