"""The admin's zone editor widget: which snapshot it draws on, who sees it, what it posts."""

import datetime
import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_video_analytics.admin_zone_editor import RECENT_EVENTS
from django_video_analytics.models import Camera, DetectionEvent, Zone
from tests.zones.conftest import LINE_POINTS, zone_form

ADD = reverse("admin:django_video_analytics_zone_add")
SNAPSHOT = reverse("admin:django_video_analytics_zone_snapshot")
ZONE_PERMISSIONS = ("add_zone", "change_zone", "view_zone")


def detection(camera, minutes_ago, snapshot=""):
    return DetectionEvent.objects.create(
        camera=camera,
        timestamp=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        source_id=f"{camera.camera_id}:{minutes_ago}:{snapshot}",
        snapshot=snapshot,
    )


@pytest.fixture
def snapshots(camera):
    """Snapshots of ``camera`` and of a second camera whose snapshot is the newest of all."""
    other = Camera.objects.create(camera_id="cam-2", name="Back door")
    detection(camera, 30, "video_analytics/snapshots/cam-1-old.jpg")
    detection(camera, 20, "video_analytics/snapshots/cam-1-new.jpg")
    detection(camera, 10)  # newer, without a snapshot
    detection(other, 1, "video_analytics/snapshots/cam-2.jpg")
    return other


def staff(django_user_model, username, *codenames):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def snapshot_source(html):
    """The editor image's src, or None when it shows the placeholder."""
    image = html.split('<img class="va-zone-editor__image"', 1)[1].split(">", 1)[0]
    return image.split('src="', 1)[1].split('"', 1)[0] if 'src="' in image else None


def test_the_add_page_draws_on_the_chosen_cameras_newest_snapshot(admin_client, snapshots):
    camera = Camera.objects.get(camera_id="cam-1")
    html = admin_client.get(ADD, {"camera": camera.pk}).content.decode()
    assert snapshot_source(html) == "/media/video_analytics/snapshots/cam-1-new.jpg"
    assert "cam-2.jpg" not in html
    assert '<textarea name="points"' in html  # the real field, posted as before
    assert f'data-va-endpoint="{SNAPSHOT}"' in html
    assert "django_video_analytics/zone_editor.js" in html
    assert "django_video_analytics/zone_editor.css" in html


def test_the_change_page_draws_on_its_own_cameras_snapshot(admin_client, snapshots):
    zone = Zone.objects.create(camera=snapshots, name="door", kind="line", points=LINE_POINTS)
    change = reverse("admin:django_video_analytics_zone_change", args=[zone.pk])
    html = admin_client.get(change).content.decode()
    assert snapshot_source(html) == "/media/video_analytics/snapshots/cam-2.jpg"
    assert "[[0.2, 0.5], [0.8, 0.5]]</textarea>" in html


def test_no_snapshot_shows_the_placeholder(admin_client, camera):
    detection(camera, 1)
    html = admin_client.get(ADD, {"camera": camera.pk}).content.decode()
    assert snapshot_source(html) is None
    assert '<div class="va-zone-editor__placeholder">' in html


def test_only_the_newest_events_are_searched(admin_client, camera):
    detection(camera, RECENT_EVENTS + 1, "video_analytics/snapshots/ancient.jpg")
    for minutes in range(RECENT_EVENTS):
        detection(camera, minutes)
    assert admin_client.get(SNAPSHOT, {"camera": camera.pk}).json() == {"url": None}
    DetectionEvent.objects.order_by("-timestamp")[0].delete()  # now it is among the newest
    answer = admin_client.get(SNAPSHOT, {"camera": camera.pk}).json()
    assert answer == {"url": "/media/video_analytics/snapshots/ancient.jpg"}


def test_the_endpoint_answers_for_the_camera_asked(admin_client, snapshots, camera):
    answer = admin_client.get(SNAPSHOT, {"camera": snapshots.pk}).json()
    assert answer == {"url": "/media/video_analytics/snapshots/cam-2.jpg"}
    answer = admin_client.get(SNAPSHOT, {"camera": camera.pk}).json()
    assert answer == {"url": "/media/video_analytics/snapshots/cam-1-new.jpg"}
    worst = ("", "x", "999999", "-1", "9" * 40, "1\x00", "<script>", "1.5", "1e3")
    for bad in worst:
        assert admin_client.get(SNAPSHOT, {"camera": bad}).json() == {"url": None}
        assert admin_client.get(ADD, {"camera": bad}).status_code == 200


def test_snapshots_need_the_detection_event_view_permission(django_user_model, snapshots, camera):
    client = staff(django_user_model, "drawer", *ZONE_PERMISSIONS)
    html = client.get(ADD, {"camera": camera.pk}).content.decode()
    assert 'name="points"' in html and snapshot_source(html) is None
    assert client.get(SNAPSHOT, {"camera": camera.pk}).json() == {"url": None}

    # May see snapshots and zones, but neither add nor change zones.
    client = staff(django_user_model, "viewer", "view_detectionevent", "view_zone")
    assert client.get(SNAPSHOT, {"camera": camera.pk}).status_code == 403
    assert Client().get(SNAPSHOT, {"camera": camera.pk}).status_code == 302  # to the login


def hide_the_first_camera(request, queryset):
    return queryset.exclude(camera_id="cam-1")


def test_the_camera_queryset_hook_hides_snapshots(admin_client, snapshots, camera, settings):
    hook = f"{__name__}.hide_the_first_camera"
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "CAMERA_QUERYSET_HOOK": hook}
    assert admin_client.get(SNAPSHOT, {"camera": camera.pk}).json() == {"url": None}
    answer = admin_client.get(SNAPSHOT, {"camera": snapshots.pk}).json()
    assert answer["url"].endswith("cam-2.jpg")


def test_snapshot_urls_are_escaped(admin_client, camera):
    detection(camera, 1, 'video_analytics/snapshots/a"><script>x</script>.jpg')
    html = admin_client.get(ADD, {"camera": camera.pk}).content.decode()
    assert "<script>x" not in html
    assert "%22%3E%3Cscript%3Ex%3C/script%3E.jpg" in snapshot_source(html)


def test_a_posted_form_keeps_the_editors_camera_and_saves_its_points(admin_client, snapshots):
    form = zone_form(snapshots, name="waiting", kind="polygon", points="[[0.1, 0.1], [0.4, 0.1]]")
    response = admin_client.post(ADD, form)  # too few points: the form comes back
    html = response.content.decode()
    assert response.status_code == 200 and "needs 3 to 32 points" in html
    assert snapshot_source(html).endswith("cam-2.jpg")  # the posted camera's, not the initial
    points = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4]]
    response = admin_client.post(ADD, {**form, "points": json.dumps(points)})
    assert response.status_code == 302
    assert Zone.objects.get(name="waiting").points == points
