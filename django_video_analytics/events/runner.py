"""The long-running loop of ``manage.py consume_events``, shaped like rq's worker.

- The first SIGTERM/SIGINT lets the current batch finish, then the loop exits (0); a second
  one raises at once (exit 128 + signal number): the open transaction rolls back and the
  batch's entries stay pending, to be re-read on restart or claimed by another consumer.
- ``close_old_connections()`` runs before every batch, as Django does around requests.
- When Redis or the database is unavailable the loop logs it and waits (exponential
  back-off up to ``RECONNECT_BACKOFF_MAX_SECONDS``), then retries the same batch from
  memory, so an outage does not count as a delivery.
"""

import logging
import random
import signal
import threading
import time

import redis
from django.db import DatabaseError, close_old_connections

from ..conf import analytics_settings
from .consumer import BatchResult

logger = logging.getLogger(__name__)

EXIT_OK = 0
DEFAULT_BLOCK_MS = 2000
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class ForcedExit(BaseException):
    """Raised by the second stop signal; a BaseException so that no handler swallows it."""

    def __init__(self, signum):
        super().__init__(signum)
        self.exit_code = 128 + signum


class Backoff:
    """Delays that double from ``initial`` up to ``maximum``, with jitter."""

    def __init__(self, initial=0.5, maximum=30.0):
        self.initial = initial
        self.maximum = maximum
        self.failures = 0

    def next_delay(self):
        ceiling = min(self.maximum, self.initial * 2**self.failures)
        self.failures += 1
        return ceiling * (0.5 + random.random() / 2)

    def reset(self):
        self.failures = 0


class ConsumerRunner:
    """Runs an ``EventConsumer`` until stopped, drained (``burst``) or ``max_messages`` read."""

    def __init__(self, consumer, *, burst=False, max_messages=None, backoff_max=None):
        self.consumer = consumer
        self.burst = burst
        self.max_messages = max_messages
        if backoff_max is None:
            backoff_max = analytics_settings.RECONNECT_BACKOFF_MAX_SECONDS
        self.backoff = Backoff(maximum=backoff_max)
        self.totals = BatchResult()
        self._stop = threading.Event()
        self._previous_handlers = {}
        self._outage = None  # what is unavailable ("Redis", "the database"), for the log

    @property
    def stopping(self):
        return self._stop.is_set()

    def request_stop(self):
        """Finish the current batch, then return from ``run()``."""
        self._stop.set()

    def run(self):
        """Consume until stopped; returns the process exit code."""
        self._install_signal_handlers()
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
            self._loop()
        except ForcedExit as exc:
            logger.warning("Stopped at once; unacknowledged entries stay pending")
            return exc.exit_code
        finally:
            self._restore_signal_handlers()
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
            close_old_connections()
            try:
                if batch is None:
                    batch = self.consumer.read_batch(self._next_count(), self._block_ms())
                    if not batch:
                        batch = None
                        self._available()
                        if self.burst:
                            logger.info("Stream drained")
                            return
                        continue
                result = self.consumer.handle(batch)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                self.consumer.reset()
                self._unavailable("Redis", exc)
                continue
            except redis.ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                # The stream or group was deleted (or Redis restarted empty): recreate it.
                self.consumer.reset()
                self._unavailable("The consumer group", exc)
                continue
            except DatabaseError as exc:
                self._unavailable("The database", exc)
                continue
            batch = None
            self._available()
            self.totals.add(result)
            if self.max_messages is not None and self.totals.read >= self.max_messages:
                logger.info("Read %d entries (--max-messages)", self.totals.read)
                return

    def _next_count(self):
        if self.max_messages is None:
            return self.consumer.batch_size
        return max(1, min(self.consumer.batch_size, self.max_messages - self.totals.read))

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
        self._stop.wait(delay)

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

    # Signals -------------------------------------------------------------------------------

    def _install_signal_handlers(self):
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set handlers; request_stop() still works
        for signum in STOP_SIGNALS:
            self._previous_handlers[signum] = signal.signal(signum, self._on_signal)

    def _restore_signal_handlers(self):
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers.clear()

    def _on_signal(self, signum, frame):
        name = signal.Signals(signum).name
        if self.stopping:
            logger.warning("%s again: exiting at once", name)
            raise ForcedExit(signum)
        logger.warning(
            "%s: finishing the current batch, then exiting (%s again to exit at once)", name, name
        )
        self.request_stop()
