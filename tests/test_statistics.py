"""One statistics day for every reader: consumer, API and widgets count the same UTC day.

The tests run in several site time zones. Whatever the clock says, Kiritimati (UTC+14) or
Pago Pago (UTC-11) is on another date than UTC, so a reader that takes "today" from the
site's time zone shows zeros in one of them.
"""

import datetime

import pytest
from django.db.models import PositiveIntegerField
from django.utils import timezone

from django_video_analytics.events import wire
from django_video_analytics.events.incoming import IncomingEvent
from django_video_analytics.events.ingest import store_events
from django_video_analytics.models import EventStatistics
from django_video_analytics.statistics import COUNTERS, today
from django_video_analytics.widgets.counters import camera_summary, overall_summary
from django_video_analytics.widgets.daily import daily_counts
from tests.api.factories import BASE, READ_PERMISSIONS, client_for, make_user
from tests.widgets.fixtures import isolated_widget_cache  # noqa: F401

ZONES = ["UTC", "Pacific/Auckland", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


@pytest.fixture(params=ZONES)
def site_time_zone(request, settings):
    settings.TIME_ZONE = request.param
    return request.param


def store(*entries):
    incoming = [
        IncomingEvent(str(n), f"test:{n}", wire.parse_entry(entry))
        for n, entry in enumerate(entries)
    ]
    store_events(incoming)


@pytest.fixture
def stored_now(camera):
    """One detection (a person and a bus) and one plate of ``cam-1``, stored at this moment."""
    now = timezone.now()
    box = {"x": 0, "y": 0, "width": 1, "height": 1}
    boxes = [
        {"class_name": name, "confidence": 0.9, "bounding_box": box} for name in ("person", "bus")
    ]
    store(
        wire.build_detection("cam-1", now, 1, boxes, "yolov8n", "8"),
        wire.build_anpr("cam-1", now, 2, "AB12CDE", 0.9),
    )
    return camera


def test_counters_are_the_counter_columns_of_the_model():
    columns = [f.name for f in EventStatistics._meta.fields if isinstance(f, PositiveIntegerField)]
    assert list(COUNTERS) == columns


def test_events_count_on_their_utc_date(site_time_zone, stored_now):
    row = EventStatistics.objects.get()
    assert row.date == timezone.now().astimezone(datetime.timezone.utc).date() == today()
    assert (row.detection_count, row.anpr_count, row.person_count, row.other_count) == (1, 1, 1, 1)


def test_api_and_widgets_show_todays_counts(site_time_zone, stored_now):
    reader = client_for(make_user("reader", *READ_PERMISSIONS))
    camera = reader.get(f"{BASE}cameras/cam-1/statistics/?days=1").json()
    overall = reader.get(f"{BASE}statistics/?days=1").json()
    assert camera["end_date"] == overall["end_date"] == today().isoformat()
    for data in (camera, overall):
        assert data["totals"]["detection_count"] == 1
        assert data["totals"]["anpr_count"] == 1
        assert data["daily"][-1]["person_count"] == 1
    for summary in (camera_summary("cam-1"), overall_summary()):
        assert summary["today"] == {"detections": 1, "motion": 0, "plates": 1}
    [day] = daily_counts("cam-1", 1)
    assert day.date == today()
    assert day.classes == {"person": 1, "car": 0, "truck": 0, "other": 1}


def test_a_date_in_the_event_filters_is_the_day_the_statistics_count(site_time_zone, camera):
    midnight = datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc)
    store(
        wire.build_motion("cam-1", midnight - datetime.timedelta(minutes=30), 1, 0.5, 1.0),
        wire.build_motion("cam-1", midnight + datetime.timedelta(minutes=30), 2, 0.5, 1.0),
    )
    reader = client_for(make_user("reader", *READ_PERMISSIONS))
    day = {"start_date": "2026-11-20", "end_date": "2026-11-20"}
    listed = reader.get(f"{BASE}motion/", day).json()["results"]
    stored = EventStatistics.objects.get(date=datetime.date(2026, 11, 20))
    assert [row["frame_number"] for row in listed] == [2]
    assert stored.motion_count == len(listed)
