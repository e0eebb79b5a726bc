from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_video_analytics import zone_counts
from django_video_analytics.models import Camera, Zone
from tests.api.factories import BASE, client_for, make_user

from .conftest import LINE_POINTS, SQUARE
from .test_zone_counts import NOON, crossing, visit

ZONES = f"{BASE}zones/"
COUNTS = f"{ZONES}counts/"
HOOK = {"CAMERA_QUERYSET_HOOK": "tests.api.test_cameras.only_public_cameras"}


@pytest.fixture
def editor(db):
    return client_for(make_user("editor", "view_zone", "add_zone", "change_zone", "delete_zone"))


@pytest.fixture
def viewer(db):
    return client_for(make_user("viewer", "view_zone"))


@pytest.fixture
def hidden_camera(db):
    return Camera.objects.create(camera_id="hidden", name="Back office", location="private")


def test_zones_are_created_listed_by_camera_updated_and_deleted(editor, camera, hidden_camera):
    body = {"camera": "cam-1", "name": "door", "kind": "line", "points": LINE_POINTS}
    created = editor.post(ZONES, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["anchor"] == "bottom_centre"
    Zone.objects.create(camera=hidden_camera, name="safe", points=SQUARE)
    listed = editor.get(ZONES, {"camera__camera_id": "cam-1"}).json()
    assert [zone["name"] for zone in listed] == ["door"]
    url = f"{ZONES}{created.json()['id']}/"
    patched = editor.patch(url, {"in_side": "right", "classes": ["person"]}, format="json")
    assert patched.json()["in_side"] == "right"
    assert Zone.objects.get(name="door").spec().classes == ("person",)
    editor.patch(url, {"camera": "hidden"}, format="json")
    assert Zone.objects.get(name="door").camera == camera
    assert editor.delete(url).status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "line", "points": [[0.2, 0.5]]}, "points"),
        ({"kind": "polygon", "points": [[0.1, 0.1]] * 40}, "points"),
        ({"kind": "polygon", "points": "here"}, "points"),
        ({"kind": "polygon", "points": SQUARE, "anchor": "feet"}, "anchor"),
        ({"kind": "polygon", "points": SQUARE, "loiter_seconds": -1}, "loiter_seconds"),
        ({"kind": "circle", "points": SQUARE}, "kind"),
        ({"kind": "polygon", "points": SQUARE, "camera": "nope"}, "camera"),
    ],
)
def test_bad_zones_answer_400_naming_the_field(editor, camera, body, field):
    response = editor.post(ZONES, {"camera": "cam-1", "name": "z", **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_patch_is_validated_with_the_stored_fields(editor, camera):
    zone = Zone.objects.create(camera=camera, name="door", kind="line", points=LINE_POINTS)
    response = editor.patch(f"{ZONES}{zone.pk}/", {"kind": "polygon"}, format="json")
    assert response.status_code == 400
    assert "3 to 32" in response.json()["points"][0]


def test_names_are_unique_per_camera_also_on_a_rename(editor, camera):
    body = {"camera": "cam-1", "name": "door", "kind": "line", "points": LINE_POINTS}
    assert editor.post(ZONES, body, format="json").status_code == 201
    assert editor.post(ZONES, body, format="json").status_code == 400
    other = editor.post(ZONES, {**body, "name": "gate"}, format="json").json()
    for method in (editor.put, editor.patch):  # was an IntegrityError (500), found by fuzzing
        response = method(f"{ZONES}{other['id']}/", {**body, "name": "door"}, format="json")
        assert response.status_code == 400 and "name" in response.json()


def test_readers_cannot_write_and_strangers_cannot_read(viewer, camera, db):
    body = {"camera": "cam-1", "name": "door", "kind": "line", "points": LINE_POINTS}
    assert viewer.post(ZONES, body, format="json").status_code == 403
    assert client_for(make_user("nobody")).get(COUNTS, {"start": "2026-11-20"}).status_code == 403


def test_the_camera_hook_hides_zones_and_their_counts(editor, camera, hidden_camera, settings):
    camera.location = "public"
    camera.save()
    shown = Zone.objects.create(camera=camera, name="door", kind="line", points=LINE_POINTS)
    secret = Zone.objects.create(camera=hidden_camera, name="safe", kind="line", points=LINE_POINTS)
    zone_counts.apply([crossing(shown), crossing(secret)])
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, **HOOK}
    assert [zone["name"] for zone in editor.get(ZONES).json()] == ["door"]
    assert editor.get(f"{ZONES}{secret.pk}/").status_code == 404
    assert editor.get(f"{ZONES}{secret.pk}/occupancy/").status_code == 404
    rows = editor.get(COUNTS, {"start": "2026-11-20"}).json()["rows"]
    assert [row["zone"] for row in rows] == ["door"]
    body = {"camera": "hidden", "name": "mine", "kind": "line", "points": LINE_POINTS}
    assert "camera" in editor.post(ZONES, body, format="json").json()


@pytest.fixture
def counted(camera):
    door = Zone.objects.create(camera=camera, name="door", kind="line", points=LINE_POINTS)
    hall = Zone.objects.create(camera=camera, name="=hall", points=SQUARE)
    zone_counts.apply(
        [
            crossing(door, "in"),
            crossing(door, "out", NOON + timedelta(minutes=5)),
            crossing(door, "in", NOON + timedelta(hours=1)),
            crossing(door, "in", NOON + timedelta(days=2)),
        ],
        [visit(hall, dwell=20, occupancy=2), visit(hall, dwell=40, occupancy=1)],
    )
    return door, hall


def test_counts_per_hour_by_zone_and_class(viewer, counted):
    door, hall = counted
    response = viewer.get(COUNTS, {"start": "2026-11-20", "end": "2026-11-21"})
    assert response.status_code == 200
    body = response.json()
    assert body["columns"][:5] == ["bucket", "camera_id", "zone_id", "zone", "class_name"]
    rows = [
        (r["bucket"], r["zone"], r["crossings_in"], r["crossings_out"], r["visits"])
        for r in body["rows"]
    ]
    assert rows == [
        ("2026-11-20T12:00:00Z", "door", 1, 1, 0),
        ("2026-11-20T12:00:00Z", "=hall", 0, 0, 2),
        ("2026-11-20T13:00:00Z", "door", 1, 0, 0),
    ]
    assert body["rows"][1]["mean_dwell_seconds"] == 30
    assert body["rows"][1]["max_occupancy"] == 2


def test_counts_per_day_and_direction_filtered_by_zone(viewer, counted):
    door, _ = counted
    query = {"start": "2026-11-20", "bucket": "day", "group_by": "direction", "zone": door.pk}
    body = viewer.get(COUNTS, query).json()
    assert body["columns"] == ["bucket", "direction", "crossings"]
    assert body["rows"] == [
        {"bucket": "2026-11-20T00:00:00Z", "direction": "in", "crossings": 2},
        {"bucket": "2026-11-20T00:00:00Z", "direction": "out", "crossings": 1},
        {"bucket": "2026-11-22T00:00:00Z", "direction": "in", "crossings": 1},
    ]


def test_counts_as_csv_neutralise_formulas(viewer, counted):
    query = {"start": "2026-11-20", "end": "2026-11-20", "group_by": "zone", "format": "csv"}
    response = viewer.get(COUNTS, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "zone-counts.csv" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "bucket,camera_id,zone_id,zone,crossings_in,crossings_out,visits,"
        "total_dwell_seconds,mean_dwell_seconds,max_occupancy"
    )
    door, hall = counted
    assert lines[1] == f"2026-11-20T12:00:00+00:00,cam-1,{door.pk},door,1,1,0,0.0,,0"
    assert lines[2] == f"2026-11-20T12:00:00+00:00,cam-1,{hall.pk},'=hall,0,0,2,60.0,30.0,2"
    assert len(lines) == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "start"),
        ({"start": "yesterday"}, "start"),
        ({"start": "2026-11-20", "end": "9999-12-31T23:00:00-05:00"}, "end"),
        ({"start": "2026-11-20", "bucket": "week"}, "bucket"),
        ({"start": "2026-11-20", "group_by": "zone,colour"}, "group_by"),
        ({"start": "2026-11-20", "zone": "door"}, "zone"),
    ],
)
def test_bad_count_queries_answer_400_naming_the_parameter(viewer, db, query, field):
    response = viewer.get(COUNTS, query)
    assert response.status_code == 400
    assert field in response.json()


