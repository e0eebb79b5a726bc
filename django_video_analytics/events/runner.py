"""The long-running loop of ``manage.py consume_events``, shaped like rq's worker.

- The first SIGTERM/SIGINT lets the current batch finish, then the loop exits (0); a second
  one raises at once (exit 128 + signal number): the open transaction rolls back and the
  batch's entries stay pending, to be re-read on restart or claimed by another consumer.
- ``close_old_connections()`` runs before every batch, as Django does around requests,
  except while full batches follow each other (a backlog), when it runs once a second:
  with ``CONN_MAX_AGE = 0`` it would open a new database connection for every batch.
- Owed webhook deliveries (``webhook_outbox``) get their turn after every batch, during a
  backlog once a second.
- When Redis or the database is unavailable the loop logs it and waits (exponential
  back-off up to ``RECONNECT_BACKOFF_MAX_SECONDS``), then retries the same batch from
  memory, so an outage does not count as a delivery.
- The next batch is read and parsed in a thread while the current one is stored
  (``reader.BatchReader``); what it read ahead is stored before the loop stops, and kept
  (stored first) when Redis fails.
- While it runs, the garbage collector's young generation is collected every
  ``GC_YOUNG_THRESHOLD`` allocations instead of Python's 700 (restored on return). Two
  batches in flight hold some 40,000 dicts and lists for tens of milliseconds: at 700,
  they were traversed by dozens of young collections each and promoted, and full
  collections then traversed the whole process; together a third of the consumer's CPU.
"""

import gc
import logging
import time
from contextlib import contextmanager

import redis
from django.db import DatabaseError, close_old_connections

from .. import metrics
from ..backoff import Backoff
from ..conf import analytics_settings
from ..shutdown import ForcedExit, Shutdown
from .consumer import BatchResult
from .reader import BatchReader

logger = logging.getLogger(__name__)

EXIT_OK = 0
DEFAULT_BLOCK_MS = 2000
BACKLOG_CONNECTION_CHECK_SECONDS = 1.0  # close_old_connections() during a backlog
BACKLOG_WEBHOOK_SECONDS = 1.0  # owed webhook deliveries looked for during a backlog
GC_YOUNG_THRESHOLD = 10_000  # gc.set_threshold()'s first value while running (Python: 700)


