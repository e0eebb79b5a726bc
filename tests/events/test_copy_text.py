"""Rows written as COPY text read back as the values they were encoded from, whatever they hold."""

from datetime import datetime, timezone

import pytest
from django.db import connection
from django.test import override_settings

from django_video_analytics.events import copy_text, wire
from django_video_analytics.events.consumer import EventConsumer
from django_video_analytics.events.incoming import IncomingEvent
from django_video_analytics.events.ingest import encodes_rows_ahead, store_events
from django_video_analytics.events.kinds import STORED_KINDS
from django_video_analytics.events.runner import ConsumerRunner
from django_video_analytics.models import (
    ANPREvent,
    DetectionEvent,
    LineCrossingEvent,
    MotionEvent,
    Zone,
    ZoneVisitEvent,
)

from .entries import mixed_entries, recount_statistics, stored_statistics

pytestmark = pytest.mark.django_db(transaction=True)

MOMENT = datetime(2026, 11, 20, 12, 0, 0, 250000, tzinfo=timezone.utc)
# Everything COPY's text format treats specially, and text that looks like its escapes.
HOSTILE = "a\\b\tc\nd\re \\N \\. \\t ' \" é 中 🚗"


def hostile_entries(zone, line):
    item = {
        "class_name": "car\tlorry",
        "confidence": 0.5,
        "bounding_box": {"x": 0.1, "y": 0.2, "width": 1e-05, "height": 0.25},
        "note": HOSTILE,
    }
    return [
        wire.build_detection(
            "cam-1", MOMENT, 1, [item], "yolo\\v8", "8.1\n0", event_id=f"d-{HOSTILE}",
            snapshot="shots\\one\ttwo.jpg",
        ),
        wire.build_motion("cam-1", MOMENT, 2, 1e-300, 99.99999999999999),
        wire.build_anpr(
            "cam-1", MOMENT, 3, "AB\\12\tC", 0.875, region="UK\r\nEU",
            candidates=[{"text": HOSTILE, "confidence": 0.5}],
        ),
        wire.build_line_crossing("cam-1", MOMENT, 4, line.name, line.pk, 2**62, "per\\son", "out"),
        wire.build_zone_visit(
            "cam-1", MOMENT, 5, zone.name, zone.pk, 7, "person", "2026-11-20T11:59:00.5Z",
            None, 60.5, True, 3,
        ),
    ]  # fmt: skip


def stored_rows():
    """Every event row, as ``{model name: [field values]}`` (keys and created_at left out)."""
    rows = {}
    for kind in STORED_KINDS.values():
        fields = ("source_id", "timestamp", "frame_number", "processed", *kind.fields)
        rows[kind.name] = list(kind.model.objects.order_by("frame_number").values_list(*fields))
    return rows


@pytest.fixture
def zones(camera):
    zone = Zone.objects.create(
        camera=camera, name="wait\\ing", kind="polygon", points=[[0, 0], [1, 0], [1, 1]]
    )
    line = Zone.objects.create(camera=camera, name="door", kind="line", points=[[0, 0], [1, 1]])
    return zone, line


def test_hostile_values_round_trip_through_the_consumer(camera, zones, publisher, stream_names):
    entries = hostile_entries(*zones)
    publisher.publish_many(entries)
    runner = ConsumerRunner(EventConsumer("c1"), burst=True)  # rows encoded in its reader
    assert runner.run() == 0
    assert runner.totals.stored == len(entries)

    detection = DetectionEvent.objects.get()
    assert detection.source_id == f"event:d-{HOSTILE}"
    assert detection.detections[0]["note"] == HOSTILE
    assert detection.detections[0]["class_name"] == "car\tlorry"
    assert detection.detections[0]["bounding_box"]["width"] == 1e-05
    assert (detection.model_type, detection.model_version) == ("yolo\\v8", "8.1\n0")
    assert detection.snapshot.name == "shots\\one\ttwo.jpg"
    assert detection.timestamp == MOMENT and detection.processed is False
    motion = MotionEvent.objects.get()
    assert (motion.motion_intensity, motion.affected_area_percentage) == (1e-300, 99.99999999999999)
    plate = ANPREvent.objects.get()
    assert (plate.license_plate, plate.region, plate.confidence) == ("AB\\12\tC", "UK\r\nEU", 0.875)
    assert plate.candidates == [{"text": HOSTILE, "confidence": 0.5}]
    crossing = LineCrossingEvent.objects.get()
    assert (crossing.track_id, crossing.class_name) == (2**62, "per\\son")
    assert crossing.direction == "out"
    visit = ZoneVisitEvent.objects.get()
    assert visit.zone_name == "wait\\ing" and visit.exited is None and visit.loitered is True
    assert visit.entered == datetime(2026, 11, 20, 11, 59, 0, 500000, tzinfo=timezone.utc)
    assert (visit.dwell_seconds, visit.occupancy) == (60.5, 3)


