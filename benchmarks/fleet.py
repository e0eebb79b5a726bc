"""Fleet rehearsal: simulated cameras -> the package's publisher -> 3 consumers -> PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/fleet.py --seconds 120

``--cameras`` simulated cameras (default 50) each publish ``--rate`` detection events per
second (default 5) through ``EventPublisher.publish()`` for ``--seconds``, into a stream
drained by ``--consumers`` ``ConsumerRunner`` processes (default 3, each as
``consume_events``) writing to a fresh database (``dva_bench_fleet``, dropped at the end).
Run twice: undisturbed, then with one consumer killed with SIGKILL half-way (its pending
entries are claimed by the others as soon as one sees it gone, within a tenth of
``CONSUMER_LIVENESS_TTL_SECONDS``; ``CONSUMER_CLAIM_IDLE_MS`` is 5 s here, the fallback).

Reports, per run: events published and stored, lost (published ids without a row),
duplicated (rows beyond one per id, and statistics counters that disagree with the rows),
and the end-to-end lag from publish (the event's timestamp) to the row's ``created_at``:
p50, p95 and max.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import postgres  # noqa: E402

DATABASE = "dva_bench_fleet"
CLAIM_IDLE_MS = 5000


def configure(database_url, redis_url, stream):
    return postgres.configure(
        database_url,
        {"default": DATABASE},
        {
            "REDIS_URL": redis_url,
            "STREAM_NAME": stream,
            "DEAD_LETTER_STREAM": f"{stream}:dead",
            "CONSUMER_GROUP": "fleet",
            "CONSUMER_CLAIM_IDLE_MS": CLAIM_IDLE_MS,
            "CONSUMER_BLOCK_MS": 500,
        },
    )


def run_consumer(index):
    """A child process: ``consume_events`` until SIGTERM."""
    from django_video_analytics.events.consumer import EventConsumer
    from django_video_analytics.events.runner import ConsumerRunner

    sys.exit(ConsumerRunner(EventConsumer(consumer_name=f"fleet-{index}")).run())


def start_consumers(args, stream, count):
    command = [sys.executable, __file__, "--stream", stream, "--consumer"]
    return [
        subprocess.Popen(command + [str(index)], env=os.environ.copy()) for index in range(count)
    ]


def publish(cameras, rate, seconds, on_half=None):
    """Publish ``cameras x rate`` events a second, spread evenly; returns the event ids."""
    from django_video_analytics.events import wire
    from django_video_analytics.events.publisher import EventPublisher

    publisher = EventPublisher()
    interval = 1.0 / (cameras * rate)
    total = int(cameras * rate * seconds)
    ids = []
    started = time.monotonic()
    for index in range(total):
        due = started + index * interval
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if on_half is not None and index == total // 2:
            on_half()
        event_id = uuid.uuid4().hex
        camera = f"fleet-{index % cameras:02d}"
        publisher.publish(
            wire.build_detection(
                camera,
                datetime.now(timezone.utc),
                index // cameras,
                [
                    {
                        "class_name": "person" if index % 3 else "car",
                        "confidence": 0.8,
                        "bounding_box": {"x": 0.1, "y": 0.1, "width": 0.2, "height": 0.4},
                    }
                ],
                "yolov8n",
                "8.1.0",
                event_id=event_id,
            )
        )
        ids.append(event_id)
    return ids, time.monotonic() - started


def wait_until_stored(expected, timeout):
    from django_video_analytics.models import DetectionEvent

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if DetectionEvent.objects.count() >= expected:
            return True
        time.sleep(0.5)
    return False


def measure(ids):
    from django.db.models import Sum

    from django_video_analytics.models import DetectionEvent, EventStatistics

    rows = list(DetectionEvent.objects.values_list("source_id", "timestamp", "created_at"))
    stored = {source_id.removeprefix("event:") for source_id, _, _ in rows}
    counted = EventStatistics.objects.aggregate(total=Sum("detection_count"))["total"] or 0
    lags = sorted((created - published).total_seconds() for _, published, created in rows)
    return {
        "published": len(ids),
        "stored": len(rows),
        "lost": len(set(ids) - stored),
        "duplicated": len(rows) - len(stored) + abs(counted - len(rows)),
        "p50": statistics.median(lags) if lags else 0.0,
        "p95": lags[int(0.95 * (len(lags) - 1))] if lags else 0.0,
        "max": lags[-1] if lags else 0.0,
    }


def reset_data(redis_client, stream):
    from django_video_analytics.models import Camera, DetectionEvent, EventStatistics

    DetectionEvent.objects.all().delete()
    EventStatistics.objects.all().delete()
    Camera.objects.all().delete()
    redis_client.delete(stream, f"{stream}:dead")


def scenario(args, stream, kill):
    from django_video_analytics.connection import get_redis

    reset_data(get_redis(), stream)
    consumers = start_consumers(args, stream, args.consumers)
    killed = []

    def kill_one():
        os.kill(consumers[0].pid, signal.SIGKILL)
        killed.append(time.monotonic())

    try:
        time.sleep(1.0)  # let the consumers create the group and block on it
        ids, elapsed = publish(args.cameras, args.rate, args.seconds, kill_one if kill else None)
        drained = wait_until_stored(len(ids), timeout=CLAIM_IDLE_MS / 1000 + 60)
    finally:
        for process in consumers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in consumers:
            process.wait(30)
    figures = measure(ids)
    figures["rate"] = len(ids) / elapsed
    figures["drained"] = drained
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cameras", type=int, default=50)
    parser.add_argument("--rate", type=float, default=5.0, help="Events/s per camera.")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--consumers", type=int, default=3)
    parser.add_argument("--stream", default=f"bench:fleet:{uuid.uuid4().hex[:8]}")
    parser.add_argument("--consumer", type=int, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if args.consumer is not None:
        configure(database_url, redis_url, args.stream)
        run_consumer(args.consumer)
        return

    server = configure(database_url, redis_url, args.stream)
    postgres.recreate_databases(server, [DATABASE])
    try:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(
            f"{args.cameras} cameras x {args.rate:g} events/s for {args.seconds:g} s, "
            f"{args.consumers} consumers, PostgreSQL"
        )
        for kill in (False, True):
            figures = scenario(args, args.stream, kill)
            label = "one consumer killed -9 half-way" if kill else "undisturbed"
            print(
                f"{label:32} published {figures['published']} ({figures['rate']:.0f}/s), "
                f"stored {figures['stored']}, lost {figures['lost']}, "
                f"duplicated {figures['duplicated']}; lag p50 {figures['p50'] * 1000:.0f} ms, "
                f"p95 {figures['p95'] * 1000:.0f} ms, max {figures['max'] * 1000:.0f} ms"
                + ("" if figures["drained"] else "  (NOT DRAINED)")
            )
    finally:
        from django.db import connections

        from django_video_analytics.connection import get_redis

        get_redis().delete(args.stream, f"{args.stream}:dead")
        connections.close_all()
        postgres.recreate_databases(server, [DATABASE], drop_only=True)


if __name__ == "__main__":
    main()
