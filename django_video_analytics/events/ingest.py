"""Store a batch of validated events: bulk rows, ``last_active_at``, daily statistics, outbox.

One transaction per batch, whose statements come in an order that keeps every count exact
when several consumers store the same entries at once (a redelivery, a claim):

1. the cameras are resolved before the transaction; unknown ones are created (or their
   events rejected, per ``UNKNOWN_CAMERA_POLICY``) as its first statement;
2. each camera's ``last_active_at`` is raised (never past the present), the rows locked in
   ``camera_id`` order (on PostgreSQL one ``SELECT ... ORDER BY camera_id FOR UPDATE``, then
   one UPDATE for all; elsewhere an UPDATE per camera in that order). Those row locks
   serialise the batches that share a camera;
   on SQLite, which has no row locks, a write as the first statement takes the database's
   write lock, so the busy timeout applies instead of an immediate "database is locked";
3. only then are the batch's source ids that already have a row looked up: under the
   camera locks no other consumer can be inserting them, so the remaining rows are exactly
   the ones this batch inserts (``COPY`` on PostgreSQL, with primary keys drawn from the
   sequences beforehand; ``bulk_create`` elsewhere);
4. statistics are incremented by those rows only, with ``INSERT ... ON CONFLICT DO UPDATE
   SET n = n + k``: no read-modify-write;
5. with ``outbox`` (the consumer's), a ``SignalOutbox`` row names the inserted rows, so
   the signal survives a crash between the commit and the receivers (``events.outbox``).

On PostgreSQL a batch takes a few round trips, however many entries and cameras it holds:
one for steps 1-3 (pipelined by psycopg 3), two per COPY, and one for steps 4-5 with the
COMMIT (their pipeline stays open until the commit).

Statistics are kept per camera and per UTC date of the event's timestamp. Everything runs
on the database the router picks for writing events (``default`` without a router).
"""

import logging
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from ..conf import analytics_settings
from ..models import Camera, EventStatistics, SignalOutbox
from ..statistics import COUNTERS, statistics_increments
from . import copy_text, zone_ingest
from .incoming import IncomingBatch
from .kinds import STORED_KINDS

logger = logging.getLogger(__name__)


class StoredEvents(Sequence):
    """The model instances of inserted rows, built on first use (most receivers never look).

    ``builders``: event type -> ``(count, function building its instances)``. ``of_type()``
    builds one type's instances only (the watchlist reads the ANPR events of a batch).
    """

    def __init__(self, builders):
        self._builders = builders
        self._built = {}
        self._items = None

    @classmethod
    def joined(cls, parts):
        """The events of several ``StoredEvents`` in a row."""
        types = dict.fromkeys(event_type for part in parts for event_type in part._builders)
        return cls(
            {
                event_type: (
                    sum(part._count(event_type) for part in parts),
                    lambda event_type=event_type: [
                        event for part in parts for event in part.of_type(event_type)
                    ],
                )
                for event_type in types
            }
        )

    def _count(self, event_type):
        return self._builders.get(event_type, (0, None))[0]

    def of_type(self, event_type):
        """The instances of the rows of one event type (``"detection"``, ...), a list."""
        if event_type not in self._built:
            count, build = self._builders.get(event_type, (0, None))
            self._built[event_type] = list(build()) if count else []
        return self._built[event_type]

    def _list(self):
        if self._items is None:
            self._items = [
                event for event_type in self._builders for event in self.of_type(event_type)
            ]
        return self._items

    def __len__(self):
        return sum(count for count, _build in self._builders.values())

    def __getitem__(self, index):
        return self._list()[index]

    def __iter__(self):
        return iter(self._list())


@dataclass
class StoredBatch:
    """What one committed transaction inserted, and the outbox row standing for its signal."""

    events: Sequence  # model instances with their primary keys (StoredEvents)
    camera_ids: set  # camera_id of the cameras that got rows
    counts: Counter  # event type -> rows inserted
    outbox_id: int | None = None


@dataclass
class IngestResult:
    """What one ``store_events`` call did, rows included.

    ``consumer.BatchResult.of`` keeps its figures (``counts``, ``duplicates``) for totals.
    """

    batches: list = field(default_factory=list)  # StoredBatch per committed transaction
    duplicates: int = 0  # entries whose row already existed
    rejected: list = field(default_factory=list)  # (IncomingEvent, reason)

    @property
    def counts(self):
        total = Counter()
        for batch in self.batches:
            total.update(batch.counts)
        return total

    @property
    def stored(self):
        return sum(len(batch.events) for batch in self.batches)

    def merge(self, other):
        self.batches += other.batches
        self.duplicates += other.duplicates
        self.rejected += other.rejected


