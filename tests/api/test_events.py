from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.utils.dateparse import parse_datetime

from django_video_analytics.models import ANPREvent, DetectionEvent, MotionEvent

from .factories import BASE, T0, anpr, client_for, detection, make_user, minutes, motion

FACTORIES = {"detections": detection, "motion": motion, "anpr": anpr}
MODELS = {"detections": DetectionEvent, "motion": MotionEvent, "anpr": ANPREvent}


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def walk(client, url):
    """Every row id of a cursor-paginated list, following ``next`` links."""
    seen = []
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    return seen


@pytest.mark.parametrize("endpoint", FACTORIES)
def test_rows_carry_camera_id_and_name(reader, make_camera, endpoint):
    event = FACTORIES[endpoint](make_camera("cam-1", name="Front gate"))
    page = reader.get(f"{BASE}{endpoint}/").json()
    assert set(page) == {"next", "previous", "results"}
    [row] = page["results"]
    assert row["id"] == event.pk
    assert row["camera_id"] == "cam-1"
    assert row["camera_name"] == "Front gate"
    assert parse_datetime(row["timestamp"]) == T0  # "...Z", or with the site's UTC offset


@pytest.mark.parametrize("endpoint", FACTORIES)
def test_common_filters(reader, make_camera, endpoint):
    make = FACTORIES[endpoint]
    one, two = make_camera("cam-1"), make_camera("cam-2")
    early = make(one, timestamp=T0 - timedelta(days=1), processed=True)
    late = make(one, timestamp=T0 + timedelta(hours=11, minutes=59))
    other = make(two, timestamp=T0)
    next_day = make(one, timestamp=T0 + timedelta(hours=12))
    url = f"{BASE}{endpoint}/"
    assert ids(reader.get(url)) == [next_day.pk, late.pk, other.pk, early.pk]
    assert ids(reader.get(url, {"camera__camera_id": "cam-2"})) == [other.pk]
    assert ids(reader.get(url, {"processed": "true"})) == [early.pk]
    assert ids(reader.get(url, {"processed": "false"})) == [next_day.pk, late.pk, other.pk]
    assert ids(reader.get(url, {"start_date": "2026-11-20"})) == [next_day.pk, late.pk, other.pk]
    # An end *date* includes its whole day; an end datetime is exact.
    assert ids(reader.get(url, {"end_date": "2026-11-20"})) == [late.pk, other.pk, early.pk]
    in_range = {"start_date": "2026-11-20T12:00:00Z", "end_date": "2026-11-20T12:00:00+00:00"}
    assert ids(reader.get(url, in_range)) == [other.pk]
    both = {"camera__camera_id": "cam-1", "start_date": "2026-11-20", "end_date": "2026-11-20"}
    assert ids(reader.get(url, both)) == [late.pk]
    assert ids(reader.get(url, {"ordering": "timestamp"})) == [
        early.pk,
        other.pk,
        late.pk,
        next_day.pk,
    ]
    assert ids(reader.get(url, {"ordering": "created_at"})) == [
        early.pk,
        late.pk,
        other.pk,
        next_day.pk,
    ]
    assert ids(reader.get(url, {"ordering": "-created_at"}))[0] == next_day.pk


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-11-20T25:00"])
def test_bad_dates_answer_400(reader, db, value):
    response = reader.get(f"{BASE}detections/", {"start_date": value})
    assert response.status_code == 400
    assert "start_date" in response.json()


def test_class_name_filter(reader, make_camera):
    camera = make_camera()
    person = detection(camera, classes=("person", "dog"), timestamp=minutes(1))
    car = detection(camera, classes=("car",), timestamp=minutes(2))
    detection(camera, classes=("traffic light",), timestamp=minutes(3))
    url = f"{BASE}detections/"
    assert ids(reader.get(url, {"class_name": "person"})) == [person.pk]
    assert ids(reader.get(url, {"class_name": "car"})) == [car.pk]
    assert ids(reader.get(url, {"class_name": "light"})) == []
    assert len(ids(reader.get(url, {"class_name": "traffic light"}))) == 1


