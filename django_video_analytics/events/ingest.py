"""Store a batch of validated events: bulk rows, ``last_active_at`` and daily statistics.

One transaction per batch, whose statements come in an order that keeps every count exact
when several consumers store the same entries at once (a redelivery, a claim):

1. the cameras are resolved before the transaction; unknown ones are created (or their
   events rejected, per ``UNKNOWN_CAMERA_POLICY``) as its first statement;
2. each camera's ``last_active_at`` is raised, an UPDATE per camera in primary-key order.
   Those row locks serialise the batches that share a camera; on SQLite, which has no row
   locks, a write as the first statement takes the database's write lock, so the busy
   timeout applies instead of an immediate "database is locked";
3. only then are the batch's source ids that already have a row looked up: under the
   camera locks no other consumer can be inserting them, so the remaining rows are exactly
   the ones this batch inserts (``bulk_insert``);
4. statistics are incremented by those rows only, with ``UPDATE ... SET n = n + k`` on rows
   created beforehand with ``bulk_create(ignore_conflicts=True)``: no read-modify-write.

About a dozen round trips per batch, however many entries and cameras it holds: the
per-camera and per-day UPDATEs go as one ``executemany`` each (pipelined by psycopg 3).

Statistics are kept per camera and per UTC date of the event's timestamp. Everything runs
on the database the router picks for writing events (``default`` without a router).
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from ..conf import analytics_settings
from ..models import ANPREvent, Camera, DetectionEvent, EventStatistics, MotionEvent
from ..statistics import COUNTERS, statistics_increments
from .wire import WireEvent

logger = logging.getLogger(__name__)

MODELS = {"detection": DetectionEvent, "motion": MotionEvent, "anpr": ANPREvent}


@dataclass(frozen=True)
class IncomingEvent:
    """A parsed entry on its way to the database; ``entry_id`` is the caller's handle."""

    entry_id: str
    source_id: str
    event: WireEvent


@dataclass
class IngestResult:
    created: list = field(default_factory=list)  # the inserted model instances
    counts: Counter = field(default_factory=Counter)  # event type -> rows inserted
    duplicates: int = 0  # entries whose row already existed
    camera_ids: set = field(default_factory=set)  # cameras that got new rows
    rejected: list = field(default_factory=list)  # (IncomingEvent, reason)

    def merge(self, other):
        self.created += other.created
        self.counts.update(other.counts)
        self.duplicates += other.duplicates
        self.camera_ids |= other.camera_ids
        self.rejected += other.rejected


def source_id_for(event: Any, stream_name: str, entry_id: str) -> str:
    """The row's unique source id: the producer's event id, else the stream entry id."""
    if event.event_id:
        return f"event:{event.event_id}"
    return f"{stream_name}:{entry_id}"


def store_events(
    incoming: list[IncomingEvent],
    *,
    unknown_camera_policy: str | None = None,
    fetch_ids: bool = False,
) -> IngestResult:
    """Store ``incoming`` (IncomingEvent list) in one transaction; returns an IngestResult.

    ``fetch_ids`` sets the primary keys of the created instances (one more query per event
    type; bulk inserts that ignore conflicts return none).
    """
    policy = unknown_camera_policy or analytics_settings.UNKNOWN_CAMERA_POLICY
    result = IngestResult()
    incoming = _first_of_each_source(incoming, result)
    if not incoming:
        return result

    using = events_database()
    wanted = {item.event.camera_id for item in incoming}
    cameras = dict(
        Camera.objects.using(using).filter(camera_id__in=wanted).values_list("camera_id", "pk")
    )
    unknown = wanted - cameras.keys()
    if unknown and policy != "create":
        incoming = _reject_unknown(incoming, unknown, result)
        unknown = set()
        if not incoming:
            return result

    with transaction.atomic(using=using):
        if unknown:
            cameras.update(_create_cameras(using, unknown))
        _touch_cameras(using, incoming, cameras)
        rows = _insert_rows(using, incoming, cameras, result)
        _increment_statistics(using, rows)
    if fetch_ids:
        _fetch_ids(using, result.created)
    return result


def events_database():
    """The database alias events, cameras and statistics are written to."""
    return router.db_for_write(EventStatistics)


def _first_of_each_source(incoming, result):
    seen = set()
    unique = []
    for item in incoming:
        key = (item.event.event_type, item.source_id)  # source ids are unique per table
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        unique.append(item)
    return unique


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


def _touch_cameras(using, incoming, cameras):
    """Raise the cameras' ``last_active_at``, locking their rows in primary-key order."""
    latest = {}
    for item in incoming:
        pk = cameras[item.event.camera_id]
        timestamp = item.event.timestamp
        if pk not in latest or timestamp > latest[pk]:
            latest[pk] = timestamp
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = Camera._meta
    table, column = quote(meta.db_table), quote(meta.get_field("last_active_at").column)
    # Never backwards, yet every row is written (and so locked), one after the other in key
    # order: batches sharing cameras queue here and never deadlock. One round trip
    # (executemany), where the ORM would need an UPDATE per camera.
    statement = (
        f"UPDATE {table} SET {column} = CASE WHEN {column} IS NULL OR {column} < %s "
        f"THEN %s ELSE {column} END WHERE {quote(meta.pk.column)} = %s"
    )
    params = []
    for pk in sorted(latest):
        moment = connection.ops.adapt_datetimefield_value(_db_datetime(latest[pk]))
        params.append((moment, moment, pk))
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)


