"""Entries no batch can be failed by: bounds, exceptions while storing, clocks running ahead."""

import dataclasses
import sys
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection
from django.utils import timezone as django_timezone

from django_video_analytics.events import wire
from django_video_analytics.events.kinds import STORED_KINDS
from django_video_analytics.models import Camera, DetectionEvent, MotionEvent

from .entries import (
    SEED_DETECTION,
    mixed_entries,
    recount_statistics,
    stored_row_count,
    stored_statistics,
)

pytestmark = pytest.mark.django_db(transaction=True)

MOMENT = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def deep_detection(depth=980, frame_number=4242):
    """The 2 KB detection that crashed COPY: an item holding an array nested ``depth`` deep."""
    entry = wire.build_detection("cam-1", MOMENT, frame_number, [], "yolov8n", "8.1.0")
    item = SEED_DETECTION["detections"][0]
    text = wire.dumps(item)[:-1] + ',"path":' + "[" * depth + "]" * depth + "}"
    return {"data": entry["data"].replace('"detections":[]', f'"detections":[{text}]')}


def batch_of_201(publisher, poisoned):
    entries = mixed_entries(200, cameras=4)
    entries.insert(100, poisoned)
    publisher.publish_many(entries)


def test_depth_980_entry_in_a_batch_of_201_is_dead_lettered_alone(
    publisher, make_consumer, dead_letters, pending
):
    batch_of_201(publisher, deep_detection())
    result = make_consumer(batch_size=500).drain()
    assert (result.read, result.stored, result.dead_lettered) == (201, 200, 1)
    (letter,) = dead_letters.list()
    assert "'detections[0].path" in letter.reason
    assert "is nested more than 16 levels deep" in letter.reason
    assert stored_row_count() == 200 and pending() == 0
    assert stored_statistics() == recount_statistics()


def test_any_exception_while_storing_one_entry_stores_the_rest(
    publisher, make_consumer, dead_letters, pending, monkeypatch
):
    # An entry the wire format accepts but whose row cannot be written: the exception is
    # raised while its row is encoded (ahead, then again while its batch is written).
    motion = STORED_KINDS["motion"]

    def poisoned(event, db_datetime):
        if event.frame_number == 4242:
            raise RecursionError("maximum recursion depth exceeded while encoding a JSON object")
        return motion.values(event, db_datetime)

    monkeypatch.setitem(STORED_KINDS, "motion", dataclasses.replace(motion, values=poisoned))
    batch_of_201(publisher, wire.build_motion("cam-1", MOMENT, 4242, 0.5, 10.0))
    result = make_consumer(batch_size=500).drain()
    assert (result.read, result.stored, result.dead_lettered) == (201, 200, 1)
    (letter,) = dead_letters.list()
    assert letter.reason.startswith("storing the entry failed: RecursionError: maximum")
    assert '"frame_number":4242' in letter.original["data"].decode()
    assert stored_row_count() == 200 and pending() == 0
    assert stored_statistics() == recount_statistics()


def test_entry_beyond_the_json_encoder_fails_alone(
    publisher, make_consumer, dead_letters, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    # With the depth bound lifted, the depth-980 entry reaches the encoding of its COPY row.
    monkeypatch.setattr(wire, "MAX_DEPTH", 2000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)
    try:
        batch_of_201(publisher, deep_detection())
        result = make_consumer(batch_size=500).drain()
    finally:
        sys.setrecursionlimit(limit)
    assert (result.stored, result.dead_lettered) == (200, 1)
    (letter,) = dead_letters.list()
    assert letter.reason.startswith("storing the entry failed:")
    assert DetectionEvent.objects.filter(frame_number=4242).count() == 0
    assert stored_statistics() == recount_statistics()


@pytest.fixture
def refused_frame():
    """The database refuses motion rows of frame 4242 (inside COPY on PostgreSQL)."""
    table = connection.ops.quote_name(MotionEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT refused_frame CHECK (frame_number <> 4242)"
            )
            undo = f"ALTER TABLE {table} DROP CONSTRAINT refused_frame"
        else:
            cursor.execute(
                f"CREATE TRIGGER refused_frame BEFORE INSERT ON {table} "
                "WHEN NEW.frame_number = 4242 BEGIN SELECT RAISE(ABORT, 'refused frame'); END"
            )
            undo = "DROP TRIGGER refused_frame"
    yield
    with connection.cursor() as cursor:
        cursor.execute(undo)


def test_an_entry_the_database_refuses_is_dead_lettered_alone(
    refused_frame, publisher, make_consumer, dead_letters, pending
):
    batch_of_201(publisher, wire.build_motion("cam-1", MOMENT, 4242, 0.5, 10.0))
    result = make_consumer(batch_size=500).drain()
    assert (result.read, result.stored, result.dead_lettered) == (201, 200, 1)
    (letter,) = dead_letters.list()
    assert letter.reason.startswith("the database refused the entry:")
    assert '"frame_number":4242' in letter.original["data"].decode()
    assert stored_row_count() == 200 and pending() == 0
    assert stored_statistics() == recount_statistics()


def test_timestamps_far_in_the_future_are_dead_lettered(
    redis_client, stream_names, publisher, make_consumer, dead_letters
):
    now = django_timezone.now()
    publisher.publish_many(
        [
            wire.build_motion("cam-1", "9999-12-31T23:59:59Z", 1, 0.5, 10.0),
            wire.build_motion("cam-1", now + timedelta(seconds=301), 2, 0.5, 10.0),
            wire.build_motion("cam-1", now + timedelta(seconds=120), 3, 0.5, 10.0),  # skew
            wire.build_motion("cam-1", MOMENT, 4, 0.5, 10.0),
        ]
    )
    result = make_consumer().drain()
    assert (result.stored, result.dead_lettered) == (2, 2)
    first, second = dead_letters.list()
    assert first.reason == (
        "'timestamp' 9999-12-31T23:59:59+00:00 is more than 300 s in the future "
        "(MAX_FUTURE_SKEW_SECONDS)"
    )
    assert "is more than 300 s in the future" in second.reason
    # The event within the skew is stored, but never dates its camera ahead of the clock.
    camera = Camera.objects.get()
    assert now <= camera.last_active_at <= django_timezone.now()


def test_future_skew_is_a_setting(settings, stream_names, publisher, make_consumer, dead_letters):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "MAX_FUTURE_SKEW_SECONDS": 3600}
    now = django_timezone.now()
    publisher.publish_many(
        [
            wire.build_motion("cam-1", now + timedelta(minutes=30), 1, 0.5, 10.0),
            wire.build_motion("cam-1", now + timedelta(minutes=90), 2, 0.5, 10.0),
        ]
    )
    result = make_consumer().drain()
    assert (result.stored, result.dead_lettered) == (1, 1)
    assert "more than 3600 s in the future" in dead_letters.list()[0].reason


def test_timestamps_without_offset_are_read_as_utc(redis_client, stream_names, make_consumer):
    entry = wire.build_motion("cam-1", "2026-11-20T12:00:01", 1, 0.5, 10.0)
    redis_client.xadd(stream_names["STREAM_NAME"], entry)
    assert make_consumer().drain().stored == 1
    stored = Camera.objects.get().motionevents.get().timestamp
    assert stored == datetime(2026, 11, 20, 12, 0, 1, tzinfo=timezone.utc)
