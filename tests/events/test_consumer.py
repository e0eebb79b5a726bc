"""The consumer on the real Redis and database of the test settings."""

import json
import time
from datetime import date, datetime, timezone

import pytest
from django.db import OperationalError, connection, transaction

from django_video_analytics.events import wire
from django_video_analytics.events.runner import ConsumerRunner
from django_video_analytics.models import (
    ANPREvent,
    Camera,
    DetectionEvent,
    EventStatistics,
    MotionEvent,
    SignalOutbox,
)
from django_video_analytics.signals import events_stored

from .entries import (
    SEED_ANPR,
    SEED_DETECTION,
    SEED_MOTION,
    mixed_entries,
    recount_statistics,
    seed_entry,
    stored_row_count,
    stored_statistics,
)

pytestmark = pytest.mark.django_db(transaction=True)

MOMENT = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def add(redis_client, stream_names, *entries):
    return [redis_client.xadd(stream_names["STREAM_NAME"], entry).decode() for entry in entries]


def test_seed_entries_are_stored_with_every_field(
    redis_client, stream_names, make_consumer, pending
):
    ids = add(
        redis_client,
        stream_names,
        seed_entry(SEED_DETECTION),
        seed_entry(SEED_MOTION),
        seed_entry(SEED_ANPR),
    )
    result = make_consumer().drain()
    assert result.as_dict() == {
        "read": 3,
        "stored": 3,
        "duplicates": 0,
        "dead_lettered": 0,
        "counts": {"detection": 1, "motion": 1, "anpr": 1},
    }
    stream = stream_names["STREAM_NAME"]

    detection = DetectionEvent.objects.get()
    assert detection.camera.camera_id == "cam-1"
    assert detection.timestamp == datetime(2026, 11, 20, 12, 0, 0, 250000, tzinfo=timezone.utc)
    assert detection.frame_number == 1200
    assert detection.detections == SEED_DETECTION["detections"]
    assert detection.detection_count == 2
    assert (detection.model_type, detection.model_version) == ("yolov8n", "8.1.0")
    assert detection.source_id == f"{stream}:{ids[0]}"
    assert detection.processed is False and not detection.snapshot

    motion = MotionEvent.objects.get()
    assert (motion.camera.camera_id, motion.frame_number) == ("cam-1", 1225)
    assert motion.timestamp == datetime(2026, 11, 20, 12, 0, 1, tzinfo=timezone.utc)
    assert (motion.motion_intensity, motion.affected_area_percentage) == (0.37, 12.5)
    assert motion.source_id == f"{stream}:{ids[1]}"

    plate = ANPREvent.objects.get()
    assert (plate.camera.camera_id, plate.frame_number) == ("cam-2", 1250)
    assert (plate.license_plate, plate.confidence, plate.region) == ("AB12CDE", 0.88, None)
    assert plate.candidates == [] and plate.source_id == f"{stream}:{ids[2]}"

    # Unknown cameras are created inactive (UNKNOWN_CAMERA_POLICY "create").
    cam1 = Camera.objects.get(camera_id="cam-1")
    assert (cam1.name, cam1.status, cam1.enabled) == ("cam-1", "inactive", False)
    assert cam1.last_active_at == motion.timestamp  # the newest of its events

    stats = {(s.camera.camera_id, s.date): s for s in EventStatistics.objects.all()}
    day = date(2026, 11, 20)
    assert set(stats) == {("cam-1", day), ("cam-2", day)}
    one = stats["cam-1", day]
    assert (one.detection_count, one.motion_count, one.anpr_count) == (1, 1, 0)
    assert (one.person_count, one.car_count, one.truck_count, one.other_count) == (1, 1, 0, 0)
    assert stats["cam-2", day].anpr_count == 1
    assert pending() == 0


def test_optional_keys_a_producer_adds_are_stored(publisher, make_consumer):
    publisher.publish_many(
        [
            wire.build_anpr(
                "cam-1",
                MOMENT,
                3,
                "AB12CDE",
                0.93,
                region="GB",
                event_id="plate-1",
                snapshot="video_analytics/plates/plate-1.jpg",
                candidates=[{"text": "AB12CDE", "confidence": 0.9}],
                track_id=4,
            ),
            wire.build_detection("cam-1", MOMENT, 3, [], "yolov8n", "8.1.0", snapshot="s/1.jpg"),
        ]
    )
    make_consumer().drain()
    plate = ANPREvent.objects.get()
    assert plate.source_id == "event:plate-1"
    assert plate.snapshot.name == "video_analytics/plates/plate-1.jpg"
    assert plate.candidates == [{"text": "AB12CDE", "confidence": 0.9}]
    assert plate.region == "GB"
    assert DetectionEvent.objects.get().snapshot.name == "s/1.jpg"