@contextmanager
def fewer_collections(young=GC_YOUNG_THRESHOLD):
    """Collect the young generation every ``young`` allocations (never more often) inside."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(young, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class ConsumerRunner:
    """Runs an ``EventConsumer`` until stopped, drained (``burst``) or ``max_messages`` read."""

    def __init__(self, consumer, *, burst=False, max_messages=None, backoff_max=None):
        self.consumer = consumer
        self.burst = burst
        self.max_messages = max_messages
        if backoff_max is None:
            backoff_max = analytics_settings.RECONNECT_BACKOFF_MAX_SECONDS
        self.backoff = Backoff(maximum=backoff_max)
        self.shutdown = Shutdown("the current batch, then exiting")
        self.totals = BatchResult()
        self._outage = None  # what is unavailable ("Redis", "the database"), for the log
        self.reader = BatchReader(
            consumer,
            count=consumer.batch_size,
            block_ms=self._block_ms(),
            burst=burst,
            max_messages=max_messages,
        )
        self._read_ahead = []  # batches the reader had read when it was stopped
        self._backlog_since = None  # when full batches began to follow each other
        self._webhooks_at = None  # when owed webhook deliveries were last looked for

    @property
    def stopping(self):
        return self.shutdown.requested

    def request_stop(self):
        """Finish the current batch, then return from ``run()``."""
        self.shutdown.request()

    def run(self):
        """Consume until stopped; returns the process exit code."""
        self.shutdown.install()
        consumer = self.consumer
        logger.info(
            "Consuming %s as %s of group %s%s",
            consumer.stream,
            consumer.name,
            consumer.group,
            " (burst)" if self.burst else "",
        )
        started = time.monotonic()
        try:
            with fewer_collections():
                self._loop()
                self._store_read_ahead()
                self.consumer.deliver()
        except ForcedExit as exc:
            logger.warning("Stopped at once; unacknowledged entries stay pending")
            return exc.exit_code
        except BaseException:
            self.reader.stop()  # no reading on behind the caller's back; the rest stays pending
            raise
        finally:
            self.shutdown.restore()
        self._leave_group()
        totals = self.totals
        logger.info(
            "Stopped after %.1f s: %d read, %d stored, %d duplicates, %d dead-lettered",
            time.monotonic() - started,
            totals.read,
            totals.stored,
            totals.duplicates,
            totals.dead_lettered,
        )
        return EXIT_OK

    def _loop(self):
        batch = None  # kept across failures: retried without a new delivery
        while not self.stopping:
            self._close_old_connections()
            try:
                self.consumer.deliver_leftovers()
                if batch is None:
                    batch = self._next_batch()
                    if not batch:
                        batch = None
                        self._backlog_since = None
                        self._available()
                        self.consumer.deliver()  # idle: nothing waits for later batches
                        self._deliver_webhooks()
                        if self.burst:
                            logger.info("Stream drained")
                            return
                        continue
                started = time.monotonic()
                result = self.consumer.handle(batch)
                metrics.record_batch(result, time.monotonic() - started)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                self._reset()
                self._unavailable("Redis", exc)
                continue
            except redis.ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                # The stream or group was deleted (or Redis restarted empty): recreate it.
                self._reset()
                self._unavailable("The consumer group", exc)
                continue
            except DatabaseError as exc:
                self._backlog_since = None
                self._unavailable("The database", exc)
                continue
            self._note_backlog(len(batch) >= self.consumer.batch_size)
            batch = None
            self._available()
            self._deliver_webhooks(backlog=self._backlog_since is not None)
            self.totals.add(result)
            if self.max_messages is not None and self.totals.read >= self.max_messages:
                logger.info("Read %d entries (--max-messages)", self.totals.read)
                return

    def _close_old_connections(self):
        now = time.monotonic()
        if self._backlog_since is None or now - self._backlog_since >= (
            BACKLOG_CONNECTION_CHECK_SECONDS
        ):
            close_old_connections()
            if self._backlog_since is not None:
                self._backlog_since = now

    def _note_backlog(self, full):
        """A full batch continues (or starts) a backlog; any other ends it."""
        if not full:
            self._backlog_since = None
        elif self._backlog_since is None:
            self._backlog_since = time.monotonic()

    def _deliver_webhooks(self, backlog=False):
        """Owed webhook deliveries get their turn between batches (``webhook_outbox``).

        During a backlog once a second: looking costs two round trips, and the alerts of a
        backlog wait for their ``events_stored`` about as long (``DELIVERY_DELAY_SECONDS``).
        """
        from ..webhook_outbox import run_after_batch

        now = time.monotonic()
        if backlog and self._webhooks_at is not None:
            if now - self._webhooks_at < BACKLOG_WEBHOOK_SECONDS:
                return
        self._webhooks_at = now
        try:
            run_after_batch()
        except Exception:
            # The rows stay owed; consuming goes on.
            logger.exception("Webhook deliveries failed between batches")

    def _next_batch(self):
        if self._read_ahead:
            return self._read_ahead.pop(0)
        return self.reader.next()

    def _reset(self):
        """After a Redis error: stop reading (keeping what was read), then reset the consumer.

        The batches read ahead are stored first; the reader starts again after them, and
        re-reads the consumer's pending entries as any restarted consumer does.
        """
        self._read_ahead += self.reader.stop()
        self.consumer.reset()

    def _store_read_ahead(self):
        """Store the batches read ahead of a stop (once: if that fails they stay pending)."""
        for batch in self._read_ahead + self.reader.stop():
            try:
                result = self.consumer.handle(batch)
            except (redis.RedisError, DatabaseError) as exc:
                logger.warning("Entries read ahead stay pending (%s: %s)", type(exc).__name__, exc)
                break
            self.totals.add(result)
        self._read_ahead = []

    def _block_ms(self):
        # A burst run must notice an empty stream; a long-running one waits for entries,
        # but never for ever (BLOCK 0): a stop signal is only seen between reads.
        if self.burst:
            return None
        return self.consumer.block_ms if self.consumer.block_ms > 0 else DEFAULT_BLOCK_MS

    def _unavailable(self, what, exc):
        delay = self.backoff.next_delay()
        self._outage = what
        logger.warning(
            "%s is unavailable (%s: %s); retrying in %.1f s",
            what,
            type(exc).__name__,
            str(exc).strip(),
            delay,
        )
        self.shutdown.wait(delay)

    def _available(self):
        if self._outage:
            logger.warning("%s is available again", self._outage)
            self._outage = None
        self.backoff.reset()

    def _leave_group(self):
        try:
            self.consumer.leave_group()
        except redis.RedisError as exc:
            logger.debug("Could not leave the consumer group: %s", exc)
