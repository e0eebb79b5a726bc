import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from django_video_analytics.models import Camera, Zone
from django_video_analytics.pipeline.zones import LineSpec, ZoneSpec

from .conftest import LINE_POINTS, SQUARE, zone_form


def test_a_row_gives_the_spec_the_counting_stage_uses(door_line, waiting_area):
    assert door_line.spec() == LineSpec(name="door", points=((0.2, 0.5), (0.8, 0.5)))
    spec = waiting_area.spec()
    assert isinstance(spec, ZoneSpec)
    assert spec.loiter_seconds == 60


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "line", "points": [[0.1, 0.1], [0.1, 0.1]]}, "points"),
        ({"kind": "line", "points": [[0.1, 0.1]]}, "points"),
        ({"kind": "polygon", "points": [[0, 0], [0.5, 0.5], [1, 1]]}, "points"),
        ({"kind": "polygon", "points": [[0.1, 0.1]] * 33}, "points"),
        ({"kind": "polygon", "points": [[0.1, 1.5], [0.2, 0.2], [0.3, 0.1]]}, "points"),
        ({"kind": "polygon", "points": SQUARE, "loiter_seconds": 0}, "loiter_seconds"),
        ({"kind": "polygon", "points": SQUARE, "classes": "person"}, "classes"),
        ({"kind": "line", "points": LINE_POINTS, "min_distance": 0.9}, "min_distance"),
        ({"kind": "polygon", "points": SQUARE, "inertia_frames": 0}, "inertia_frames"),
    ],
)
def test_full_clean_names_the_field_the_spec_rejects(camera, fields, field):
    zone = Zone(camera=camera, name="z", **fields)
    with pytest.raises(ValidationError) as caught:
        zone.full_clean()
    assert field in caught.value.message_dict


def test_names_are_unique_per_camera_only(camera, door_line):
    with pytest.raises(ValidationError) as caught:
        Zone(camera=camera, name="door", kind="line", points=LINE_POINTS).full_clean()
    assert "__all__" in caught.value.message_dict
    other = Camera.objects.create(camera_id="cam-2", name="Back")
    Zone(camera=other, name="door", kind="line", points=LINE_POINTS).full_clean()


def test_the_admin_form_shows_the_points_error_and_saves_valid_json(camera):
    admin = get_user_model().objects.create_superuser("admin", password="pw")
    client = Client()
    client.force_login(admin)
    form = zone_form(camera, points="[[0.2, 0.5]]")
    url = "/admin/django_video_analytics/zone/add/"
    response = client.post(url, form)
    assert response.status_code == 200
    assert "needs 2 points" in response.content.decode()
    response = client.post(url, {**form, "points": "[[0.2, 0.5], [0.8, 0.5]]"})
    assert response.status_code == 302
    assert Zone.objects.get().points == LINE_POINTS


def test_stored_crossings_and_visits_are_listed_read_only_in_the_admin(
    admin_client, camera, door_line, waiting_area
):
    from django.urls import reverse
    from django.utils import timezone

    from django_video_analytics.models import LineCrossingEvent, ZoneVisitEvent

    now = timezone.now()
    LineCrossingEvent.objects.create(
        camera=camera, timestamp=now, source_id="s:1", zone=door_line, zone_name="door",
        track_id=7, class_name="person", direction="in",
    )  # fmt: skip
    ZoneVisitEvent.objects.create(
        camera=camera, timestamp=now, source_id="s:2", zone=waiting_area, zone_name="waiting",
        track_id=8, class_name="person", entered=now, exited=None, dwell_seconds=61.0,
        loitered=True, occupancy=2,
    )  # fmt: skip
    for model, name in (("linecrossingevent", "door"), ("zonevisitevent", "waiting")):
        changelist = reverse(f"admin:django_video_analytics_{model}_changelist")
        response = admin_client.get(changelist, {"q": name})
        assert response.status_code == 200 and name in response.content.decode()
        add = reverse(f"admin:django_video_analytics_{model}_add")
        assert admin_client.get(add).status_code == 403