def test_redelivered_and_republished_entries_are_stored_once(
    redis_client, stream_names, publisher, make_consumer
):
    entries = mixed_entries(40)
    entries.append(wire.build_motion("cam-1", MOMENT, 1, 0.5, 10.0, event_id="same"))
    entries.append(wire.build_motion("cam-1", MOMENT, 1, 0.5, 10.0, event_id="same"))
    publisher.publish_many(entries)
    consumer = make_consumer()
    batch = consumer.read_batch()
    first = consumer.handle(batch)
    assert (first.stored, first.duplicates) == (41, 1)
    before = stored_statistics()

    again = consumer.handle(batch)  # as after a crash between commit and ack
    assert (again.stored, again.duplicates) == (0, 42)
    publisher.publish(wire.build_motion("cam-1", MOMENT, 1, 0.5, 10.0, event_id="same"))
    assert consumer.drain().duplicates == 1

    assert stored_row_count() == 41
    assert stored_statistics() == before == recount_statistics()


def test_statistics_are_per_camera_and_utc_date(publisher, make_consumer):
    publisher.publish_many(mixed_entries(300, cameras=3))  # spans midnight UTC
    make_consumer(batch_size=64).drain()
    stats = stored_statistics()
    assert {day for _camera, day in stats} == {date(2026, 11, 20), date(2026, 11, 21)}
    assert stats == recount_statistics()
    assert stored_row_count() == 300


def test_last_active_at_never_goes_back(publisher, make_consumer):
    later = datetime(2026, 11, 20, 13, 0, tzinfo=timezone.utc)
    publisher.publish(wire.build_motion("cam-1", later, 1, 0.5, 10.0))
    make_consumer().drain()
    publisher.publish(wire.build_motion("cam-1", MOMENT, 2, 0.5, 10.0))
    make_consumer().drain()
    assert Camera.objects.get().last_active_at == later


def test_malformed_entries_are_dead_lettered_between_good_ones(
    redis_client, stream_names, make_consumer, dead_letters, pending
):
    missing = {k: v for k, v in SEED_MOTION.items() if k != "timestamp"}
    bad = [
        ({"data": "{not json"}, "data is not valid JSON"),
        ({"data": json.dumps(missing)}, "missing key 'timestamp'"),
        (seed_entry({**SEED_MOTION, "frame_number": "7"}), "'frame_number' must be an integer"),
        ({"data": "x" * 1024 * 1024}, "entry is 1048576 bytes, more than the 65536 allowed"),
        (seed_entry({**SEED_MOTION, "event_type": "audio"}), "unknown event_type 'audio'"),
        ({"payload": "no data field"}, "entry has no 'data' field"),
    ]
    good = [seed_entry(SEED_DETECTION), seed_entry(SEED_MOTION), seed_entry(SEED_ANPR)]
    stream = []
    for index, (entry, _reason) in enumerate(bad):
        stream += [entry, good[index % 3]]
    ids = add(redis_client, stream_names, *stream)

    result = make_consumer(batch_size=4).drain()

    assert (result.read, result.stored, result.duplicates) == (12, 6, 0)
    assert result.dead_lettered == 6
    assert stored_row_count() == 6
    letters = dead_letters.list(count=100)
    assert [letter.source_id for letter in letters] == ids[0::2]
    for letter, (entry, reason) in zip(letters, bad, strict=True):
        assert reason in letter.reason
        assert letter.source_stream == stream_names["STREAM_NAME"]
        original = {key: value.decode() for key, value in letter.original.items()}
        assert original == entry  # kept whole, even the 1 MB one
    assert pending() == 0


def test_database_error_mid_batch_acks_nothing_and_retry_stores_the_batch(
    publisher, make_consumer, pending, redis_client, stream_names
):
    publisher.publish_many(mixed_entries(50))
    consumer = make_consumer()
    batch = consumer.read_batch()
    failures = []

    def fail_statistics(execute, sql, params, many, context):
        # After the event rows are inserted: the middle of the batch's transaction.
        if "video_analytics_eventstatistics" in sql and sql.startswith("INSERT"):
            failures.append(sql)
            raise OperationalError("connection lost (injected)")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_statistics):
        with pytest.raises(OperationalError):
            consumer.handle(batch)
    assert failures
    assert stored_row_count() == 0 and EventStatistics.objects.count() == 0
    assert Camera.objects.count() == 0  # the camera creation was rolled back too
    assert pending() == 50  # nothing acknowledged

    # A restarted consumer of the same name re-reads its pending entries first.
    result = make_consumer().drain()
    assert (result.read, result.stored) == (50, 50)
    assert pending() == 0
    assert stored_statistics() == recount_statistics()