def source_id_for(event: Any, stream_name: str, entry_id: str) -> str:
    """The row's unique source id: the producer's event id, else the stream entry id."""
    if event.event_id:
        return f"event:{event.event_id}"
    return f"{stream_name}:{entry_id}"


def store_events(incoming, *, unknown_camera_policy=None, outbox=False):
    """Store ``incoming`` (an IncomingBatch, or IncomingEvent items) in one transaction.

    Returns an IngestResult. ``outbox`` writes a ``SignalOutbox`` row for the inserted rows
    in the same transaction.
    """
    policy = unknown_camera_policy or analytics_settings.UNKNOWN_CAMERA_POLICY
    result = IngestResult()
    batch = incoming if isinstance(incoming, IncomingBatch) else IncomingBatch(incoming)
    result.duplicates += batch.duplicates
    if not batch.unique:
        return result

    using = events_database()
    connection = connections[using]
    latest = batch.latest
    draw_ids = _copies(connection)
    read_outbox_id = None
    # The pipeline of the closing statements stays open until the commit: on PostgreSQL
    # they go out with the COMMIT, and their answers come back with its answer.
    with ExitStack() as closing, transaction.atomic(using=using):
        # Sent together (one round trip on PostgreSQL): the camera rows are locked first,
        # then the lookups run under those locks.
        with _pipeline(connection), connection.cursor() as cameras_cursor:
            _touch_cameras(using, latest)
            cameras_cursor.execute(*_camera_query(connection, latest))
            lookup = _look_up(using, batch.by_type, draw_ids)
            cameras = dict(cameras_cursor.fetchall())
            existing, ids = lookup()
        unknown = latest.keys() - cameras.keys()
        if unknown and policy == "create":
            cameras.update(_create_cameras(using, unknown))
            _touch_cameras(using, {camera_id: latest[camera_id] for camera_id in unknown})
            # The first lookup ran before these cameras' rows were locked: another consumer
            # may have been inserting the same entries. Look again, under the locks.
            existing, ids = _look_up(using, batch.by_type, draw_ids)()
        elif unknown:
            batch = IncomingBatch(_reject_unknown(batch.unique, unknown, result))
        batch = zone_ingest.reject_unknown_zones(using, batch, cameras, result)
        inserted = _insert_rows(using, batch, cameras, existing, ids, result)
        zone_ingest.count(using, inserted.new, cameras)
        closing.enter_context(_pipeline(connection))
        _increment_statistics(using, inserted.increments, cameras)
        if outbox and inserted.counts:
            read_outbox_id = _write_outbox(using, inserted)
    if read_outbox_id is not None:
        inserted.outbox_id = read_outbox_id()
    if inserted.counts:
        result.batches.append(
            StoredBatch(inserted.events, inserted.camera_ids, inserted.counts, inserted.outbox_id)
        )
    return result


def events_database():
    """The database alias events, cameras and statistics are written to."""
    return router.db_for_write(EventStatistics)


def encodes_rows_ahead():
    """Whether ``store_events`` COPYs its rows: ``IncomingEvent.row`` then saves it work."""
    return _copies(connections[events_database()])


def _pipeline(connection):
    """Send the statements of the block without waiting for each (psycopg 3's pipeline)."""
    if not _copies(connection):
        return nullcontext()
    return _psycopg_pipeline(connection)


@contextmanager
def _psycopg_pipeline(connection):
    # Errors of pipelined statements surface when the pipeline syncs: as django.db's.
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def _camera_query(connection, camera_ids):
    """SQL and parameters of ``(camera_id, pk)`` for the cameras of ``camera_ids``."""
    quote = connection.ops.quote_name
    meta = Camera._meta
    column = quote(meta.get_field("camera_id").column)
    placeholders = ", ".join(["%s"] * len(camera_ids))
    return (
        f"SELECT {column}, {quote(meta.pk.column)} FROM {quote(meta.db_table)} "
        f"WHERE {column} IN ({placeholders})",
        list(camera_ids),
    )


def _reject_unknown(incoming, unknown, result):
    kept = []
    for item in incoming:
        if item.event.camera_id in unknown:
            reason = f"unknown camera {item.event.camera_id!r} (UNKNOWN_CAMERA_POLICY)"
            result.rejected.append((item, reason))
        else:
            kept.append(item)
    return kept


