"""The consumer group: read entries in batches, store them, dead-letter the bad ones, ack.

Delivery is at least once and storage exactly once: an entry is acknowledged only after its
batch is committed, and a redelivered entry finds its row (unique ``source_id``) and is
counted as a duplicate. ``events_stored`` goes out once per stored batch through the outbox
(``events.outbox``). Every entry point (``consume_events``, the Celery task) uses
``EventConsumer``; ``runner.ConsumerRunner`` adds the long-running loop around it.

Order of reads: first this consumer's own pending entries (left by a crash or a failed
batch), then the pending entries of consumers that are gone (their liveness key expired, or
their process on this host no longer exists: claimed at once), then entries idle for
``CONSUMER_CLAIM_IDLE_MS`` (XAUTOCLAIM), then new entries.
"""

import logging
import os
import socket
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import redis
from django.db import DatabaseError, DataError, IntegrityError, transaction

from ..conf import analytics_settings
from ..connection import as_text
from . import copy_text, outbox, wire
from .dead_letters import DeadLetterStream
from .incoming import IncomingBatch, IncomingEvent
from .ingest import (
    IngestResult,
    encodes_rows_ahead,
    events_database,
    source_id_for,
    store_events,
    utc_now,
)
from .liveness import REFRESHES_PER_TTL, ConsumerLiveness

logger = logging.getLogger(__name__)

TRIMMED_REASON = "the entry was trimmed from the stream before it was stored"
# Database errors that blame an entry; the others say the database is unavailable (or not
# migrated), and the batch is retried whole instead of being split.
REFUSED_ERRORS = (IntegrityError, DataError)
OUTBOX_SWEEP_SECONDS = 10.0  # how often leftover outbox rows (of any consumer) are looked for
# While batches arrive full (a backlog), their signals go out together, at most this late.
DELIVERY_DELAY_SECONDS = 1.0


def default_consumer_name(prefix: str | None = None) -> str:
    """``<host>-<pid>`` (with a random suffix after ``prefix`` for one-off consumers)."""
    name = f"{socket.gethostname()}-{os.getpid()}"
    if prefix:
        name = f"{prefix}-{name}-{uuid.uuid4().hex[:8]}"
    return name


@dataclass
class Batch:
    """Entries read together: ``[(entry_id, fields)]`` with delivery counts when re-read."""

    entries: list = field(default_factory=list)
    deliveries: dict = field(default_factory=dict)  # entry id -> times delivered
    trimmed: list = field(default_factory=list)  # ids XAUTOCLAIM found deleted from the stream
    source: str = "new"  # "new", "pending" or "claimed"
    handled: bool = False  # set by the first handle(): a retry may find its rows stored
    prepared: "Prepared | None" = None  # parsed ahead of handle() (runner.BatchReader)

    def __len__(self):
        return len(self.entries) + len(self.trimmed)


@dataclass
class Prepared:
    """A batch's entries parsed: what to store, what to dead-letter, the fields by entry id."""

    incoming: IncomingBatch
    dead: list  # (entry id, fields, reason, deliveries)
    fields_by_id: dict


@dataclass
class BatchResult:
    """Figures of handled batches, kept without their rows (``runner.totals`` adds them up).

    Built from what ``store_events`` returned (``of``): its rows stored by event type and its
    duplicates, plus the entries read and dead-lettered.
    """

    read: int = 0
    dead_lettered: int = 0
    duplicates: int = 0
    counts: Counter = field(default_factory=Counter)  # event type -> rows stored

    @classmethod
    def of(cls, stored: IngestResult, *, read: int, dead_lettered: int) -> "BatchResult":
        return cls(read, dead_lettered, stored.duplicates, stored.counts)

    @property
    def stored(self) -> int:
        return sum(self.counts.values())

    def add(self, other):
        self.read += other.read
        self.dead_lettered += other.dead_lettered
        self.duplicates += other.duplicates
        self.counts.update(other.counts)
        return self

    def as_dict(self):
        return {
            "read": self.read,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "dead_lettered": self.dead_lettered,
            "counts": dict(self.counts),
        }


