"""Dates, offsets and cursors at the edges of what Python and databases hold answer 400."""

from base64 import b64encode
from urllib.parse import urlencode

import pytest

from django_video_analytics.models import PlateAlert, WatchlistEntry

from ..api.factories import BASE, T0, anpr, client_for, detection, make_user

EVENT_LISTS = ("detections/", "motion/", "anpr/")
BAD_DATES = (
    "9999-12-31",  # the day after is past datetime.max
    "9999-12-31T23:59:59-05:00",  # in UTC past datetime.max
    "0001-01-01",
    "0001-01-01T00:00:00+05:00",  # in UTC before datetime.min
    "0001-01-01T00:00:00",
    "2026-02-30",
    "2026-11-20T25:00:00",
    "2026-11-20T12:00:00+24:00",
    "not a date",
    "\x00",
)


def cursor(position, pk=1):
    return b64encode(urlencode({"p": position, "i": pk}).encode()).decode()


@pytest.fixture
def operator(db):
    return client_for(
        make_user(
            "operator",
            "view_camera",
            "view_eventstatistics",
            "view_detectionevent",
            "view_motionevent",
            "view_anprevent",
            "change_detectionevent",
            "change_motionevent",
            "change_anprevent",
            "view_platealert",
        )
    )


@pytest.fixture
def events(camera):
    detection(camera)
    alert_event = anpr(camera)
    entry = WatchlistEntry.objects.create(plate="AB12CDE")
    PlateAlert.objects.create(
        entry=entry, event=alert_event, camera=camera, license_plate="AB12CDE", distance=0
    )


def assert_field_error(response, field):
    assert response.status_code == 400, response.content
    assert response.json()[field], response.json()


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize("field", ("start_date", "end_date"))
@pytest.mark.parametrize("endpoint", (*EVENT_LISTS, "alerts/"))
def test_dates_out_of_range_or_invalid_are_400(operator, events, endpoint, field, value):
    assert_field_error(operator.get(f"{BASE}{endpoint}", {field: value}), field)


@pytest.mark.parametrize("value", BAD_DATES[:4])
@pytest.mark.parametrize("endpoint", EVENT_LISTS)
def test_mark_processed_with_dates_out_of_range_is_400(operator, events, endpoint, value):
    url = f"{BASE}{endpoint}mark-processed/?{urlencode({'end_date': value})}"
    response = operator.post(url, {"all_matching": True}, format="json")
    assert_field_error(response, "end_date")


@pytest.mark.parametrize(
    "value",
    ("0001-01-02", "0001-01-02T05:00:00+05:00", "9999-12-30", "9999-12-30T23:59:59+00:00"),
)
def test_the_extreme_dates_inside_the_range_still_filter(operator, events, value):
    response = operator.get(f"{BASE}detections/", {"start_date": value, "end_date": value})
    assert response.status_code == 200
    assert response.json()["results"] == []
    wide = operator.get(f"{BASE}detections/", {"start_date": "0001-01-02", "end_date": value})
    assert len(wide.json()["results"]) == (1 if value.startswith("9999") else 0)


@pytest.mark.parametrize(
    "token",
    (
        cursor("9999-12-31T23:59:59-05:00"),
        cursor("0001-01-01T00:00:00+05:00"),
        cursor("9999-12-31T23:59:59.999999+00:00"),
        cursor(T0.isoformat(), pk=2**70),
        cursor(T0.isoformat(), pk=-(2**70)),
        cursor("2026-11-20T12:00:00"),  # naive
        cursor("yesterday"),
        "garbage",
        "%%%",
        b64encode(b"\xff\xfe").decode(),
        b64encode(b"p=&i=").decode(),
    ),
)
@pytest.mark.parametrize("endpoint", EVENT_LISTS)
def test_bad_cursors_are_400(operator, events, endpoint, token):
    assert_field_error(operator.get(f"{BASE}{endpoint}", {"cursor": token}), "cursor")


def test_a_cursor_from_a_page_still_works(operator, camera):
    for minute in range(3):
        detection(camera, timestamp=T0.replace(minute=minute))
    first = operator.get(f"{BASE}detections/", {"page_size": 2}).json()
    second = operator.get(first["next"]).json()
    assert len(second["results"]) == 1


@pytest.mark.parametrize(
    "query",
    (
        {"entry": str(2**70)},
        {"entry": "-1"},
        {"entry": "1e400"},
        {"cursor": "%%%"},
    ),
)
def test_alert_filters_out_of_range_are_client_errors(operator, events, query):
    response = operator.get(f"{BASE}alerts/", query)
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "endpoint,parameter",
    (
        ("detections/", "class_name"),
        ("detections/", "camera__camera_id"),
        ("anpr/", "license_plate"),
        ("anpr/", "license_plate__icontains"),
        ("alerts/", "camera__camera_id"),
        ("alerts/", "license_plate"),
        ("statistics/", "camera__camera_id"),
        ("cameras/cam-1/statistics/", "days"),
    ),
)
def test_nul_bytes_in_text_filters_are_400(operator, events, endpoint, parameter):
    """PostgreSQL text cannot hold NUL: such a value must be refused, not sent to the database."""
    assert_field_error(operator.get(f"{BASE}{endpoint}", {parameter: "cam\x00-1"}), parameter)
