"""Ingest benchmark: the older guide's per-entry consumer, ours, and a bare COPY ceiling.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/ingest.py

Fills a stream with mixed entries (70 % detection with 1-5 boxes, 25 % motion, 5 % anpr,
20 cameras), then reads it three times, into fresh databases created beside DATABASE_URL's
(``dva_bench_ingest_naive``, ``dva_bench_ingest_bulk``; dropped at the end):

(a) the naive consumer of the older integration guide: XREAD from an in-memory last id,
    and per entry a camera lookup, a camera save, an insert, and a statistics
    get_or_create + save (over the first ``--naive-entries`` only: it is slow);
(b) ours: ``ConsumerRunner(EventConsumer(), burst=True)``, as ``consume_events --burst``,
    with statistics, dedup, acknowledgements, the outbox and the package's own
    ``events_stored`` receivers (watchlist, widget cache);
(c) the ceiling: the same entries read with XRANGE in batches of the same size, decoded
    with the same JSON decoder, and COPYed by plain psycopg into scratch copies of the event
    tables (``LIKE ... INCLUDING ALL``: the same indexes, no foreign key), one transaction per
    batch; measured before and after (b), as the load of a shared machine drifts.

Prints entries/s for the three, ours against the naive one and against the ceiling, and
checks that the rows of the naive run equal ours. Targets: ours >= 10,000 entries/s and
>= 50 % of the ceiling on a quiet machine.
"""

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import postgres  # noqa: E402

DATABASES = {"default": "dva_bench_ingest_bulk", "naive": "dva_bench_ingest_naive"}
CAMERAS = 20
START = datetime(2026, 11, 20, tzinfo=timezone.utc)
CLASSES = ("person", "car", "truck", "bus", "bicycle", "motorcycle")


def make_entries(count, seed=7):
    from django_video_analytics.events import wire

    rng = random.Random(seed)
    entries = []
    for index in range(count):
        camera_id = f"cam-{index % CAMERAS:02d}"
        moment = START + timedelta(seconds=5 * index)  # about three days: several dates
        roll = rng.random()
        if roll < 0.70:
            boxes = [
                {
                    "class_name": rng.choice(CLASSES),
                    "confidence": round(rng.uniform(0.3, 1.0), 3),
                    "bounding_box": {
                        "x": round(rng.random() * 0.8, 4),
                        "y": round(rng.random() * 0.8, 4),
                        "width": 0.1,
                        "height": 0.2,
                    },
                }
                for _ in range(rng.randint(1, 5))
            ]
            entry = wire.build_detection(camera_id, moment, index, boxes, "yolov8n", "8.1.0")
        elif roll < 0.95:
            entry = wire.build_motion(
                camera_id, moment, index, round(rng.random(), 4), round(rng.uniform(0, 100), 3)
            )
        else:
            entry = wire.build_anpr(
                camera_id, moment, index, f"AB{rng.randint(0, 99999):05d}", 0.9, region=None
            )
        entries.append(entry)
    return entries


# (a) The older guide's consumer, kept as it was written there -----------------------------


def naive_consume(redis_client, stream, alias, limit):
    from django_video_analytics.models import (
        ANPREvent,
        Camera,
        DetectionEvent,
        EventStatistics,
        MotionEvent,
    )
    from django_video_analytics.statistics import class_counter

    last_id = "0"
    processed = 0
    while processed < limit:
        response = redis_client.xread({stream: last_id}, count=100)
        if not response:
            break
        for entry_id, fields in response[0][1]:
            last_id = entry_id
            entry_id = entry_id.decode()
            data = json.loads(fields[b"data"])
            timestamp = datetime.fromisoformat(data["timestamp"].replace("Z", "+00:00"))
            camera, _ = Camera.objects.using(alias).get_or_create(
                camera_id=data["camera_id"],
                defaults={"name": data["camera_id"], "status": Camera.Status.INACTIVE},
            )
            camera.last_active_at = timestamp
            camera.save(using=alias)
            common = {
                "camera": camera,
                "timestamp": timestamp,
                "frame_number": data["frame_number"],
                "source_id": f"{stream}:{entry_id}",
            }
            stats, _ = EventStatistics.objects.using(alias).get_or_create(
                camera=camera, date=timestamp.date()
            )
            if data["event_type"] == "detection":
                DetectionEvent.objects.using(alias).create(
                    **common,
                    detections=data["detections"],
                    detection_count=len(data["detections"]),
                    model_type=data["model_info"]["model_type"],
                    model_version=data["model_info"]["version"],
                )
                stats.detection_count += 1
                for detection in data["detections"]:
                    column = class_counter(detection["class_name"])
                    setattr(stats, column, getattr(stats, column) + 1)
            elif data["event_type"] == "motion":
                MotionEvent.objects.using(alias).create(
                    **common,
                    motion_intensity=data["motion_intensity"],
                    affected_area_percentage=data["affected_area_percentage"],
                )
                stats.motion_count += 1
            elif data["event_type"] == "anpr":
                result = data["anpr_result"]
                ANPREvent.objects.using(alias).create(
                    **common,
                    license_plate=result["license_plate"],
                    confidence=result["confidence"],
                    region=result.get("region"),
                )
                stats.anpr_count += 1
            stats.save(using=alias)
            processed += 1
            if processed >= limit:
                break
    return processed


