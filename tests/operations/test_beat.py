"""A real Celery worker with beat (Redis broker, DatabaseScheduler) stores published events."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import PeriodicTask

from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.models import DetectionEvent, MotionEvent
from tests.events.entries import mixed_entries, recount_statistics, stored_statistics
from tests.events.processes import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_beat_fires_the_consumer_task_and_events_land(stream_names, tmp_path):
    call_command("setup_analytics_schedules", stdout=open(os.devnull, "w"))
    EventPublisher().publish_many(mixed_entries(50))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": "tests.workers.subprocess_settings",
        "DVA_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "DVA_TEST_VIDEO_ANALYTICS": json.dumps(stream_names),
    }
    log_path = tmp_path / "celery.log"
    with open(log_path, "wb") as log:
        celery = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.operations.celery_app", "worker"]
            + ["--beat", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]
            + ["--pool", "solo", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:

        def stored():
            return DetectionEvent.objects.count() + MotionEvent.objects.count() >= 45

        wait_for(stored, timeout=90, interval=0.5, message="events stored by the beat task")
        # A second batch lands through a later beat tick.
        EventPublisher().publish_many(mixed_entries(50, seed=2, start=mixed_entries_end()))
        wait_for(
            lambda: DetectionEvent.objects.count() + MotionEvent.objects.count() >= 90,
            timeout=60,
            interval=0.5,
            message="the second batch",
        )
    finally:
        celery.send_signal(signal.SIGTERM)
        try:
            celery.wait(30)
        except subprocess.TimeoutExpired:
            celery.kill()
    # Beat sent the entry setup_analytics_schedules installed, again and again.
    log = log_path.read_text()
    assert log.count("Sending due task video_analytics: consume events") >= 2, log[-3000:]
    assert PeriodicTask.objects.get(task="video_analytics.consume_redis_events").last_run_at
    assert stored_statistics() == recount_statistics()


def mixed_entries_end():
    from datetime import datetime, timezone

    return datetime(2026, 11, 21, 6, 0, tzinfo=timezone.utc)