def test_plate_filters(reader, make_camera):
    camera = make_camera()
    first = anpr(camera, "AB12CDE", timestamp=minutes(1))
    second = anpr(camera, "XAB123", timestamp=minutes(2))
    url = f"{BASE}anpr/"
    assert ids(reader.get(url, {"license_plate": "AB12CDE"})) == [first.pk]
    assert ids(reader.get(url, {"license_plate__icontains": "ab12"})) == [second.pk, first.pk]
    assert reader.get(url).json()["results"][0]["license_plate"] == "XAB123"


@pytest.mark.parametrize("spelling", ("AB12 CDE", "ab12cde", "ab-12-cde", " AB12.CDE "))
def test_plate_filters_normalise_like_the_watchlist(reader, make_camera, spelling):
    camera = make_camera()
    plate = anpr(camera, "AB12CDE", timestamp=minutes(1))
    anpr(camera, "AB12CDF", timestamp=minutes(2))
    url = f"{BASE}anpr/"
    assert ids(reader.get(url, {"license_plate": spelling})) == [plate.pk]
    partial = spelling[:6]  # "AB12 C" finds AB12CDE and AB12CDF
    assert len(ids(reader.get(url, {"license_plate__icontains": partial}))) == 2


def test_exact_plate_filter_finds_plates_stored_with_spaces(reader, make_camera):
    camera = make_camera()
    foreign = anpr(camera, "AB12 CDE")  # as another analytics service may publish it
    assert ids(reader.get(f"{BASE}anpr/", {"license_plate": "AB12 CDE"})) == [foreign.pk]


def test_page_size_is_capped(reader, make_camera, settings):
    camera = make_camera()
    for n in range(12):
        motion(camera, timestamp=minutes(n))
    url = f"{BASE}motion/"
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "API_PAGE_SIZE": 4,
        "API_MAX_PAGE_SIZE": 6,
    }
    assert len(ids(reader.get(url))) == 4
    assert len(ids(reader.get(url, {"page_size": 5}))) == 5
    assert len(ids(reader.get(url, {"page_size": 100}))) == 6
    assert len(walk(reader, url)) == 12