# (b) Ours -----------------------------------------------------------------------------------


def bulk_consume(stream):
    from django_video_analytics.events.consumer import EventConsumer
    from django_video_analytics.events.runner import ConsumerRunner

    consumer = EventConsumer("benchmark", stream_name=stream, group=f"bench-{uuid.uuid4().hex}")
    runner = ConsumerRunner(consumer, burst=True)
    assert runner.run() == 0
    consumer.redis.xgroup_destroy(stream, consumer.group)
    return runner.totals


# Checking -----------------------------------------------------------------------------------


def snapshot(alias, limit_source_ids=None):
    """Everything both consumers must agree on, as comparable Python values."""
    from django_video_analytics.events.kinds import STORED_KINDS
    from django_video_analytics.models import Camera, EventStatistics
    from django_video_analytics.statistics import COUNTERS

    rows = {}
    for name, kind in STORED_KINDS.items():
        columns = ("source_id", "camera__camera_id", "timestamp", "frame_number", *kind.fields)
        rows[name] = list(
            kind.model.objects.using(alias).order_by("source_id").values_list(*columns)
        )
    cameras = list(
        Camera.objects.using(alias)
        .order_by("camera_id")
        .values_list("camera_id", "status", "last_active_at")
    )
    statistics = list(
        EventStatistics.objects.using(alias)
        .order_by("camera__camera_id", "date")
        .values_list("camera__camera_id", "date", *COUNTERS)
    )
    return rows, cameras, statistics


def consumer_batch_size():
    from django_video_analytics.conf import analytics_settings

    return analytics_settings.CONSUMER_BATCH_SIZE


def same_rows(prefix):
    """The naive run's rows (the stream's first ``prefix`` entries) equal ours."""
    naive_rows, _cameras, _statistics = snapshot("naive")
    ours, _cameras, _statistics = snapshot("default")
    for model, rows in naive_rows.items():
        source_ids = {row[0] for row in rows}
        if rows != [row for row in ours[model] if row[0] in source_ids]:
            return False
    return sum(len(rows) for rows in naive_rows.values()) == prefix


class StatementCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


# (c) The ceiling ---------------------------------------------------------------------------


def bare_copy(redis_client, stream, batch_size):
    """COPY the stream's rows into scratch tables, with nothing but decoding; returns rows."""
    from django.db import connections

    from django_video_analytics.events import wire
    from django_video_analytics.models import ANPREvent, DetectionEvent, MotionEvent

    tables = {
        "detection": DetectionEvent._meta.db_table,
        "motion": MotionEvent._meta.db_table,
        "anpr": ANPREvent._meta.db_table,
    }
    columns = {
        "detection": "camera_id, timestamp, frame_number, created_at, processed, source_id, "
        "detections, detection_count, model_type, model_version, snapshot",
        "motion": "camera_id, timestamp, frame_number, created_at, processed, source_id, "
        "motion_intensity, affected_area_percentage",
        "anpr": "camera_id, timestamp, frame_number, created_at, processed, source_id, "
        "license_plate, confidence, region, candidates, snapshot",
    }
    connection = connections["default"]
    connection.ensure_connection()
    raw = connection.connection  # plain psycopg, autocommit
    cameras = {}  # camera_id -> a key of its own (the scratch tables have no foreign key)
    for table in tables.values():
        raw.execute(f"CREATE TABLE scratch_{table} (LIKE {table} INCLUDING ALL)")
    stored = 0
    cursor = "-"
    now = datetime.now(timezone.utc)
    while True:
        entries = redis_client.xrange(stream, min=cursor, count=batch_size)
        if not entries:
            break
        cursor = "(" + entries[-1][0].decode()
        rows = {kind: [] for kind in tables}
        for entry_id, fields in entries:
            data = wire._loads(fields[b"data"].decode())
            kind = data["event_type"]
            common = [
                cameras.setdefault(data["camera_id"], len(cameras) + 1),
                datetime.fromisoformat(data["timestamp"]),
                data["frame_number"],
                now,
                False,
                f"{stream}:{entry_id.decode()}",
            ]
            if kind == "detection":
                info = data["model_info"]
                detections = data["detections"]
                common += [wire.dumps(detections), len(detections), info["model_type"],
                           info["version"], ""]  # fmt: skip
            elif kind == "motion":
                common += [data["motion_intensity"], data["affected_area_percentage"]]
            else:
                plate = data["anpr_result"]
                common += [plate["license_plate"], plate["confidence"], plate.get("region"),
                           "[]", ""]  # fmt: skip
            rows[kind].append(common)
        with raw.transaction():
            for kind, kind_rows in rows.items():
                if not kind_rows:
                    continue
                statement = f"COPY scratch_{tables[kind]} ({columns[kind]}) FROM STDIN"
                with raw.cursor() as copy_cursor, copy_cursor.copy(statement) as copy:
                    for row in kind_rows:
                        copy.write_row(row)
        stored += len(entries)
    for table in tables.values():
        raw.execute(f"DROP TABLE scratch_{table}")
    return stored