def test_a_bad_csv_query_answers_400_in_csv(viewer, db):
    response = viewer.get(COUNTS, {"format": "csv"})
    assert response.status_code == 400
    assert response.content.decode().splitlines() == [
        "field,error",
        "start,This field is required.",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, 2),  # the sums, the zones' names
        ({"camera__camera_id": "cam-1"}, 2),
        ({"group_by": "class_name,direction"}, 1),
    ],
)
def test_counts_cost_at_most_two_queries(viewer, counted, query, expected):
    query = {"start": "2026-11-20", **query}
    viewer.get(COUNTS, query)  # the user's permissions are cached from here on
    with CaptureQueriesContext(connection) as queries:
        assert viewer.get(COUNTS, query).status_code == 200
    assert len(queries) == expected


def test_occupancy_is_the_peak_of_the_current_hour(viewer, camera):
    hall = Zone.objects.create(camera=camera, name="hall", points=SQUARE, occupancy_limit=5)
    now = timezone.now()
    zone_counts.apply(visits=[visit(hall, now, occupancy=3, closed=False)])
    zone_counts.apply(visits=[visit(hall, now - timedelta(hours=1), occupancy=9)])
    body = viewer.get(f"{ZONES}{hall.pk}/occupancy/").json()
    assert body["occupancy_limit"] == 5
    assert body["classes"] == [{"class_name": "person", "max_occupancy": 3}]


def test_the_dwell_histogram_of_a_zone(viewer, counted):
    _, hall = counted
    body = viewer.get(f"{ZONES}{hall.pk}/dwell-histogram/", {"start": "2026-11-20"}).json()
    assert body["bins"][1:3] == [
        {"up_to_seconds": 30, "visits": 1},
        {"up_to_seconds": 60, "visits": 1},
    ]
    assert sum(b["visits"] for b in body["bins"]) == 2
    assert viewer.get(f"{ZONES}{hall.pk}/dwell-histogram/").status_code == 400
