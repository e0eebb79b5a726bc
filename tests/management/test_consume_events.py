"""``manage.py consume_events``: in-process with call_command, and as a process for signals."""

import logging
import signal
import time

import pytest
from django.core.management import CommandError, call_command

from django_video_analytics.events.publisher import EventPublisher
from tests.events.entries import mixed_entries, recount_statistics, stored_row_count
from tests.events.fixtures import pending_counter
from tests.events.processes import start_consumer, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def publisher(stream_names):
    return EventPublisher()


@pytest.fixture
def pending(stream_names, redis_client):
    return pending_counter(stream_names, redis_client)


@pytest.fixture
def package_logger():
    """Restore the package logger after the command set its level and handler."""
    logger = logging.getLogger("django_video_analytics")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


def test_burst_drains_the_stream_and_returns(publisher, pending, package_logger, caplog):
    publisher.publish_many(mixed_entries(120))
    with caplog.at_level(logging.INFO, logger="django_video_analytics"):
        call_command("consume_events", "--burst", "--consumer-name", "once")
    assert stored_row_count() == 120 and pending() == 0
    assert stored_row_count() and recount_statistics()
    assert "Stream drained" in caplog.text
    assert "Stopped after" in caplog.text and "120 read, 120 stored" in caplog.text


def test_max_messages_stops_after_that_many(
    publisher, pending, redis_client, stream_names, package_logger
):
    publisher.publish_many(mixed_entries(50))
    call_command("consume_events", "--max-messages", "30")
    assert stored_row_count() == 30 and pending() == 0
    call_command("consume_events", "--burst")
    assert stored_row_count() == 50


def test_verbosity_sets_the_package_log_level(publisher, package_logger):
    call_command("consume_events", "--burst", verbosity=2)
    assert package_logger.level == logging.DEBUG
    call_command("consume_events", "--burst", verbosity=0)
    assert package_logger.level == logging.WARNING


def test_consumer_leaves_the_group_on_a_clean_exit(
    publisher, redis_client, stream_names, package_logger
):
    publisher.publish_many(mixed_entries(5))
    call_command("consume_events", "--burst", "--consumer-name", "tidy")
    consumers = redis_client.xinfo_consumers(
        stream_names["STREAM_NAME"], stream_names["CONSUMER_GROUP"]
    )
    assert consumers == []


def test_max_messages_must_be_positive():
    with pytest.raises(CommandError, match="--max-messages must be at least 1"):
        call_command("consume_events", "--max-messages", "0")


@pytest.mark.slow
def test_first_sigterm_finishes_the_batch_and_exits_zero(
    publisher, pending, stream_names, tmp_path
):
    publisher.publish_many(mixed_entries(400))
    log = tmp_path / "consumer.log"
    process = start_consumer(
        "--consumer-name",
        "graceful",
        overrides={**stream_names, "CONSUMER_BATCH_SIZE": 50, "CONSUMER_BLOCK_MS": 100},
        log_path=log,
        slow_statistics_ms=500,
    )
    try:
        wait_for(lambda: pending() > 0, message="a batch in flight")
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, log.read_text()
    finally:
        process.kill()
    output = log.read_text()
    assert "SIGTERM: finishing the current batch, then exiting" in output
    # The batch in flight was stored and acknowledged; the rest waits for the next run.
    assert pending() == 0
    assert 0 < stored_row_count() < 400 and stored_row_count() % 50 == 0


@pytest.mark.slow
def test_second_signal_exits_at_once_and_the_batch_stays_pending(
    publisher, pending, stream_names, tmp_path
):
    publisher.publish_many(mixed_entries(100))
    log = tmp_path / "consumer.log"
    process = start_consumer(
        "--consumer-name",
        "impatient",
        overrides={**stream_names, "CONSUMER_BATCH_SIZE": 100},
        log_path=log,
        slow_statistics_ms=2000,  # the first batch stays inside its transaction for seconds
    )
    try:
        wait_for(lambda: pending() == 100, message="the batch to be read")
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 128 + signal.SIGINT, log.read_text()
    finally:
        process.kill()
    assert "SIGINT again: exiting at once" in log.read_text()
    assert stored_row_count() == 0  # rolled back
    assert pending() == 100  # for the next run of this consumer, or a claim


def test_a_real_drain_feeds_the_consumer_metrics(publisher, pending, package_logger):
    from prometheus_client import generate_latest

    from django_video_analytics import metrics

    def sample(name):
        text = generate_latest(metrics.registry()).decode()
        return next(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name))

    before = {
        name: sample(name)
        for name in (
            "video_analytics_consumer_entries_read_total",
            "video_analytics_consumer_entries_stored_total",
            "video_analytics_consumer_batch_seconds_count",
        )
    }
    publisher.publish_many(mixed_entries(40))
    call_command("consume_events", "--burst", verbosity=0)

    assert (
        sample("video_analytics_consumer_entries_read_total")
        - before["video_analytics_consumer_entries_read_total"]
        == 40
    )
    assert (
        sample("video_analytics_consumer_entries_stored_total")
        - before["video_analytics_consumer_entries_stored_total"]
        == 40
    )
    assert (
        sample("video_analytics_consumer_batch_seconds_count")
        > before["video_analytics_consumer_batch_seconds_count"]
    )