def test_rows_encoded_ahead_equal_rows_encoded_while_storing(camera, zones):
    def incoming(ahead):
        items = []
        for index, entry in enumerate(hostile_entries(*zones)):
            event = wire.parse_entry(entry)
            source_id = f"test:{index}"
            row = copy_text.encode_row(event, source_id) if ahead else None
            items.append(IncomingEvent(str(index), source_id, event, row=row))
        return items

    store_events(incoming(ahead=True))
    ahead = stored_rows()
    for kind in STORED_KINDS.values():
        kind.model.objects.all().delete()
    store_events(incoming(ahead=False))
    assert stored_rows() == ahead
    assert sum(len(rows) for rows in ahead.values()) == 5


def test_value_text_writes_what_postgresql_reads_back():
    assert copy_text.value_text(None) == "\\N"
    assert copy_text.value_text(True) == "t" and copy_text.value_text(False) == "f"
    assert copy_text.value_text(2**63 - 1) == "9223372036854775807"
    assert copy_text.value_text(0.1) == "0.1" and copy_text.value_text(1e-300) == "1e-300"
    assert copy_text.value_text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert copy_text.value_text([{"k": 'q"\\\n'}]) == '[{"k":"q\\\\"\\\\\\\\\\\\n"}]'
    assert copy_text.value_text(MOMENT) == "2026-11-20T12:00:00.250000+00:00"
    with pytest.raises(TypeError, match="no COPY text for a value of type dict"):
        copy_text.value_text({"a": 1})


def test_every_column_of_every_kind_is_written_once():
    for name, kind in STORED_KINDS.items():
        columns = copy_text.columns(name)
        assert sorted(columns) == sorted(kind.columns), name
        assert columns[: len(copy_text.LEADING_FIELDS)] == copy_text.LEADING_FIELDS


def test_rows_are_encoded_ahead_where_they_are_copied():
    assert encodes_rows_ahead() == (connection.vendor == "postgresql")


@override_settings(USE_TZ=False, TIME_ZONE="Asia/Kolkata")
def test_rows_read_back_in_local_time_where_time_zones_are_off(camera):
    # COPY text carries the offset: the instant is right whatever the connection's zone.
    entry = wire.build_motion("cam-1", MOMENT, 1, 0.5, 10.0)
    store_events([IncomingEvent("1", "test:1", wire.parse_entry(entry))])
    motion = MotionEvent.objects.get()
    assert motion.timestamp == datetime(2026, 11, 20, 17, 30, 0, 250000)  # naive, +05:30


@override_settings(USE_TZ=False, TIME_ZONE="America/New_York")
def test_a_project_without_time_zones_consumes_detections_motion_and_plates(
    camera, zones, publisher
):
    # The consumer compared event timestamps (aware) with a naive "now" and crashed.
    entries = hostile_entries(*zones)[:3] + mixed_entries(50, cameras=3)
    publisher.publish_many(entries)
    runner = ConsumerRunner(EventConsumer("c1"), burst=True)
    assert runner.run() == 0
    assert (runner.totals.stored, runner.totals.dead_lettered) == (len(entries), 0)
    assert stored_statistics() == recount_statistics()


def test_worst_values_round_trip(camera, publisher, stream_names):
    # The earliest time the wire takes, and strings at their bounds made of escapes only.
    earliest = "0001-01-01T00:00:00.000001Z"
    escapes = "\\\t\n\r" * 256  # 1,024 characters, each one escaped in COPY text
    item = {
        "class_name": "\\" * 64,
        "confidence": 5e-324,
        "bounding_box": {"x": 0.0, "y": 1.0, "width": 1e-05, "height": 0.5},
        "note": escapes,
    }
    publisher.publish_many(
        [
            wire.build_detection("cam-1", earliest, 2**63 - 1, [item], "\\" * 64, "\t" * 64),
            wire.build_anpr("cam-1", earliest, 0, "\\\t\n\r" * 8, 1.0, region="\\N" * 32),
        ]
    )
    runner = ConsumerRunner(EventConsumer("c1"), burst=True)
    assert runner.run() == 0
    assert (runner.totals.stored, runner.totals.dead_lettered) == (2, 0)
    moment = datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc)
    detection = DetectionEvent.objects.get()
    assert (detection.timestamp, detection.frame_number) == (moment, 2**63 - 1)
    assert detection.detections == [item]
    assert (detection.model_type, detection.model_version) == ("\\" * 64, "\t" * 64)
    plate = ANPREvent.objects.get()
    assert (plate.license_plate, plate.region) == ("\\\t\n\r" * 8, "\\N" * 32)
    assert stored_statistics() == recount_statistics()
