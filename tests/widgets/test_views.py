"""The live endpoint: API permissions, the camera-queryset hook, and the counts it answers."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from django_video_analytics.models import Camera, EventStatistics
from django_video_analytics.signals import events_stored
from django_video_analytics.statistics import today as utc_today
from tests.widgets.fixtures import isolated_widget_cache  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/widgets/live/"


def only_cameras_at_users_location(request, queryset):
    """A CAMERA_QUERYSET_HOOK: users see the cameras whose location is their user name."""
    return queryset.filter(location=request.user.username)


@pytest.fixture
def cameras():
    gate = Camera.objects.create(camera_id="gate", name="Gate", location="alice")
    yard = Camera.objects.create(camera_id="yard", name="Yard", location="bob")
    EventStatistics.objects.create(camera=gate, date=utc_today(), detection_count=1234)
    EventStatistics.objects.create(camera=yard, date=utc_today(), detection_count=5, anpr_count=2)
    return gate, yard


@pytest.fixture
def alice(client):
    user = get_user_model().objects.create_user("alice", password="x")
    user.user_permissions.add(Permission.objects.get(codename="view_camera"))
    client.force_login(user)
    return client


def test_url_is_named():
    assert reverse("django_video_analytics:widgets-live") == URL


def test_anonymous_is_denied(client, cameras):
    response = client.get(URL, {"camera": "gate"})
    assert response.status_code in (401, 403)
    assert "cameras" not in response.json()


def test_counts_per_camera_and_overall(alice, cameras, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # session, user, 2 permissions, ids, 2 summaries
        response = alice.get(URL, {"camera": ["gate", "yard", "missing"], "overall": "1"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    data = response.json()
    assert set(data["cameras"]) == {"gate", "yard"}
    assert data["cameras"]["gate"]["today"]["detections"] == {"value": 1234, "display": "1.2K"}
    assert data["cameras"]["yard"]["week"]["plates"] == {"value": 2, "display": "2"}
    assert data["overall"]["month"]["detections"] == {"value": 1239, "display": "1.2K"}


def test_answers_fresh_counts_after_a_stored_batch(alice, cameras):
    alice.get(URL, {"camera": "gate"})
    EventStatistics.objects.filter(camera=cameras[0]).update(detection_count=1300)
    events_stored.send(sender=None, camera_ids={"gate"}, counts={"detection": 66}, events=[])
    data = alice.get(URL, {"camera": "gate"}).json()
    assert data["cameras"]["gate"]["today"]["detections"]["value"] == 1300


def test_hook_limits_cameras_and_overall(alice, cameras, settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "CAMERA_QUERYSET_HOOK": "tests.widgets.test_views.only_cameras_at_users_location",
    }
    data = alice.get(URL, {"camera": ["gate", "yard"], "overall": "1"}).json()
    assert set(data["cameras"]) == {"gate"}
    assert data["overall"]["today"]["detections"]["value"] == 1234  # yard's 5 not counted


def test_permission_classes_come_from_settings(alice, cameras, settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "API_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    }
    assert alice.get(URL, {"camera": "gate"}).status_code == 403


def test_ids_that_are_no_slugs_name_no_camera(alice, cameras):
    response = alice.get(URL, {"camera": ["gate\x00", "<script>", "gate"]})
    assert response.status_code == 200
    assert set(response.json()["cameras"]) == {"gate"}


def test_too_many_cameras_is_a_bad_request(alice):
    response = alice.get(URL, {"camera": [f"c{n}" for n in range(101)]})
    assert response.status_code == 400
    assert "at most 100" in response.json()["camera"][0]