def _insert_rows(using, incoming, cameras, result):
    """Insert the rows that do not exist yet; returns them as (camera pk, event) pairs."""
    by_type = defaultdict(list)
    for item in incoming:
        by_type[item.event.event_type].append(item)
    camera_ids = {pk: camera_id for camera_id, pk in cameras.items()}
    inserted = []
    for event_type, items in by_type.items():
        model = MODELS[event_type]
        existing = set(
            model.objects.using(using)
            .filter(source_id__in=[item.source_id for item in items])
            .values_list("source_id", flat=True)
        )
        objects = []
        for item in items:
            if item.source_id in existing:
                result.duplicates += 1
                continue
            pk = cameras[item.event.camera_id]
            objects.append(_row(model, item, pk))
            inserted.append((pk, item.event))
            result.camera_ids.add(camera_ids[pk])
        if objects:
            bulk_insert(using, model, objects)
            result.created += objects
            result.counts[event_type] += len(objects)
    return inserted


def bulk_insert(using, model, objects):
    """Insert ``objects``: COPY on PostgreSQL with psycopg 3, else ``bulk_create``.

    Django's bulk insert on PostgreSQL sends each column as an array literal, and psycopg
    escapes every quote of every JSON value in it: 6-8 times the CPU of COPY per row, and
    the difference between meeting and missing the consumer's throughput. COPY has no ON
    CONFLICT, which the lookup of existing rows under the camera locks makes unnecessary; a
    conflict left (a producer reusing an event id on another camera) fails the batch, and
    the consumer isolates the entry and dead-letters it with the constraint's message.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        from django.db.backends.postgresql.psycopg_any import is_psycopg3

        if is_psycopg3:
            _copy(connection, model, objects)
            return
    model.objects.using(using).bulk_create(objects, ignore_conflicts=True)


def _copy(connection, model, objects):
    # Every column but the serial key, with the values Django itself would write
    # (auto_now_add, defaults, JSON and file adapters), so the models stay the source.
    fields = [field for field in model._meta.concrete_fields if field is not model._meta.pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    # The raw psycopg cursor: its errors are turned into django.db's here.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        with cursor.cursor.copy(statement) as copy:
            for obj in objects:
                copy.write_row(
                    [
                        field.get_db_prep_save(field.pre_save(obj, True), connection)
                        for field in fields
                    ]
                )


def _row(model, item, camera_pk):
    event = item.event
    common = {
        "camera_id": camera_pk,
        "timestamp": _db_datetime(event.timestamp),
        "frame_number": event.frame_number,
        "source_id": item.source_id,
    }
    if model is DetectionEvent:
        return DetectionEvent(
            **common,
            detections=list(event.detections),
            detection_count=len(event.detections),
            model_type=event.model_type,
            model_version=event.model_version,
            snapshot=event.snapshot or "",
        )
    if model is MotionEvent:
        return MotionEvent(
            **common,
            motion_intensity=event.motion_intensity,
            affected_area_percentage=event.affected_area_percentage,
        )
    return ANPREvent(
        **common,
        license_plate=event.license_plate,
        confidence=event.confidence,
        region=event.region,
        candidates=list(event.candidates),
        snapshot=event.snapshot or "",
    )


def _increment_statistics(using, rows):
    increments = statistics_increments(rows)
    if not increments:
        return
    keys = sorted(increments)
    EventStatistics.objects.using(using).bulk_create(
        [EventStatistics(camera_id=pk, date=day) for pk, day in keys], ignore_conflicts=True
    )
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = EventStatistics._meta
    column = {name: quote(meta.get_field(name).column) for name in COUNTERS}
    # n = n + k, the F() expression's SQL, for every (camera, date) in one round trip.
    assignments = ", ".join(f"{column[name]} = {column[name]} + %s" for name in column)
    statement = (
        f"UPDATE {quote(meta.db_table)} SET {assignments}, "
        f"{quote(meta.get_field('updated_at').column)} = %s "
        f"WHERE {quote(meta.get_field('camera').column)} = %s "
        f"AND {quote(meta.get_field('date').column)} = %s"
    )
    now = connection.ops.adapt_datetimefield_value(_db_datetime(timezone.now()))
    params = [
        [increments[key][name] for name in column]
        + [now, key[0], connection.ops.adapt_datefield_value(key[1])]
        for key in keys
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)


def _fetch_ids(using, created):
    by_model = defaultdict(dict)
    for instance in created:
        by_model[type(instance)][instance.source_id] = instance
    for model, instances in by_model.items():
        found = (
            model.objects.using(using)
            .filter(source_id__in=list(instances))
            .values_list("source_id", "pk")
        )
        for source_id, pk in found:
            instances[source_id].pk = pk


def _db_datetime(value):
    # Aware datetimes everywhere, except in projects that keep naive local times.
    if settings.USE_TZ:
        return value
    return timezone.make_naive(value)
