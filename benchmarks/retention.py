"""Retention benchmark: ``cleanup_events`` on a large detection table, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/retention.py --rows 1000000

Fills a fresh database (``dva_bench_retention``, dropped at the end) with ``--rows``
detection events over 60 days (generate_series, one statement), keeps 30 days, and runs
the retention while a writer thread inserts one event every 10 ms on the same table (as a
consumer would). Prints rows deleted, total time, the longest batch (the longest any lock
taken by the retention is held) and the writer's slowest insert during the run.
"""

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import postgres  # noqa: E402

DATABASE = "dva_bench_retention"
KEEP_DAYS = 30


def fill(rows):
    """``rows`` detection events spread evenly over the last 60 days, in primary-key order."""
    from django.db import connection

    from django_video_analytics.models import Camera

    camera = Camera.objects.create(camera_id="bench", name="bench")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO video_analytics_detectionevent
                (camera_id, timestamp, frame_number, created_at, processed, source_id,
                 detections, detection_count, model_type, model_version, snapshot)
            SELECT %s, now() - interval '60 days' + (n * interval '60 days') / %s, n, now(),
                   false, 'bench:' || n,
                   '[{"class_name": "person", "confidence": 0.9}]'::jsonb, 1,
                   'yolov8n', '8.1.0', ''
            FROM generate_series(1, %s) AS n
            """,
            [camera.pk, rows, rows],
        )
        cursor.execute("ANALYZE video_analytics_detectionevent")
    return camera


class Writer(threading.Thread):
    """Inserts an event every 10 ms and records how long each insert took."""

    def __init__(self, camera):
        super().__init__(daemon=True)
        self.camera = camera
        self.latencies = []
        self.stopping = threading.Event()

    def run(self):
        from django.db import connection
        from django.utils import timezone

        from django_video_analytics.models import DetectionEvent

        index = 0
        try:
            while not self.stopping.is_set():
                started = time.monotonic()
                DetectionEvent.objects.create(
                    camera=self.camera, timestamp=timezone.now(), source_id=f"live:{index}"
                )
                self.latencies.append(time.monotonic() - started)
                index += 1
                time.sleep(0.01)
        finally:
            connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="Rows to fill (default 200k).")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()

    import os

    server = postgres.configure(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        {"default": DATABASE},
        {"RETENTION_DETECTION_DAYS": KEEP_DAYS},
    )
    postgres.recreate_databases(server, [DATABASE])
    try:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.monotonic()
        camera = fill(args.rows)
        print(f"filled {args.rows} rows in {time.monotonic() - started:.1f} s")

        from django_video_analytics.operations.retention import apply_retention

        writer = Writer(camera)
        writer.start()
        started = time.monotonic()
        report = apply_retention(batch_size=args.batch_size)
        elapsed = time.monotonic() - started
        writer.stopping.set()
        writer.join()

        result = report.results[0]
        latencies = sorted(writer.latencies)
        print(
            f"deleted {result.rows} rows in {elapsed:.1f} s "
            f"({result.rows / elapsed:,.0f} rows/s), {result.batches} batches of "
            f"{args.batch_size} keys"
        )
        print(f"longest batch (longest lock held): {result.longest_batch_seconds * 1000:.0f} ms")
        print(
            f"concurrent writer: {len(latencies)} inserts, median "
            f"{statistics.median(latencies) * 1000:.1f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms"
        )
    finally:
        from django.db import connections

        connections.close_all()
        postgres.recreate_databases(server, [DATABASE], drop_only=True)


if __name__ == "__main__":
    main()
