"""The runner reads the next batch in a thread while it stores the current one."""

import gc
import sys
import threading
import time

import pytest
import redis

from django_video_analytics.events import reader
from django_video_analytics.events import runner as runner_module
from django_video_analytics.events.runner import ConsumerRunner

from .entries import mixed_entries, recount_statistics, stored_row_count, stored_statistics

pytestmark = pytest.mark.django_db(transaction=True)

BATCH = 10


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def run_with(runner, on_first_handle):
    """Run ``runner``, calling ``on_first_handle()`` as its first batch starts being stored."""
    consumer = runner.consumer
    handle = consumer.handle
    calls = []

    def first_then_handle(batch):
        calls.append(batch)
        if len(calls) == 1:
            on_first_handle()
        return handle(batch)

    consumer.handle = first_then_handle
    return runner.run(), calls


def test_the_next_batch_is_read_while_the_current_one_is_stored(publisher, make_consumer, pending):
    publisher.publish_many(mixed_entries(3 * BATCH))
    runner = ConsumerRunner(make_consumer(batch_size=BATCH), burst=True)
    read_ahead = []

    def check():
        read_ahead.append(wait_for(lambda: runner.reader.read >= 2 * BATCH))

    exit_code, _calls = run_with(runner, check)
    assert exit_code == 0 and read_ahead == [True]
    assert runner.totals.read == 3 * BATCH and stored_row_count() == 3 * BATCH
    assert pending() == 0
    assert stored_statistics() == recount_statistics()


def test_interpreter_settings_while_running_and_given_back_after(publisher, make_consumer):
    # A short thread switch interval while reading ahead; fewer young-generation collections.
    publisher.publish_many(mixed_entries(2 * BATCH))
    runner = ConsumerRunner(make_consumer(batch_size=BATCH), burst=True)
    before = (sys.getswitchinterval(), gc.get_threshold())
    during = []

    exit_code, _calls = run_with(
        runner, lambda: during.append((sys.getswitchinterval(), gc.get_threshold()))
    )
    assert exit_code == 0 and stored_row_count() == 2 * BATCH
    young = runner_module.GC_YOUNG_THRESHOLD
    assert during == [(reader.SWITCH_INTERVAL, (young, *before[1][1:]))]
    assert reader.SWITCH_INTERVAL < before[0] and young > before[1][0]
    assert (sys.getswitchinterval(), gc.get_threshold()) == before


def test_a_stop_stores_the_batch_read_ahead_and_nothing_stays_pending(
    publisher, make_consumer, pending
):
    publisher.publish_many(mixed_entries(3 * BATCH))
    runner = ConsumerRunner(make_consumer(batch_size=BATCH, block_ms=50))

    def stop_once_read_ahead():
        assert wait_for(lambda: runner.reader.read >= 2 * BATCH)
        runner.request_stop()

    exit_code, calls = run_with(runner, stop_once_read_ahead)
    assert exit_code == 0
    assert [len(batch) for batch in calls] == [BATCH, BATCH]  # the current one and the next
    assert runner.totals.read == stored_row_count() == 2 * BATCH
    assert pending() == 0  # the third batch was never read


def test_a_redis_error_keeps_the_batches_read_ahead(publisher, make_consumer, pending):
    publisher.publish_many(mixed_entries(3 * BATCH))
    runner = ConsumerRunner(make_consumer(batch_size=BATCH), burst=True, backoff_max=0.05)
    consumer = runner.consumer
    acknowledge = consumer._acknowledge
    failures = []

    def fail_first_ack(entry_ids, dead):
        if not failures:
            assert wait_for(lambda: runner.reader.read >= 2 * BATCH)
            failures.append(entry_ids)
            raise redis.ConnectionError("connection reset (injected)")
        return acknowledge(entry_ids, dead)

    consumer._acknowledge = fail_first_ack
    assert runner.run() == 0
    assert failures
    # The failed batch is retried from memory, the one read ahead stored from memory too:
    # no entry is read (delivered) twice.
    assert runner.totals.read == 3 * BATCH
    assert stored_row_count() == 3 * BATCH and pending() == 0
    assert stored_statistics() == recount_statistics()


def test_a_backlog_keeps_its_database_connection(publisher, make_consumer):
    """With CONN_MAX_AGE = 0, close_old_connections() before each batch reconnected each time."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    publisher.publish_many(mixed_entries(5 * BATCH))
    opened = []

    def count(sender, connection, **kwargs):
        opened.append(connection.alias)

    connection_created.connect(count)
    try:
        runner = ConsumerRunner(make_consumer(batch_size=BATCH), burst=True)
        assert runner.run() == 0
    finally:
        connection_created.disconnect(count)
    assert runner.totals.read == stored_row_count() == 5 * BATCH
    assert len(opened) <= 1


def test_an_unexpected_error_stops_the_reader(publisher, make_consumer, pending):
    publisher.publish_many(mixed_entries(3 * BATCH))
    runner = ConsumerRunner(make_consumer(batch_size=BATCH, block_ms=50))

    def fail():
        assert wait_for(lambda: runner.reader.read >= 2 * BATCH)
        raise RuntimeError("a bug (injected)")

    with pytest.raises(RuntimeError):
        run_with(runner, fail)
    reader_name = f"{runner.consumer.name}-reader"
    assert not any(thread.name == reader_name for thread in threading.enumerate())
    assert runner.reader.read == 2 * BATCH
    assert pending() == 2 * BATCH  # left for a restart, never acknowledged unstored


def test_webhooks_are_looked_for_after_each_batch_but_once_a_second_in_a_backlog(
    publisher, make_consumer, monkeypatch
):
    from django_video_analytics import webhook_outbox as outbox

    looks = []
    monkeypatch.setattr(outbox, "run_after_batch", lambda: looks.append(time.monotonic()))
    monkeypatch.setattr(runner_module, "BACKLOG_WEBHOOK_SECONDS", 60.0)
    publisher.publish_many(mixed_entries(4 * BATCH + 3))
    runner = ConsumerRunner(make_consumer(batch_size=BATCH), burst=True)
    assert runner.run() == 0 and stored_row_count() == 4 * BATCH + 3
    # Four full batches (a backlog): looked for after the first only; then after the
    # partial batch (the backlog ended) and when the stream was found empty. Without the
    # backlog rule: six times.
    assert len(looks) == 3
