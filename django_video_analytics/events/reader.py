"""Reads and parses the next batch in a thread while the runner stores the current one.

XREADGROUP and the parsing of a batch (``EventConsumer.fetch`` and ``prepare``: Redis and
CPU, no database) overlap the database work of the batch before it, which waits on the
server most of the time. At most ``AHEAD`` batches wait in the queue. Nothing is
acknowledged here: a batch read ahead is pending in the group like the one being stored, so
a crash leaves both to be re-read (at least once), and the runner stores what was read
ahead before it stops (``stop()`` hands it over). The consumer's reading state (pending
pass, claim cursor) is only touched by this thread while it runs: the runner stops it
before ``EventConsumer.reset()``.

While the thread runs, the interpreter's thread switch interval is shortened
(``SWITCH_INTERVAL``): the storing thread waits on the database a dozen times per batch,
and with the default 5 ms each answer could wait that long for the GIL while this thread
parses, which is where half a batch's time went.
"""

import logging
import queue
import sys
import threading

logger = logging.getLogger(__name__)

AHEAD = 1  # batches read ahead of the one being stored
ROOM_POLL_SECONDS = 0.1  # how often a reader waiting for room looks for stop()
SWITCH_INTERVAL = 0.0005  # seconds (sys.setswitchinterval) while the thread runs


class BatchReader:
    """Batches of ``consumer`` in the order read; ``next()`` raises what reading raised."""

    def __init__(self, consumer, *, count, block_ms, burst=False, max_messages=None):
        self.consumer = consumer
        self.count = count
        self.block_ms = block_ms
        self.burst = burst  # stop reading after the first empty batch
        self.max_messages = max_messages  # stop reading once this many entries were read
        self.read = 0
        self._queue = queue.SimpleQueue()
        self._room = threading.Semaphore(AHEAD)  # taken before a read, given back by next()
        self._stopping = threading.Event()
        self._thread = None
        self._switch_interval = None  # the interpreter's own, while shortened

    def next(self):
        """The next batch (maybe empty), read by the thread; starts it when it is not running."""
        if self._thread is None or (not self._thread.is_alive() and self._queue.empty()):
            self._start()
        item = self._queue.get()
        self._room.release()
        if isinstance(item, BaseException):
            self._thread.join()
            self._thread = None
            raise item
        return item

    def stop(self):
        """Stop reading; returns the batches read and not taken by ``next()`` yet."""
        if self._thread is None:
            return []
        self._stopping.set()
        self._thread.join()
        self._thread = None
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
        left = []
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if not isinstance(item, BaseException) and item:
                left.append(item)
        return left

    def _start(self):
        if self._switch_interval is None:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH_INTERVAL, self._switch_interval))
        self._stopping.clear()
        self._room = threading.Semaphore(AHEAD)
        self._thread = threading.Thread(
            target=self._run, name=f"{self.consumer.name}-reader", daemon=True
        )
        self._thread.start()

    def _run(self):
        try:
            while self._wait_for_room():
                count = self.count
                if self.max_messages is not None:
                    count = min(count, self.max_messages - self.read)
                    if count <= 0:
                        return
                batch = self.consumer.fetch(count, self.block_ms)
                if batch:
                    batch.prepared = self.consumer.prepare(batch)
                self.read += len(batch)
                self._queue.put(batch)
                if self.burst and not batch:
                    return
        except BaseException as exc:  # handed to the runner's thread, which decides
            self._queue.put(exc)

    def _wait_for_room(self):
        """Wait until fewer than ``AHEAD`` batches wait; False when stopped meanwhile."""
        while not self._room.acquire(timeout=ROOM_POLL_SECONDS):
            if self._stopping.is_set():
                return False
        if self._stopping.is_set():
            self._room.release()
            return False
        return True