def _create_cameras(using, camera_ids):
    """Create the cameras (inactive, named after their id); returns camera_id -> pk."""
    Camera.objects.using(using).bulk_create(
        [
            Camera(camera_id=camera_id, name=camera_id, status=Camera.Status.INACTIVE)
            for camera_id in sorted(camera_ids)  # one order for every consumer: no deadlock
        ],
        ignore_conflicts=True,
    )
    created = dict(
        Camera.objects.using(using).filter(camera_id__in=camera_ids).values_list("camera_id", "pk")
    )
    logger.info("Created inactive camera(s) %s for their events", ", ".join(sorted(created)))
    return created


def _touch_cameras(using, latest):
    """Raise ``last_active_at`` to ``latest[camera_id]``, locking the rows in camera_id order."""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = Camera._meta
    table, column = quote(meta.db_table), quote(meta.get_field("last_active_at").column)
    camera_column = quote(meta.get_field("camera_id").column)
    now = utc_now()  # an event of a clock running ahead never dates a camera ahead
    camera_ids = sorted(latest)
    moments = [
        connection.ops.adapt_datetimefield_value(_db_datetime(min(latest[camera_id], now)))
        for camera_id in camera_ids
    ]
    # Never backwards, yet every row is written (and so locked), one after the other in the
    # order of the unique camera_id: batches sharing cameras queue here and never deadlock.

    def raise_to(moment):
        return (
            f"{column} = CASE WHEN {column} IS NULL OR {column} < {moment} "
            f"THEN {moment} ELSE {column} END"
        )

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two statements, however many cameras: the rows are locked in camera_id order
            # (the sort runs below the lock), then updated together.
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE {camera_column} = ANY(%s) "
                f"ORDER BY {camera_column} FOR UPDATE",
                [camera_ids],
            )
            cursor.execute(
                f"UPDATE {table} SET {raise_to('touched.moment')} "
                f"FROM unnest(%s::text[], %s::timestamptz[]) AS touched(camera_id, moment) "
                f"WHERE {table}.{camera_column} = touched.camera_id",
                [camera_ids, moments],
            )
        else:
            # One round trip (executemany), where the ORM would need an UPDATE per camera.
            cursor.executemany(
                f"UPDATE {table} SET {raise_to('%s')} WHERE {camera_column} = %s",
                [
                    (moment, moment, camera_id)
                    for camera_id, moment in zip(camera_ids, moments, strict=True)
                ],
            )


@dataclass
class _Inserted:
    new: dict = field(default_factory=dict)  # event type -> the items whose rows were inserted
    increments: dict = field(default_factory=dict)  # the statistics they add, by camera_id
    events: StoredEvents | None = None
    camera_ids: set = field(default_factory=set)
    counts: Counter = field(default_factory=Counter)
    event_ids: dict = field(default_factory=dict)  # event type -> [pk]
    outbox_id: int | None = None


def _insert_rows(using, batch, cameras, existing, ids, result):
    """Insert the rows that do not exist yet (COPY on PostgreSQL, else ``bulk_create``)."""
    inserted = _Inserted()
    new = inserted.new
    for event_type, items in batch.by_type.items():
        result.duplicates += len(existing[event_type])
        if existing[event_type]:
            items = [item for item in items if item.source_id not in existing[event_type]]
        if items:
            new[event_type] = items
    if not new:
        return inserted
    if _copies(connections[using]):
        rows, builders = _copy_rows(using, new, cameras, ids)
    else:
        rows, builders = _create_rows(using, new, cameras)
    for event_type, items in new.items():
        inserted.counts[event_type] = len(items)
        inserted.event_ids[event_type] = [pk for pk, _item in rows[event_type]]
    if inserted.counts.total() == len(batch.unique):  # the common case: derived ahead
        inserted.camera_ids = set(batch.latest)
        inserted.increments = batch.increments
    else:
        items = [item for items in new.values() for item in items]
        inserted.camera_ids = {item.event.camera_id for item in items}
        inserted.increments = statistics_increments(
            (item.event.camera_id, item.event) for item in items
        )
    inserted.events = StoredEvents(
        {event_type: (len(items), builders[event_type]) for event_type, items in new.items()}
    )
    return inserted


