"""``camera-health/``: periods, filters, uptime, permissions; the admin and template tags."""

from datetime import datetime, timedelta, timezone

import pytest
from django.template import Context, Template

from django_video_analytics.models import CameraHealth
from tests.api.factories import BASE, client_for, make_user

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)


@pytest.fixture
def history(camera):
    CameraHealth.objects.create(
        camera=camera, state="online", since=DAY, until=DAY + timedelta(hours=18)
    )
    return CameraHealth.objects.create(
        camera=camera, state="offline", since=DAY + timedelta(hours=18), reason="no heartbeat"
    )


def test_periods_are_listed_newest_first_and_filtered(history):
    client = client_for(make_user("viewer", "view_camerahealth"))
    response = client.get(f"{BASE}camera-health/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["state"], row["until"]) for row in rows] == [
        ("offline", None),
        ("online", "2026-11-20T18:00:00Z"),
    ]
    assert rows[0]["camera_id"] == "cam-1" and rows[0]["reason"] == "no heartbeat"
    filtered = client.get(f"{BASE}camera-health/", {"state": "online"}).json()["results"]
    assert [row["state"] for row in filtered] == ["online"]
    none = client.get(f"{BASE}camera-health/", {"camera__camera_id": "other"}).json()
    assert none["results"] == []


def test_uptime_per_day_and_bad_input(history):
    client = client_for(make_user("viewer", "view_camerahealth"))
    response = client.get(f"{BASE}camera-health/uptime/", {"camera": "cam-1", "days": 400})
    assert response.status_code == 400 and "days" in response.json()
    assert client.get(f"{BASE}camera-health/uptime/", {"camera": "nope"}).status_code == 404
    days = client.get(f"{BASE}camera-health/uptime/", {"camera": "cam-1", "days": 2}).json()
    assert days["camera_id"] == "cam-1" and len(days["days"]) == 2


def test_the_api_follows_the_configured_permissions_and_camera_hook(history, settings):
    assert client_for(None).get(f"{BASE}camera-health/").status_code in (401, 403)
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "CAMERA_QUERYSET_HOOK": "tests.operations.test_camera_health_api.no_cameras",
    }
    client = client_for(make_user("viewer", "view_camerahealth"))
    assert client.get(f"{BASE}camera-health/").json()["results"] == []
    assert client.get(f"{BASE}camera-health/uptime/", {"camera": "cam-1"}).status_code == 404


def no_cameras(request, queryset):
    return queryset.none()


def test_admin_lists_periods(admin_client, history):
    response = admin_client.get("/admin/django_video_analytics/camerahealth/")
    assert response.status_code == 200
    assert "no heartbeat" in response.content.decode()


def render(source, **context):
    return Template("{% load video_analytics %}" + source).render(Context(context)).strip()


def test_template_tags_show_state_and_uptime(camera, history):
    assert render("{% camera_health_state camera %}", camera=camera) == "offline"
    assert render("{% camera_health_state 'cam-1' %}") == "offline"
    assert render("{% camera_health_state 'unknown-cam' %}") == "unknown"
    CameraHealth.objects.filter(pk=history.pk).update(until=DAY + timedelta(hours=24))
    CameraHealth.objects.create(camera=camera, state="online", since=DAY + timedelta(hours=24))
    today = datetime.now(timezone.utc).date()
    html = render("{% camera_uptime camera days=2 %}", camera=camera)
    assert f'<td>{today:%Y-%m-%d}</td><td class="va-uptime">100.0 %</td>' in html