def load():
    """The machine's load averages: the figures of a shared machine depend on them."""
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def ceiling(redis_client, stream, when):
    from django_video_analytics.events.runner import fewer_collections

    started = time.perf_counter()
    with fewer_collections():  # the garbage collector's settings of (b), which pay here too
        copied = bare_copy(redis_client, stream, consumer_batch_size())
    seconds = time.perf_counter() - started
    print(
        f"(c) bare COPY ceiling, {when}: {copied:,} entries in {seconds:.1f} s = "
        f"{copied / seconds:,.0f} entries/s (decode + COPY into scratch tables, same indexes; "
        f"{load()})"
    )
    return copied / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument(
        "--naive-entries",
        type=int,
        default=2_000,
        help="Run the naive consumer over this many entries only (default: 2,000).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the databases afterwards.")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    server = postgres.configure(database_url, DATABASES, {"REDIS_URL": redis_url})

    from django.core.management import call_command
    from django.db import connections

    from django_video_analytics.connection import get_redis
    from django_video_analytics.events.publisher import EventPublisher

    postgres.recreate_databases(server, DATABASES.values())
    for alias in DATABASES:
        call_command("migrate", database=alias, verbosity=0)
    redis_client = get_redis()
    stream = f"bench:ingest:{uuid.uuid4().hex[:12]}"
    try:
        started = time.perf_counter()
        entries = make_entries(args.entries)
        EventPublisher(stream_name=stream, maxlen=0).publish_many(entries)
        kinds = {}
        for entry in entries:
            kind = json.loads(entry["data"])["event_type"]
            kinds[kind] = kinds.get(kind, 0) + 1
        mix = ", ".join(f"{n:,} {kind}" for kind, n in kinds.items())
        print(
            f"stream: {len(entries):,} entries ({mix}; {CAMERAS} cameras) built and published "
            f"in {time.perf_counter() - started:.1f} s"
        )

        naive_limit = min(args.naive_entries or args.entries, args.entries)
        counter = StatementCounter()
        with connections["naive"].execute_wrapper(counter):
            started = time.perf_counter()
            naive_done = naive_consume(redis_client, stream, "naive", naive_limit)
            naive_seconds = time.perf_counter() - started
        naive_rate = naive_done / naive_seconds
        print(
            f"(a) naive per-entry consumer: {naive_done:,} entries in {naive_seconds:.1f} s = "
            f"{naive_rate:,.0f} entries/s ({counter.count / naive_done:.1f} SQL statements/entry)"
            + (" [a prefix of the stream]" if naive_done < args.entries else "")
        )

        ceiling_before = ceiling(redis_client, stream, "before (b)")
        counter = StatementCounter()
        with connections["default"].execute_wrapper(counter):
            started = time.perf_counter()
            totals = bulk_consume(stream)
            bulk_seconds = time.perf_counter() - started
        bulk_rate = totals.stored / bulk_seconds
        print(
            f"(b) our bulk consumer:        {totals.stored:,} entries in {bulk_seconds:.1f} s = "
            f"{bulk_rate:,.0f} entries/s ({counter.count / totals.stored:.3f} statements/entry "
            f"through Django's cursor, plus one COPY per event type and batch; {load()})"
        )

        ceiling_after = ceiling(redis_client, stream, "after (b)")
        copy_rate = (ceiling_before + ceiling_after) / 2  # the machine's load drifts
        print(
            f"ours / naive: {bulk_rate / naive_rate:.1f}x; ours / ceiling: "
            f"{bulk_rate / copy_rate:.0%} of the mean ceiling (targets: >= 10,000 entries/s, "
            ">= 50 % of the ceiling)"
        )

        same = totals.stored == args.entries and same_rows(naive_done)
        print(f"ours stored every entry, and the naive run's rows equal ours: {same}")
        return 0 if same else 1
    finally:
        redis_client.delete(stream)
        for alias in DATABASES:
            connections[alias].close()
        if not args.keep:
            postgres.recreate_databases(server, DATABASES.values(), drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
