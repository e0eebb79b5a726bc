"""The live endpoint: API permissions, the camera-queryset hook, and the counts it answers."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from django_video_analytics import zone_counts
from django_video_analytics.models import Camera, EventStatistics, Zone
from django_video_analytics.signals import events_stored
from django_video_analytics.statistics import today as utc_today
from tests.widgets.fixtures import isolated_widget_cache  # noqa: F401
from tests.zones.conftest import LINE_POINTS
from tests.zones.test_zone_counts import crossing

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


HOOK = {"CAMERA_QUERYSET_HOOK": "tests.widgets.test_views.only_cameras_at_users_location"}
# What the endpoint answers for the gate's line of ``lines``: today's crossings only.
GATE_LINE_TODAY = {"in": {"value": 1234, "display": "1.2K"}, "out": {"value": 2, "display": "2"}}


@pytest.fixture
def lines(cameras):
    """The gate's line with crossings today and yesterday; the yard's line with one today."""
    gate_line, yard_line = (
        Zone.objects.create(camera=camera, name="door", kind="line", points=LINE_POINTS)
        for camera in cameras
    )
    now = timezone.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = midnight - timedelta(seconds=1)
    zone_counts.apply(
        [crossing(gate_line, "in", now) for _ in range(1234)]
        + [crossing(gate_line, "out", now), crossing(gate_line, "out", midnight)]
        + [crossing(gate_line, direction, yesterday) for direction in ("in", "out")]
        + [crossing(yard_line, "in", now)]
    )
    return gate_line, yard_line


def test_zone_crossings_of_today_as_the_tag_shows_them(alice, lines):
    gate_line, yard_line = lines
    quiet = Zone.objects.create(
        camera=gate_line.camera, name="quiet", kind="line", points=LINE_POINTS
    )
    response = alice.get(URL, {"zone": [gate_line.pk, yard_line.pk, quiet.pk, 999_999]})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {
        "cameras": {},
        "zones": {
            str(gate_line.pk): GATE_LINE_TODAY,
            str(yard_line.pk): {
                "in": {"value": 1, "display": "1"},
                "out": {"value": 0, "display": "0"},
            },
            str(quiet.pk): {
                "in": {"value": 0, "display": "0"},
                "out": {"value": 0, "display": "0"},
            },
        },
    }
    html = Template("{% load video_analytics %}{% line_counter zone %}").render(
        Context({"zone": gate_line})
    )
    assert 'data-va-direction="in" data-va-every="5000" title="1234">1.2K</dd>' in html
    assert 'data-va-direction="out" data-va-every="5000" title="2">2</dd>' in html


def test_zone_crossings_are_fresh_after_a_stored_batch_of_their_camera(alice, lines):
    gate_line = lines[0]
    alice.get(URL, {"zone": gate_line.pk})
    zone_counts.apply([crossing(gate_line, "in", timezone.now())])
    cached = alice.get(URL, {"zone": gate_line.pk}).json()["zones"][str(gate_line.pk)]
    assert cached["in"]["value"] == 1234  # until the batch's signal, like the tag
    events_stored.send(sender=None, camera_ids={"gate"}, counts={}, events=[])
    fresh = alice.get(URL, {"zone": gate_line.pk}).json()["zones"][str(gate_line.pk)]
    assert fresh["in"] == {"value": 1235, "display": "1.2K"}


def test_a_hidden_cameras_zone_is_simply_absent(alice, lines, settings):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, **HOOK}
    gate_line, yard_line = lines
    response = alice.get(URL, {"zone": [gate_line.pk, yard_line.pk], "camera": "yard"})
    assert response.status_code == 200
    assert response.json() == {
        "cameras": {},
        "zones": {str(gate_line.pk): GATE_LINE_TODAY},
    }
    # The same answer as for a zone that does not exist.
    hidden = alice.get(URL, {"zone": yard_line.pk}).json()
    missing = alice.get(URL, {"zone": 999_999}).json()
    assert hidden == missing == {"cameras": {}, "zones": {}}


def test_ids_that_are_no_zone_ids_name_no_zone(alice, lines):
    pk = str(lines[0].pk)
    junk = ["", "abc", "-1", "0", "01", "1.5", "1e3", " 1", "٣", "\x00", "<script>", "9" * 30]
    response = alice.get(URL, {"zone": [*junk, pk]})
    assert response.status_code == 200
    assert set(response.json()["zones"]) == {pk}


def test_too_many_zones_is_a_bad_request(alice):
    response = alice.get(URL, {"zone": list(range(1, 102))})
    assert response.status_code == 400
    assert "at most 100" in response.json()["zone"][0]


def test_zone_queries_do_not_grow_with_the_zones(alice, lines, django_assert_max_num_queries):
    many = [
        Zone.objects.create(camera=camera, name=f"line {n}", kind="line", points=LINE_POINTS)
        for n in range(20)
        for camera in Camera.objects.all()
    ]
    ids = [zone.pk for zone in [*lines, *many]]
    # session, user, 2 permissions, the visible zones, their crossings
    with django_assert_max_num_queries(6):
        assert len(alice.get(URL, {"zone": ids}).json()["zones"]) == 42
    with django_assert_max_num_queries(5):  # the crossings are cached
        alice.get(URL, {"zone": ids})