def _look_up(using, by_type, draw_ids=False):
    """Send the query for the source ids of ``by_type``'s items that have a row already.

    ``draw_ids`` (PostgreSQL) draws a primary key per item from each table's sequence in
    the same query (those of duplicates are left unused). Returns a function that reads the
    answer as ``(existing, ids)``: event type -> set of source ids, -> list of keys.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    parts = []
    params = []
    types = list(by_type)
    for index, event_type in enumerate(types):
        meta = STORED_KINDS[event_type].model._meta
        table, column = quote(meta.db_table), quote(meta.get_field("source_id").column)
        items = by_type[event_type]
        source_ids = [item.source_id for item in items if not item.unseen]
        if source_ids:
            if connection.vendor == "postgresql":
                # One array parameter: no query text of a thousand placeholders to parse.
                condition, values = f"{column} = ANY(%s)", [source_ids]
            else:
                condition = f"{column} IN ({', '.join(['%s'] * len(source_ids))})"
                values = source_ids
            parts.append(f"SELECT {index}, {column}, NULL FROM {table} WHERE {condition}")
            params += values
        if draw_ids:
            parts.append(f"SELECT {index}, NULL, nextval(%s::regclass) FROM generate_series(1, %s)")
            params += [_sequence(connection, meta), len(items)]
    existing = {event_type: set() for event_type in types}
    ids = {event_type: [] for event_type in types}
    if not parts:
        return lambda: (existing, ids)
    cursor = connection.cursor()
    cursor.execute(" UNION ALL ".join(parts), params)

    def read():
        with cursor:
            for index, source_id, pk in cursor.fetchall():
                if pk is None:
                    existing[types[index]].add(source_id)
                else:
                    ids[types[index]].append(pk)
        return existing, ids

    return read


_sequences: dict[
    tuple[str, str], str
] = {}  # (database alias, table) -> the name of its primary key's sequence


def _sequence(connection, meta):
    key = (connection.alias, meta.db_table)
    if key not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
            _sequences[key] = cursor.fetchone()[0]
    return _sequences[key]


def _copies(connection):
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _type_values(event):
    """The values of the type's own fields (``StoredKind.fields``) of the row for ``event``."""
    return STORED_KINDS[event.event_type].values(event, _db_datetime)


def _type_fields(event):
    """The type's own field values of the row for ``event`` (attribute name -> value)."""
    return dict(zip(STORED_KINDS[event.event_type].fields, _type_values(event), strict=True))


def _copy_rows(using, new, cameras, ids):
    """COPY the rows with the primary keys ``ids`` (drawn beforehand, per event type).

    Returns ``{event type: [(pk, item)]}`` and ``{event type: function building its model
    instances}``.

    Django's bulk insert on PostgreSQL sends each column as an array literal, and psycopg
    escapes every quote of every JSON value in it: 6-8 times the CPU of COPY per row. The
    rows go out as COPY text, one string per event type: encoded ahead by the consumer's
    reader thread (``IncomingEvent.row``), else here (``copy_text``). COPY has no ON
    CONFLICT, which the lookup of existing rows under the camera locks makes unnecessary; a
    conflict left (a producer reusing an event id on another camera) fails the batch, and
    the consumer isolates and dead-letters the entry.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    now = utc_now()
    rows = {}
    # The raw psycopg cursor: its errors are turned into django.db's here.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        for event_type, items in new.items():
            model = STORED_KINDS[event_type].model
            columns = ", ".join(
                quote(model._meta.get_field(name).column) for name in copy_text.columns(event_type)
            )
            # More ids than items when some were duplicates: the rest stay unused.
            pairs = list(zip(ids[event_type], items, strict=False))
            text = copy_text.batch_text(
                (
                    (pk, cameras[item.event.camera_id], item.row or _encode_row(item))
                    for pk, item in pairs
                ),
                now,
            )
            statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                copy.write(text)
            rows[event_type] = pairs
    builders = {
        event_type: partial(_instances, using, event_type, pairs, cameras, _db_datetime(now))
        for event_type, pairs in rows.items()
    }
    return rows, builders


def _encode_row(item):
    return copy_text.encode_row(item.event, item.source_id)


def _create_rows(using, new, cameras):
    """``bulk_create`` the rows; returns what ``_copy_rows`` does."""
    rows = {}
    builders = {}
    for event_type, items in new.items():
        model = STORED_KINDS[event_type].model
        objects = [
            model(
                camera_id=cameras[item.event.camera_id],
                timestamp=_db_datetime(item.event.timestamp),
                frame_number=item.event.frame_number,
                source_id=item.source_id,
                **_type_fields(item.event),
            )
            for item in items
        ]
        model.objects.using(using).bulk_create(objects)
        if any(obj.pk is None for obj in objects):  # a backend that returns no keys
            found = dict(
                model.objects.using(using)
                .filter(source_id__in=[obj.source_id for obj in objects])
                .values_list("source_id", "pk")
            )
            for obj in objects:
                obj.pk = found[obj.source_id]
        rows[event_type] = [(obj.pk, item) for obj, item in zip(objects, items, strict=True)]
        builders[event_type] = partial(list, objects)
    return rows, builders


def _instances(using, event_type, pairs, cameras, created_at):
    """Model instances of the COPYed rows ``pairs`` (``(pk, item)``), as loaded from the database.

    Built as unpickling builds them (``__new__`` and the attribute dict): every field is
    given, and ``Model.__init__`` would cost more than the rest of a row's ingest.
    """
    model, names = STORED_KINDS[event_type].model, STORED_KINDS[event_type].columns
    instances = []
    for pk, item in pairs:
        event = item.event
        values = (
            pk,
            cameras[event.camera_id],
            _db_datetime(event.timestamp),
            event.frame_number,
            created_at,
            False,
            item.source_id,
            *_type_values(event),
        )
        instance = model.__new__(model)
        instance.__dict__.update(zip(names, values, strict=True))
        instance._state = ModelState()
        instance._state.adding = False
        instance._state.db = using
        instances.append(instance)
    return instances


def _write_outbox(using, inserted):
    """Send the INSERT of the ``SignalOutbox`` row; returns a function reading its key.

    Not the ORM's ``create()``, which reads the key at once: in a pipeline that would wait
    for the server before the COMMIT is even sent. Without a pipeline (SQLite, whose
    RETURNING statement stays open until read) the key is read at once.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = SignalOutbox._meta
    values = {
        "created_at": _db_datetime(utc_now()),
        "event_ids": inserted.event_ids,
        "camera_ids": sorted(inserted.camera_ids),
    }
    fields = [meta.get_field(name) for name in values]
    cursor = connection.cursor()
    cursor.execute(
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(meta.pk.column)}",
        [field.get_db_prep_save(values[field.name], connection) for field in fields],
    )

    def read():
        with cursor:
            return cursor.fetchone()[0]

    if _copies(connection):
        return read
    key = read()
    return lambda: key


