"""Consumer processes that are killed, run side by side, or lose their Redis."""

import re
import signal
import time

import pytest
import redis

from django_video_analytics.events.dead_letters import DeadLetterStream
from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.models import ANPREvent, DetectionEvent, MotionEvent

from .entries import mixed_entries, recount_statistics, stored_row_count, stored_statistics
from .processes import RedisServer, start_consumer, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TOTALS = re.compile(r"Stopped after [\d.]+ s: (\d+) read, (\d+) stored, (\d+) duplicates")


def options(stream_names, **extra):
    return {
        **stream_names,
        "CONSUMER_BATCH_SIZE": 20,
        "CONSUMER_BLOCK_MS": 100,
        "RECONNECT_BACKOFF_MAX_SECONDS": 0.5,
        **extra,
    }


def distinct_source_ids():
    return sum(
        model.objects.values("source_id").distinct().count()
        for model in (DetectionEvent, MotionEvent, ANPREvent)
    )


def assert_stored_exactly_once(total):
    assert stored_row_count() == distinct_source_ids() == total
    assert stored_statistics() == recount_statistics()


@pytest.mark.parametrize("restart_as", ["victim", "successor"])
def test_consumer_killed_mid_batch_and_restarted_stores_every_entry_once(
    restart_as, publisher, pending, stream_names, tmp_path
):
    total = 1000
    publisher.publish_many(mixed_entries(total, cameras=4))
    log = tmp_path / "consumer.log"
    victim = start_consumer(
        "--burst",
        "--consumer-name",
        "victim",
        overrides=options(stream_names),
        log_path=log,
        slow_statistics_ms=300,  # each batch spends 0.3 s inside its transaction
    )
    try:
        wait_for(lambda: stored_row_count() >= 100 and pending() > 0, message="a batch in flight")
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(10) == -signal.SIGKILL
    finally:
        victim.kill()
    assert 0 < stored_row_count() < total
    assert pending() > 0  # the batch that was in flight: delivered, never acknowledged

    # The same name re-reads its pending entries at once; another name claims them once
    # they have been idle for CONSUMER_CLAIM_IDLE_MS.
    restarted = start_consumer(
        "--burst",
        "--consumer-name",
        restart_as,
        overrides=options(stream_names, CONSUMER_CLAIM_IDLE_MS=200),
        log_path=log,
    )
    assert restarted.wait(120) == 0, log.read_text()
    assert_stored_exactly_once(total)
    assert pending() == 0
    assert DeadLetterStream().count() == 0


@pytest.mark.parametrize(
    "claim_idle_ms",
    [
        60_000,  # the group splits the entries
        1,  # each consumer also claims the other's in-flight entries: constant overlap
    ],
)
def test_two_consumers_on_one_group_store_every_entry_once(
    claim_idle_ms, publisher, pending, stream_names, tmp_path
):
    total = 2000
    publisher.publish_many(mixed_entries(total, cameras=6))
    settings = options(
        stream_names, CONSUMER_CLAIM_IDLE_MS=claim_idle_ms, CONSUMER_MAX_DELIVERIES=10_000
    )
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    # Both start consuming together (the barrier), then 100 batches of at least 50 ms:
    # neither can drain the stream before the other reads.
    consumers = [
        start_consumer(
            "--burst", "--consumer-name", name, overrides=settings, log_path=log,
            slow_statistics_ms=50, environment={"DVA_TEST_START_BARRIER": f"{barrier}:2"},
        )
        for name, log in zip(("a", "b"), logs, strict=True)
    ]  # fmt: skip
    try:
        for consumer, log in zip(consumers, logs, strict=True):
            assert consumer.wait(180) == 0, log.read_text()
    finally:
        for consumer in consumers:
            consumer.kill()
    assert_stored_exactly_once(total)
    assert pending() == 0
    totals = [tuple(map(int, TOTALS.search(log.read_text()).groups())) for log in logs]
    # Both took part.
    assert all(read > 0 for read, _stored, _duplicates in totals), [
        log.read_text()[-3000:] for log in logs
    ]
    assert sum(stored for _read, stored, _duplicates in totals) == total


def test_redis_restart_during_consumption_loses_nothing(stream_names, tmp_path):
    server = RedisServer()
    server.start()
    client = redis.Redis.from_url(server.url)
    stream, group = stream_names["STREAM_NAME"], stream_names["CONSUMER_GROUP"]
    publisher = EventPublisher(redis_client=client, stream_name=stream)
    log = tmp_path / "consumer.log"
    consumer = None
    try:
        entries = mixed_entries(1500, cameras=4)
        publisher.publish_many(entries[:1000])
        consumer = start_consumer(
            "--consumer-name",
            "survivor",
            overrides=options(stream_names, REDIS_URL=server.url),
            log_path=log,
            slow_statistics_ms=50,
        )
        wait_for(lambda: stored_row_count() >= 100, message="consumption to start")

        server.kill()
        wait_for(lambda: "Redis is unavailable" in log.read_text(), message="the outage")
        server.start()  # replays its append-only file
        publisher.publish_many(entries[1000:])

        wait_for(lambda: stored_row_count() >= 1500, timeout=120, message="every entry")
        wait_for(lambda: client.xpending(stream, group)["pending"] == 0, message="the acks")
        consumer.send_signal(signal.SIGTERM)
        assert consumer.wait(30) == 0
    finally:
        if consumer is not None:
            consumer.kill()
        client.close()
        server.stop()
    output = log.read_text()
    assert "Redis is available again" in output
    assert_stored_exactly_once(1500)
    assert "Dead-lettered" not in output


def test_burst_consumer_right_after_a_kill_claims_the_dead_consumers_entries_at_once(
    publisher, pending, stream_names, redis_client, tmp_path
):
    total = 600
    publisher.publish_many(mixed_entries(total, cameras=4))
    log = tmp_path / "consumer.log"
    victim = start_consumer(
        "--consumer-name",
        "victim",
        overrides=options(stream_names),
        log_path=log,
        slow_statistics_ms=300,
    )
    try:
        wait_for(lambda: stored_row_count() >= 60 and pending() > 0, message="a batch in flight")
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(10) == -signal.SIGKILL
    finally:
        victim.kill()
    # Its liveness key is still there (TTL 30 s), but its process is provably gone.
    key = f"{stream_names['STREAM_NAME']}:consumers:{stream_names['CONSUMER_GROUP']}:victim"
    assert redis_client.ttl(key) > 20
    assert pending() > 0

    started = time.monotonic()
    successor = start_consumer(
        "--burst",
        "--consumer-name",
        "successor",
        overrides=options(stream_names),  # CONSUMER_CLAIM_IDLE_MS stays 60 s
        log_path=log,
    )
    assert successor.wait(60) == 0, log.read_text()
    assert time.monotonic() - started < 30
    assert "pending entries of consumer victim, which is gone" in log.read_text()
    assert_stored_exactly_once(total)
    assert pending() == 0