def test_runner_retries_a_failed_batch_from_memory(publisher, make_consumer, pending, caplog):
    publisher.publish_many(mixed_entries(30))
    calls = []

    def fail_once(execute, sql, params, many, context):
        if sql.startswith("INSERT") and "video_analytics_eventstatistics" in sql and not calls:
            calls.append(sql)
            raise OperationalError("server closed the connection unexpectedly (injected)")
        return execute(sql, params, many, context)

    consumer = make_consumer()
    runner = ConsumerRunner(consumer, burst=True, backoff_max=0.05)
    with connection.execute_wrapper(fail_once), caplog.at_level("WARNING"):
        assert runner.run() == 0
    assert calls and stored_row_count() == 30 and pending() == 0
    assert "The database is unavailable (OperationalError" in caplog.text
    assert "The database is available again" in caplog.text
    assert runner.totals.read == 30  # retried from memory: read once, not redelivered


@pytest.fixture
def plate_rule():
    """A rule of the database itself that refuses the plate REFUSED1."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE video_analytics_anprevent ADD CONSTRAINT test_refused "
                "CHECK (license_plate <> 'REFUSED1')"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refused BEFORE INSERT ON video_analytics_anprevent "
                "WHEN NEW.license_plate = 'REFUSED1' "
                "BEGIN SELECT RAISE(ABORT, 'plate refused'); END"
            )
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE video_analytics_anprevent DROP CONSTRAINT test_refused")
        else:
            cursor.execute("DROP TRIGGER test_refused")


def test_entry_the_database_refuses_is_isolated_and_dead_lettered(
    publisher, make_consumer, dead_letters, plate_rule
):
    entries = mixed_entries(20)
    entries.insert(7, wire.build_anpr("cam-1", MOMENT, 1, "REFUSED1", 0.9))
    publisher.publish_many(entries)
    result = make_consumer().drain()
    assert (result.stored, result.dead_lettered) == (20, 1)
    (letter,) = dead_letters.list()
    assert letter.reason.startswith("the database refused the entry:")
    assert "REFUSED1" in letter.original["data"].decode()
    assert stored_statistics() == recount_statistics()


def test_entries_delivered_too_often_are_dead_lettered(
    redis_client, stream_names, publisher, make_consumer, dead_letters, pending
):
    publisher.publish_many(mixed_entries(3))
    stream, group = stream_names["STREAM_NAME"], stream_names["CONSUMER_GROUP"]
    consumer = make_consumer("crashing", max_deliveries=3)
    consumer.read_batch()  # delivery 1, then the process "dies" each time it re-reads
    for _ in range(3):
        redis_client.xreadgroup(group, "crashing", {stream: "0"})
    result = make_consumer("crashing", max_deliveries=3).drain()
    assert (result.stored, result.dead_lettered) == (0, 3)
    letters = dead_letters.list()
    assert all(letter.deliveries == 5 for letter in letters)
    assert "delivered 5 times, more than CONSUMER_MAX_DELIVERIES (3)" in letters[0].reason
    assert pending() == 0


def test_idle_entries_of_a_dead_consumer_are_claimed(publisher, make_consumer, pending):
    publisher.publish_many(mixed_entries(25))
    make_consumer("dead").read_batch(count=10)  # read, never acknowledged

    patient = make_consumer("patient", claim_idle_ms=60_000).drain()
    assert (patient.read, pending()) == (15, 10)  # the 10 are not idle long enough

    time.sleep(0.1)
    claimer = make_consumer("claimer", claim_idle_ms=50)
    result = claimer.drain()
    assert (result.read, result.stored) == (10, 10)
    assert pending() == 0 and stored_row_count() == 25


def test_trimmed_pending_entry_is_dead_lettered(
    redis_client, stream_names, publisher, make_consumer, dead_letters, pending
):
    ids = publisher.publish_many(mixed_entries(3))
    make_consumer("slow").read_batch()
    redis_client.xdel(stream_names["STREAM_NAME"], ids[1])  # trimmed by MAXLEN meanwhile
    result = make_consumer("slow").drain()
    assert (result.stored, result.dead_lettered) == (2, 1)
    (letter,) = dead_letters.list()
    assert letter.source_id == ids[1] and letter.original == {}
    assert "trimmed" in letter.reason
    assert pending() == 0


def test_unknown_camera_policy_dead_letter(settings, stream_names, publisher, make_consumer,
                                           dead_letters):  # fmt: skip
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "UNKNOWN_CAMERA_POLICY": "dead_letter"}
    Camera.objects.create(camera_id="known", name="Known")
    publisher.publish_many(
        [
            wire.build_motion("known", MOMENT, 1, 0.5, 10.0),
            wire.build_motion("stranger", MOMENT, 2, 0.5, 10.0),
        ]
    )
    result = make_consumer().drain()
    assert (result.stored, result.dead_lettered) == (1, 1)
    assert list(Camera.objects.values_list("camera_id", flat=True)) == ["known"]
    (letter,) = dead_letters.list()
    assert "unknown camera 'stranger'" in letter.reason


def test_signal_is_sent_after_commit_and_ack_in_a_transaction_of_its_own(
    publisher, make_consumer, pending
):
    received = []

    def receiver(sender, camera_ids, counts, events, **kwargs):
        received.append(
            {
                "camera_ids": camera_ids,
                "counts": counts,
                "events": events,
                "in_transaction": transaction.get_connection().in_atomic_block,
                "pending": pending(),
            }
        )

    def broken_receiver(sender, **kwargs):
        raise RuntimeError("a host's receiver failed")

    publisher.publish_many(
        [
            wire.build_motion("cam-a", MOMENT, 1, 0.5, 10.0),
            wire.build_anpr("cam-b", MOMENT, 2, "AB12CDE", 0.9),
        ]
    )
    events_stored.connect(receiver)
    events_stored.connect(broken_receiver)
    try:
        result = make_consumer().drain()
        make_consumer().drain()  # nothing new: no signal
    finally:
        events_stored.disconnect(receiver)
        events_stored.disconnect(broken_receiver)
    assert result.stored == 2  # a failing receiver does not fail the consumer
    (sent,) = received
    assert sent["camera_ids"] == {"cam-a", "cam-b"}
    assert sent["counts"] == {"motion": 1, "anpr": 1}
    # Inside the transaction that records the delivery (the outbox row is deleted with it).
    assert sent["in_transaction"] is True and sent["pending"] == 0
    assert not SignalOutbox.objects.exists()
    assert sorted(type(event).__name__ for event in sent["events"]) == ["ANPREvent", "MotionEvent"]
    assert all(event.pk for event in sent["events"])


def test_handle_refuses_to_run_inside_a_transaction(publisher, make_consumer):
    publisher.publish(wire.build_motion("cam-1", MOMENT, 1, 0.5, 10.0))
    consumer = make_consumer()
    batch = consumer.read_batch()
    with transaction.atomic(), pytest.raises(RuntimeError, match="inside transaction.atomic"):
        consumer.handle(batch)


def test_leave_group_only_without_pending_entries(
    redis_client, stream_names, publisher, make_consumer
):
    publisher.publish_many(mixed_entries(2))
    busy = make_consumer("busy")
    busy.read_batch()
    assert busy.leave_group() is False
    done = make_consumer("done")
    done.drain()
    assert done.leave_group() is True
    names = {
        info["name"].decode()
        for info in redis_client.xinfo_consumers(
            stream_names["STREAM_NAME"], stream_names["CONSUMER_GROUP"]
        )
    }
    assert names == {"busy"}


def test_entries_of_a_consumer_whose_liveness_key_is_gone_are_claimed_at_once(
    redis_client, stream_names, publisher, make_consumer, pending
):
    publisher.publish_many(mixed_entries(25))
    make_consumer("elsewhere").read_batch(count=10)  # read, never acknowledged
    key = f"{stream_names['STREAM_NAME']}:consumers:{stream_names['CONSUMER_GROUP']}:elsewhere"
    redis_client.set(key, "another-host 1", ex=30)  # alive on another host: wait for it

    patient = make_consumer("patient", claim_idle_ms=60_000).drain()
    assert (patient.read, pending()) == (15, 10)

    redis_client.delete(key)  # its key expired: it is gone
    result = make_consumer("claimer", claim_idle_ms=60_000).drain()
    assert (result.read, result.stored) == (10, 10)
    assert pending() == 0 and stored_row_count() == 25


def test_a_running_consumer_claims_a_gone_consumers_entries_within_a_liveness_refresh(
    redis_client, stream_names, publisher, make_consumer, pending
):
    publisher.publish_many(mixed_entries(25))
    make_consumer("victim").read_batch(count=10)  # read, never acknowledged
    key = f"{stream_names['STREAM_NAME']}:consumers:{stream_names['CONSUMER_GROUP']}:victim"
    redis_client.set(key, "another-host 1", ex=30)

    # Long since started: its idle claims are 60 s apart, its liveness checks 0.1 s.
    survivor = make_consumer("survivor", claim_idle_ms=60_000, liveness_ttl_seconds=1)
    assert survivor.drain().read == 15
    redis_client.delete(key)  # the victim's key expired: it is gone
    time.sleep(0.2)
    result = survivor.drain()
    assert (result.read, result.stored) == (10, 10)
    assert pending() == 0 and stored_row_count() == 25
