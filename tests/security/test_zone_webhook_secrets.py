"""A zone's webhook in the API: the secret write-only, the URL masked, checked and scoped."""

import pytest

from django_video_analytics.models import Camera, Zone

from ..api.factories import BASE, client_for, make_user

ZONES = f"{BASE}zones/"
SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4]]
URL = "https://hook:H00kPass@hooks.example.com/in?sig=S1gValue"
MASKED = "https://***:***@hooks.example.com/in?sig=***"
SECRET = "ZoneSecretValue"
HOOK = {"CAMERA_QUERYSET_HOOK": "tests.api.test_cameras.only_public_cameras"}


@pytest.fixture
def editor(db):
    return client_for(make_user("editor", "view_zone", "add_zone", "change_zone"))


def assert_no_secret(text):
    for secret in ("H00kPass", "S1gValue", SECRET):
        assert secret not in text


def test_the_secret_is_write_only_and_the_url_masked(editor, camera):
    body = {"camera": "cam-1", "name": "waiting", "points": SQUARE}
    created = editor.post(ZONES, {**body, "webhook_url": URL, "webhook_secret": SECRET}, "json")
    assert created.status_code == 201, created.json()
    assert created.json()["webhook_url"] == MASKED
    assert "webhook_secret" not in created.json()
    assert_no_secret(created.content.decode())
    detail = f"{ZONES}{created.json()['id']}/"
    for page in (ZONES, detail):
        response = editor.get(page)
        assert MASKED in response.content.decode()
        assert_no_secret(response.content.decode())

    # The masked URL sent back keeps the stored credentials; an absent secret is kept.
    patched = editor.patch(detail, {"webhook_url": MASKED, "loiter_seconds": 30}, "json")
    assert patched.status_code == 200, patched.json()
    zone = Zone.objects.get()
    assert (zone.webhook_url, zone.webhook_secret, zone.loiter_seconds) == (URL, SECRET, 30.0)
    # ... but not for another server.
    moved = editor.patch(detail, {"webhook_url": "https://***@evil.example.net/"}, "json")
    assert moved.status_code == 400 and "webhook_url" in moved.json()
    assert_no_secret(moved.content.decode())


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://127.0.0.1:8000/admin/",  # loopback
        "http://10.0.0.5/hook",  # private
        "ftp://hooks.example.com/in",  # not http(s)
    ],
)
def test_a_url_the_outbound_policy_refuses_is_a_400(editor, camera, url):
    body = {"camera": "cam-1", "name": "waiting", "points": SQUARE, "webhook_url": url}
    response = editor.post(ZONES, body, "json")
    assert response.status_code == 400
    assert list(response.json()) == ["webhook_url"]
    assert not Zone.objects.exists()


def test_zones_of_hidden_cameras_cannot_be_pointed_anywhere(editor, camera, settings):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, **HOOK}
    hidden = Camera.objects.create(camera_id="hidden", name="Back office", location="private")
    zone = Zone.objects.create(camera=hidden, name="safe", points=SQUARE)
    url = "https://hooks.example.com/in"
    response = editor.patch(f"{ZONES}{zone.pk}/", {"webhook_url": url}, "json")
    assert response.status_code == 404
    body = {"camera": "hidden", "name": "new", "points": SQUARE, "webhook_url": url}
    assert editor.post(ZONES, body, "json").status_code == 400
    zone.refresh_from_db()
    assert zone.webhook_url == "" and Zone.objects.count() == 1