def _increment_statistics(using, increments, cameras):
    """Add ``increments`` (by camera_id and date) to their rows: one upsert, in key order.

    ``INSERT ... ON CONFLICT DO UPDATE SET n = n + k`` never reads and writes back, so
    concurrent batches cannot lose counts; the key order keeps them from deadlocking. On
    PostgreSQL the keys and counts go as one array per column (``unnest``): the statement's
    text is the same for every batch, where a ``VALUES`` row per key had psycopg parse a
    new text of hundreds of placeholders each time.
    """
    if not increments:
        return
    increments = {(cameras[camera_id], day): n for (camera_id, day), n in increments.items()}
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = EventStatistics._meta
    table = quote(meta.db_table)
    counters = [quote(meta.get_field(name).column) for name in COUNTERS]
    camera, date = quote(meta.get_field("camera").column), quote(meta.get_field("date").column)
    created, updated = (quote(meta.get_field(name).column) for name in ("created_at", "updated_at"))
    columns = ", ".join([camera, date, *counters, created, updated])
    keys = sorted(increments)
    now = connection.ops.adapt_datetimefield_value(_db_datetime(utc_now()))
    counts = [[increments[key][name] for key in keys] for name in COUNTERS]
    if connection.vendor == "postgresql":
        names = [f"n{index}" for index in range(len(COUNTERS))]
        source = (
            f"SELECT camera, day, {', '.join(names)}, %s::timestamptz, %s::timestamptz "
            f"FROM unnest(%s::bigint[], %s::date[], {', '.join(['%s::bigint[]'] * len(names))}) "
            f"WITH ORDINALITY AS increment(camera, day, {', '.join(names)}, position) "
            "ORDER BY position"
        )
        params = [now, now, [key[0] for key in keys], [key[1] for key in keys], *counts]
    else:
        row = f"({', '.join(['%s'] * (len(COUNTERS) + 4))})"
        source = f"VALUES {', '.join([row] * len(keys))}"
        params = []
        for index, key in enumerate(keys):
            params += [key[0], connection.ops.adapt_datefield_value(key[1])]
            params += [column[index] for column in counts]
            params += [now, now]
    assignments = [f"{column} = {table}.{column} + EXCLUDED.{column}" for column in counters]
    statement = (
        f"INSERT INTO {table} ({columns}) {source} "
        f"ON CONFLICT ({camera}, {date}) DO UPDATE SET {', '.join(assignments)}, "
        f"{updated} = EXCLUDED.{updated}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def utc_now():
    """The present, aware: event timestamps are, even where ``USE_TZ`` is off."""
    return datetime.now(dt_timezone.utc)


def _db_datetime(value):
    # Aware datetimes everywhere, except in projects that keep naive local times.
    if settings.USE_TZ:
        return value
    return timezone.make_naive(value)