class EventConsumer:
    """One consumer of ``CONSUMER_GROUP`` on ``STREAM_NAME``; arguments default to settings."""

    def __init__(
        self,
        consumer_name=None,
        *,
        redis_client=None,
        stream_name=None,
        group=None,
        batch_size=None,
        block_ms=None,
        claim_idle_ms=None,
        max_deliveries=None,
        unknown_camera_policy=None,
        max_future_skew_seconds=None,
        liveness_ttl_seconds=None,
    ):
        if redis_client is None:
            from ..connection import get_redis

            redis_client = get_redis()
        settings = analytics_settings
        self.redis = redis_client
        self.name = consumer_name or default_consumer_name()
        self.stream = stream_name or settings.STREAM_NAME
        self.group = group or settings.CONSUMER_GROUP
        self.batch_size = batch_size or settings.CONSUMER_BATCH_SIZE
        self.block_ms = settings.CONSUMER_BLOCK_MS if block_ms is None else block_ms
        self.claim_idle_ms = (
            settings.CONSUMER_CLAIM_IDLE_MS if claim_idle_ms is None else claim_idle_ms
        )
        self.max_deliveries = max_deliveries or settings.CONSUMER_MAX_DELIVERIES
        self.unknown_camera_policy = unknown_camera_policy or settings.UNKNOWN_CAMERA_POLICY
        if max_future_skew_seconds is None:
            max_future_skew_seconds = settings.MAX_FUTURE_SKEW_SECONDS
        self.max_future_skew = timedelta(seconds=max_future_skew_seconds)
        self.dead_letters = DeadLetterStream(redis_client, main_stream=self.stream)
        self.liveness = ConsumerLiveness(
            redis_client,
            self.stream,
            self.group,
            liveness_ttl_seconds or settings.CONSUMER_LIVENESS_TTL_SECONDS,
        )
        self._group_ready = False
        self._read_pending = True  # a restarted consumer first finishes what it had
        self._claim_cursor = "0-0"
        self._next_claim_at = 0.0
        self._next_gone_check_at = 0.0
        self._next_sweep_at = 0.0  # leftover outbox rows are delivered first thing
        self._undelivered = []  # committed StoredBatch parts whose signal waits
        self._undelivered_since = 0.0

    def __repr__(self):
        return f"<EventConsumer {self.name!r} of {self.group!r} on {self.stream!r}>"

    # Reading -------------------------------------------------------------------------------

    def ensure_group(self):
        """Create the group (and the stream) unless they exist; it starts at the beginning."""
        if self._group_ready:
            return
        try:
            # From "0", not "$": entries published before the first consumer ran are kept.
            self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
            logger.info("Created consumer group %s on %s", self.group, self.stream)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def reset(self):
        """Forget connection state after a Redis error: re-check the group, re-read pending."""
        self._group_ready = False
        self._read_pending = True

    def read_batch(self, count: int | None = None, block_ms: int | None = None) -> Batch:
        """The next batch (maybe empty): own pending entries, then claims, then new entries.

        ``block_ms=None`` returns at once when nothing is waiting. Delivers leftover outbox
        rows first (``deliver_leftovers``), then reads (``fetch``).
        """
        self.deliver_leftovers()
        return self.fetch(count, block_ms)

    def fetch(self, count: int | None = None, block_ms: int | None = None) -> Batch:
        """``read_batch`` without the database: Redis only (the runner reads in a thread)."""
        self.ensure_group()
        self.liveness.beat(self.name)
        count = count or self.batch_size
        if self._read_pending:
            entries = self._xreadgroup("0", count, None)
            if entries:
                return Batch(entries, self._delivery_counts(entries), source="pending")
            self._read_pending = False
        batch = self._claim(count)
        if batch:
            return batch
        return Batch(self._xreadgroup(">", count, block_ms))

    def _xreadgroup(self, start, count, block_ms):
        response = self.redis.xreadgroup(
            self.group, self.name, {self.stream: start}, count=count, block=block_ms
        )
        if not response:
            return []
        if isinstance(response, dict):  # RESP3
            streams = response.items()
        else:
            streams = response
        entries = []
        for _stream, stream_entries in streams:
            for entry_id, fields in stream_entries:
                entries.append((as_text(entry_id), fields))
        return entries

    def _claim(self, count):
        """Take over the entries of consumers that are gone, then those idle too long.

        Gone consumers are looked for as often as liveness keys are refreshed (TTL/10), so
        a dead consumer's entries wait seconds, not ``claim_idle_ms``.
        """
        now = time.monotonic()
        if now >= self._next_gone_check_at:
            batch = self._claim_from_gone(count)
            if batch:
                return batch  # look again at once: it may hold more
            self._next_gone_check_at = now + self.liveness.ttl / REFRESHES_PER_TTL
        if now >= self._next_claim_at:
            return self._claim_idle(count)
        return None

    def _claim_from_gone(self, count):
        """XCLAIM the pending entries of consumers that are provably gone, at once."""
        holders = [
            as_text(info["name"])
            for info in self.redis.xinfo_consumers(self.stream, self.group)
            if info["pending"] and as_text(info["name"]) != self.name
        ]
        for name in self.liveness.gone(holders):
            rows = self.redis.xpending_range(
                self.stream, self.group, "-", "+", count, consumername=name
            )
            ids = [as_text(row["message_id"]) for row in rows]
            if not ids:
                continue
            claimed = self.redis.xclaim(
                self.stream, self.group, self.name, min_idle_time=0, message_ids=ids
            )
            entries = [
                (as_text(entry_id), fields) for entry_id, fields in claimed if entry_id and fields
            ]
            found = {entry_id for entry_id, _fields in entries}
            trimmed = [entry_id for entry_id in ids if entry_id not in found]
            logger.warning(
                "Claimed %d pending entries of consumer %s, which is gone (%d trimmed)",
                len(entries),
                name,
                len(trimmed),
            )
            return Batch(entries, self._delivery_counts(entries), trimmed, source="claimed")
        return None

    def _claim_idle(self, count):
        """Take over entries idle for ``claim_idle_ms`` (their consumer may be gone)."""
        reply = self.redis.xautoclaim(
            self.stream,
            self.group,
            self.name,
            min_idle_time=self.claim_idle_ms,
            start_id=self._claim_cursor,
            count=count,
        )
        cursor, claimed = as_text(reply[0]), reply[1]
        trimmed = [as_text(entry_id) for entry_id in reply[2]] if len(reply) > 2 else []
        self._claim_cursor = cursor
        if cursor == "0-0":  # the whole pending list was scanned: look again later
            interval = min(max(self.claim_idle_ms / 2000, 0.01), 30.0)
            self._next_claim_at = time.monotonic() + interval
        entries = [(as_text(entry_id), fields) for entry_id, fields in claimed]
        if entries or trimmed:
            logger.info(
                "Claimed %d idle entries of other consumers (%d trimmed)",
                len(entries),
                len(trimmed),
            )
        return Batch(entries, self._delivery_counts(entries), trimmed, source="claimed")

    def _delivery_counts(self, entries):
        if not entries:
            return {}
        rows = self.redis.xpending_range(
            self.stream,
            self.group,
            min=entries[0][0],
            max=entries[-1][0],
            count=len(entries),
            consumername=self.name,
        )
        return {as_text(row["message_id"]): row["times_delivered"] for row in rows}

    # Storing -------------------------------------------------------------------------------

    def handle(self, batch: Batch) -> BatchResult:
        """Store a batch, dead-letter what cannot be stored, then ack every entry.

        Raises the database's or Redis' error when either is unavailable; nothing is then
        acknowledged and the same batch can be handled again.
        """
        if transaction.get_connection(events_database()).in_atomic_block:
            raise RuntimeError(
                "EventConsumer.handle() must not run inside transaction.atomic(): entries are "
                "acknowledged once the batch is committed, which an outer block would postpone."
            )
        prepared = batch.prepared
        if prepared is None or batch.handled:  # a retry may find its rows stored: look up all
            prepared = self.prepare(batch)
        batch.handled = True
        dead = list(prepared.dead)
        fields_by_id = prepared.fields_by_id
        stored = self._store(prepared.incoming)
        for item, reason in stored.rejected:
            entry_id = item.entry_id
            dead.append((entry_id, fields_by_id[entry_id], reason, batch.deliveries.get(entry_id)))
        try:
            self._acknowledge([entry_id for entry_id, _f in batch.entries] + batch.trimmed, dead)
        finally:
            # The rows are committed even if Redis failed just now: their signal goes out
            # (a retry of this batch finds them all as duplicates and sends nothing).
            self._queue_delivery(stored, full=len(batch) >= self.batch_size)

        result = BatchResult.of(stored, read=len(batch), dead_lettered=len(dead))
        logger.debug(
            "%s: %d read (%s), %d stored, %d duplicates, %d dead-lettered",
            self.name,
            result.read,
            batch.source,
            result.stored,
            result.duplicates,
            result.dead_lettered,
        )
        return result

    def prepare(self, batch: Batch) -> Prepared:
        """Parse the batch's entries and encode their rows (no database, no Redis).

        ``handle`` stores the result; in the runner this runs in the reader thread, while
        the batch before waits on the database.
        """
        # Entries read for the first time (XREADGROUP >) cannot have a row under their
        # stream entry id yet; only producer event ids need looking up.
        first_read = batch.source == "new" and not batch.handled
        dead: list[tuple[str, dict, str, object]] = [
            (entry_id, {}, TRIMMED_REASON, None) for entry_id in batch.trimmed
        ]
        incoming = []
        fields_by_id = {}
        latest = utc_now() + self.max_future_skew
        encode_rows = encodes_rows_ahead()
        for entry_id, fields in batch.entries:
            deliveries = batch.deliveries.get(entry_id)
            fields_by_id[entry_id] = fields
            if not fields:  # XREADGROUP gives an empty entry for an id that was trimmed
                dead.append((entry_id, {}, TRIMMED_REASON, deliveries))
                continue
            if deliveries is not None and deliveries > self.max_deliveries:
                reason = (
                    f"delivered {deliveries} times, more than CONSUMER_MAX_DELIVERIES "
                    f"({self.max_deliveries})"
                )
                dead.append((entry_id, fields, reason, deliveries))
                continue
            try:
                event = wire.parse_entry(fields)
            except wire.WireFormatError as exc:
                dead.append((entry_id, fields, exc.reason, deliveries))
                continue
            if event.timestamp > latest:
                dead.append((entry_id, fields, self._future_reason(event), deliveries))
                continue
            source_id = source_id_for(event, self.stream, entry_id)
            unseen = first_read and event.event_id is None
            row = _row_ahead(event, source_id) if encode_rows else None
            incoming.append(IncomingEvent(entry_id, source_id, event, unseen, row))

        return Prepared(IncomingBatch(incoming).derive(), dead, fields_by_id)

    def _future_reason(self, event):
        seconds = self.max_future_skew.total_seconds()
        return (
            f"'timestamp' {event.timestamp.isoformat()} is more than {seconds:g} s in the "
            "future (MAX_FUTURE_SKEW_SECONDS)"
        )

    def _store(self, incoming: IncomingBatch):
        """``store_events``, halving the batch to isolate an entry that cannot be stored.

        Any exception but a database error that says the database is unavailable (which
        leaves for the caller to retry) blames an entry: a constraint, a value out of
        range, or an exception of Python's own while encoding it.
        """
        try:
            return store_events(
                incoming,
                unknown_camera_policy=self.unknown_camera_policy,
                outbox=True,  # the package's own receivers (widget cache...) always listen
            )
        except Exception as exc:
            if isinstance(exc, DatabaseError) and not isinstance(exc, REFUSED_ERRORS):
                raise
            items = incoming.items
            if len(items) == 1:
                result = IngestResult()
                result.rejected.append((items[0], _refusal_reason(exc)))
                if not isinstance(exc, REFUSED_ERRORS):
                    logger.error("Storing entry %s failed", items[0].entry_id, exc_info=exc)
                return result
            logger.warning(
                "Storing a batch of %d failed (%s: %s); storing it in halves to find the "
                "entry at fault",
                len(incoming),
                type(exc).__name__,
                exc,
            )
            middle = len(items) // 2
            result = self._store(IncomingBatch(items[:middle]))
            result.merge(self._store(IncomingBatch(items[middle:])))
            return result

    def _acknowledge(self, entry_ids, dead):
        """Dead-letter and ack in one MULTI: either both happen or neither."""
        if not entry_ids and not dead:
            return
        pipe = self.redis.pipeline(transaction=True)
        for entry_id, fields, reason, deliveries in dead:
            logger.warning("Dead-lettered entry %s of %s: %s", entry_id, self.stream, reason)
            self.dead_letters.add(
                pipe, entry_id, fields, reason, source_stream=self.stream, deliveries=deliveries
            )
        if entry_ids:
            pipe.xack(self.stream, self.group, *entry_ids)
        pipe.execute()

    def _queue_delivery(self, stored, full):
        """Deliver the signal now, or with the next batches while full ones keep coming."""
        parts = [part for part in stored.batches if part.outbox_id is not None]
        if parts and not self._undelivered:
            self._undelivered_since = time.monotonic()
        self._undelivered += parts
        if not full or time.monotonic() - self._undelivered_since >= DELIVERY_DELAY_SECONDS:
            self.deliver()

    def deliver(self):
        """Send ``events_stored`` for the batches stored and not signalled yet (``outbox``)."""
        if not self._undelivered:
            return
        parts, self._undelivered = self._undelivered, []
        try:
            outbox.deliver(parts, sender=type(self), using=events_database())
        except DatabaseError as exc:
            # The outbox rows stay; the next sweep delivers them.
            logger.warning("Sending events_stored failed (%s); will retry", exc)
            self._next_sweep_at = 0.0

    def deliver_leftovers(self):
        """Deliver outbox rows left by crashes or failed deliveries, now and then."""
        now = time.monotonic()
        if now < self._next_sweep_at:
            return
        self._next_sweep_at = now + OUTBOX_SWEEP_SECONDS
        try:
            outbox.deliver_pending(
                sender=type(self),
                using=events_database(),
                exclude=[part.outbox_id for part in self._undelivered],
            )
        except DatabaseError as exc:
            logger.warning("Sending events_stored for leftover batches failed (%s)", exc)
            self._next_sweep_at = 0.0

    # Whole runs ----------------------------------------------------------------------------

    def drain(self, max_messages: int | None = None) -> BatchResult:
        """Handle batches until nothing is waiting (or ``max_messages`` were read)."""
        total = BatchResult()
        while max_messages is None or total.read < max_messages:
            count = self.batch_size
            if max_messages is not None:
                count = min(count, max_messages - total.read)
            batch = self.read_batch(count)
            if not batch:
                break
            total.add(self.handle(batch))
        self.deliver()
        return total

    def leave_group(self):
        """Remove this consumer from the group if it holds no pending entry; True if removed."""
        summary = self.redis.xpending_range(
            self.stream, self.group, "-", "+", count=1, consumername=self.name
        )
        if summary:
            return False
        # DELCONSUMER would drop pending entries; there are none, and only this process
        # reads under this name.
        self.redis.xgroup_delconsumer(self.stream, self.group, self.name)
        self.liveness.forget(self.name)
        return True


def _row_ahead(event, source_id):
    """The entry's COPY row, or None when encoding it fails: storing then encodes it again,
    and ``_store`` isolates the entry with that error."""
    try:
        return copy_text.encode_row(event, source_id)
    except Exception:
        return None


def _refusal_reason(exc):
    if isinstance(exc, REFUSED_ERRORS):
        return f"the database refused the entry: {exc}"
    return f"storing the entry failed: {type(exc).__name__}: {exc}"
