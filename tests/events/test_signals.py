"""``events_stored`` reaches its receivers exactly once per stored event: crashes, drops."""

import signal
from collections import Counter

import pytest
from django.db import OperationalError, connection

from django_video_analytics.events import wire
from django_video_analytics.models import (
    ANPREvent,
    DetectionEvent,
    MotionEvent,
    PlateAlert,
    SignalOutbox,
    WatchlistEntry,
)
from django_video_analytics.signals import events_stored

from .entries import T0, mixed_entries, stored_row_count
from .processes import SIGNAL_CALLS_TABLE, count_signal_calls, start_consumer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signal_calls():
    """``signal_calls()``: Counter of event key -> receiver calls committed for it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {SIGNAL_CALLS_TABLE} (event_key varchar(80) NOT NULL)")
    events_stored.connect(count_signal_calls)

    def calls():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT event_key FROM {SIGNAL_CALLS_TABLE}")
            return Counter(key for (key,) in cursor.fetchall())

    yield calls
    events_stored.disconnect(count_signal_calls)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {SIGNAL_CALLS_TABLE}")


def stored_event_keys():
    return {
        f"{model.__name__}:{pk}"
        for model in (DetectionEvent, MotionEvent, ANPREvent)
        for pk in model.objects.values_list("pk", flat=True)
    }


def assert_each_stored_event_signalled_once(calls, total):
    counted = calls()
    assert stored_row_count() == total
    assert set(counted) == stored_event_keys()
    assert set(counted.values()) == {1}
    assert not SignalOutbox.objects.exists()


def test_consumer_killed_between_commit_and_signal(
    publisher, stream_names, signal_calls, make_consumer, pending, tmp_path
):
    total = 600
    publisher.publish_many(mixed_entries(total, cameras=4))
    log = tmp_path / "victim.log"
    victim = start_consumer(
        "--burst",
        "--consumer-name",
        "victim",
        overrides={**stream_names, "CONSUMER_BATCH_SIZE": 100},
        log_path=log,
        slow_statistics_ms=300,  # full batches 0.3 s apart: signalled in groups of ~1 s
        environment={"DVA_TEST_KILL_AT_DELIVERY": "2", "DVA_TEST_COUNT_SIGNALS": "1"},
    )
    try:
        assert victim.wait(120) == -signal.SIGKILL, log.read_text()
    finally:
        victim.kill()
    # The first group was signalled; the batches of the second are committed and
    # acknowledged, but unsignalled.
    signalled = sum(signal_calls().values())
    assert 0 < signalled < stored_row_count()
    assert SignalOutbox.objects.exists()

    # Any consumer delivers the leftover on start (and claims nothing twice).
    make_consumer("successor").drain()
    assert_each_stored_event_signalled_once(signal_calls, total)
    assert pending() == 0


class Drop:
    """An execute wrapper raising OperationalError on the n-th statement matching ``needle``."""

    def __init__(self, needle, at=1):
        self.needle, self.at, self.seen = needle, at, 0

    def __call__(self, execute, sql, params, many, context):
        if self.needle in sql:
            self.seen += 1
            if self.seen == self.at:
                raise OperationalError("server closed the connection unexpectedly (injected)")
        return execute(sql, params, many, context)


@pytest.mark.parametrize(
    "drop",
    [
        'DELETE FROM "video_analytics_signaloutbox"',  # claiming the outbox row
        f"INSERT INTO {SIGNAL_CALLS_TABLE}",  # inside a receiver, after others ran
    ],
    ids=["claim", "receiver"],
)
def test_connection_drop_after_commit_still_signals_each_event_once(
    drop, publisher, make_consumer, signal_calls, caplog
):
    calls_of_first = Counter()

    def first_receiver(sender, events, **kwargs):
        # Writes, then the next receiver's connection drops: the write is undone with it.
        calls_of_first.update(f"{type(event).__name__}:{event.pk}" for event in events)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {SIGNAL_CALLS_TABLE} (event_key) VALUES ('first')")

    events_stored.connect(first_receiver)  # connected after count_signal_calls: runs later
    events_stored.disconnect(count_signal_calls)
    events_stored.connect(count_signal_calls)
    publisher.publish_many(mixed_entries(300))
    consumer = make_consumer(batch_size=120)  # 120 + 120 + 60: signalled together
    try:
        with connection.execute_wrapper(Drop(drop, at=1)):
            result = consumer.drain()
        # The last read of the drain delivered what the failure left.
        assert "Sending events_stored failed" in caplog.text
    finally:
        events_stored.disconnect(first_receiver)
    assert result.stored == 300
    counted = signal_calls()
    assert counted.pop("first") >= 1  # one committed call per delivery
    assert set(counted.values()) == {1} and set(counted) == stored_event_keys()
    assert not SignalOutbox.objects.exists()
    if drop.startswith("INSERT"):
        assert max(calls_of_first.values()) == 2  # called again after the rollback


def test_a_failing_receiver_keeps_the_others_work_and_is_not_retried(
    publisher, make_consumer, signal_calls
):
    called = []

    def broken(sender, events, **kwargs):
        called.append(len(events))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {SIGNAL_CALLS_TABLE} (event_key) VALUES ('broken')")
        raise RuntimeError("a host's receiver failed")

    events_stored.connect(broken)
    publisher.publish_many(mixed_entries(50))
    try:
        result = make_consumer().drain()
        make_consumer().drain()
    finally:
        events_stored.disconnect(broken)
    assert result.stored == 50 and called == [50]
    counted = signal_calls()
    assert "broken" not in counted  # its savepoint was rolled back
    assert set(counted.values()) == {1} and len(counted) == 50


def test_watchlist_alerts_survive_a_connection_drop_in_their_receiver(
    settings, publisher, make_consumer
):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "WEBHOOK_DELIVERY": "thread"}
    WatchlistEntry.objects.create(plate="AB12CDE", max_distance=0)
    publisher.publish_many(
        [wire.build_anpr("gate", T0, index, "AB12CDE", 0.9) for index in range(40)]
    )
    with connection.execute_wrapper(Drop("video_analytics_platealert", at=1)):
        result = make_consumer(batch_size=10).drain()
    assert result.stored == 40
    make_consumer().drain()  # a consumer delivers what is left when it starts
    assert PlateAlert.objects.count() == 40
    assert not SignalOutbox.objects.exists()


def test_leftover_of_another_consumer_is_delivered_by_the_next_start(
    publisher, make_consumer, signal_calls
):
    publisher.publish_many(mixed_entries(20))
    with connection.execute_wrapper(Drop('DELETE FROM "video_analytics_signaloutbox"', at=1)):
        consumer = make_consumer("first")
        batch = consumer.read_batch()
        consumer.handle(batch)  # stored and acknowledged; its signal failed
    assert SignalOutbox.objects.count() == 1 and not signal_calls()
    make_consumer("second").read_batch()  # nothing to read; delivers the leftover first
    assert len(signal_calls()) == 20 and not SignalOutbox.objects.exists()