@pytest.mark.parametrize("ordering", ["-timestamp", "timestamp", "-created_at"])
def test_cursor_is_stable_under_concurrent_inserts(reader, make_camera, ordering):
    camera = make_camera()
    # Ties on the ordering field: four rows per minute.
    original = [detection(camera, timestamp=minutes(n // 4)) for n in range(20)]
    url = f"{BASE}detections/?page_size=3&ordering={ordering}"
    seen = []
    while url:
        page = reader.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
        # Rows arrive between page fetches: a newer one, and one tied with the page's end.
        detection(camera, timestamp=minutes(100 + len(seen)))
        if page["results"]:
            detection(camera, timestamp=page["results"][-1]["timestamp"])
    assert len(seen) == len(set(seen)), "a row was served twice"
    assert {row.pk for row in original} <= set(seen), "a row was skipped"
    if ordering == "timestamp":
        expected = sorted(original, key=lambda row: (row.timestamp, row.pk))
        originals = {row.pk for row in original}
        assert [pk for pk in seen if pk in originals] == [row.pk for row in expected]


def test_previous_link_goes_back(reader, make_camera):
    camera = make_camera()
    for n in range(7):
        motion(camera, timestamp=minutes(n // 2))
    first = reader.get(f"{BASE}motion/?page_size=3").json()
    second = reader.get(first["next"]).json()
    back = reader.get(second["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]
    assert "cursor" in parse_qs(urlsplit(first["next"]).query)


def test_invalid_cursor_is_a_client_error(reader, db):
    assert reader.get(f"{BASE}motion/?cursor=garbage").status_code == 400


@pytest.mark.parametrize("endpoint", FACTORIES)
def test_mark_processed_by_ids(operator, make_camera, endpoint):
    camera = make_camera()
    rows = [FACTORIES[endpoint](camera, timestamp=minutes(n)) for n in range(3)]
    url = f"{BASE}{endpoint}/mark-processed/"
    response = operator.post(url, {"ids": [rows[0].pk, rows[2].pk]}, format="json")
    assert response.json() == {"updated": 2}
    model = MODELS[endpoint]
    assert set(model.objects.filter(processed=True).values_list("pk", flat=True)) == {
        rows[0].pk,
        rows[2].pk,
    }
    response = operator.post(url, {"ids": [rows[0].pk], "processed": False}, format="json")
    assert response.json() == {"updated": 1}
    assert model.objects.filter(processed=True).count() == 1


def test_mark_processed_by_current_filter(operator, make_camera):
    one, two = make_camera("cam-1"), make_camera("cam-2")
    for n in range(3):
        detection(one, timestamp=minutes(n))
        detection(two, timestamp=minutes(n))
    url = f"{BASE}detections/mark-processed/?camera__camera_id=cam-2"
    assert operator.post(url, {"all_matching": True}, format="json").json() == {"updated": 3}
    assert set(
        DetectionEvent.objects.filter(processed=True).values_list("camera__camera_id", flat=True)
    ) == {"cam-2"}


def test_mark_processed_needs_a_selection_and_permission(operator, reader, make_camera):
    detection(make_camera())
    url = f"{BASE}detections/mark-processed/"
    response = operator.post(url, {}, format="json")
    assert response.status_code == 400
    assert "ids" in str(response.json())
    assert operator.post(url, {"ids": ["x"]}, format="json").status_code == 400
    assert operator.post(url, {"ids": [2**64]}, format="json").status_code == 400
    assert reader.post(url, {"all_matching": True}, format="json").status_code == 403
    assert not DetectionEvent.objects.filter(processed=True).exists()


def test_camera_queryset_hook_limits_events(make_camera, settings):
    visible, hidden = make_camera("open", location="public"), make_camera("hidden")
    shown = detection(visible)
    secret = detection(hidden)
    operator = client_for(make_user("op", "view_detectionevent", "change_detectionevent"))
    hook = "tests.api.test_cameras.only_public_cameras"
    with override_settings(
        VIDEO_ANALYTICS={**settings.VIDEO_ANALYTICS, "CAMERA_QUERYSET_HOOK": hook}
    ):
        assert ids(operator.get(f"{BASE}detections/")) == [shown.pk]
        assert operator.get(f"{BASE}detections/{secret.pk}/").status_code == 404
        url = f"{BASE}detections/mark-processed/"
        assert operator.post(url, {"ids": [secret.pk]}, format="json").json() == {"updated": 0}
        assert operator.post(url, {"all_matching": True}, format="json").json() == {"updated": 1}
    secret.refresh_from_db()
    assert secret.processed is False


@pytest.mark.parametrize("endpoint", FACTORIES)
def test_event_pages_take_one_query(reader, make_camera, endpoint, django_assert_num_queries):
    for number in range(5):
        camera = make_camera(f"cam-{number}")
        for minute in range(10):
            FACTORIES[endpoint](camera, timestamp=minutes(minute))
    url = f"{BASE}{endpoint}/?camera__camera_id=cam-3&start_date=2026-11-20&page_size=8"
    with django_assert_num_queries(3):  # + the user's and their groups' permissions
        first = reader.get(url).json()
    with django_assert_num_queries(1):  # the permissions are cached on the user object
        second = reader.get(first["next"]).json()
    assert {r["camera_id"] for r in first["results"] + second["results"]} == {"cam-3"}
    assert len(first["results"] + second["results"]) == 10


def test_retrieve_one_event(reader, make_camera):
    event = anpr(make_camera())
    row = reader.get(f"{BASE}anpr/{event.pk}/").json()
    assert row["license_plate"] == "AB12CDE"
    assert row["camera_name"] == "Camera cam-1"
