"""``setup_analytics_schedules`` against django-celery-beat's tables."""

from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from django_video_analytics import tasks
from django_video_analytics.operations.schedules import CELERY_BEAT_SCHEDULE, DEFAULT_SCHEDULE

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("setup_analytics_schedules", *args, stdout=out)
    return out.getvalue()


def ours():
    return PeriodicTask.objects.filter(task__startswith="video_analytics.")


def test_first_run_creates_each_task_with_its_interval():
    output = run()
    assert output.count("created: ") == 4
    intervals = {task.task: (task.interval.every, task.interval.period) for task in ours()}
    assert intervals == {
        "video_analytics.consume_redis_events": (5, "seconds"),
        "video_analytics.cleanup_events": (1, "days"),
        "video_analytics.check_statistics": (1, "days"),
        "video_analytics.sweep_camera_health": (1, "minutes"),
    }


def test_second_run_changes_nothing_and_adds_nothing():
    run()
    output = run()
    assert output.count("left alone: ") == 4 and "created" not in output
    assert ours().count() == 4
    assert IntervalSchedule.objects.filter(every=1, period="days").count() == 1


def test_operator_edits_are_kept_and_reset_restores_defaults():
    run()
    consume = ours().get(task="video_analytics.consume_redis_events")
    consume.interval = IntervalSchedule.objects.create(every=30, period="seconds")
    consume.name = "events every 30 s"  # renamed too: still found by its task
    consume.save()
    sweep = ours().get(task="video_analytics.sweep_camera_health")
    sweep.enabled = False
    sweep.save()

    assert run().count("left alone: ") == 4
    consume.refresh_from_db()
    sweep.refresh_from_db()
    assert consume.interval.every == 30 and not sweep.enabled
    assert ours().count() == 4

    output = run("--reset")
    assert "changed: video_analytics: consume events (reset name, interval)" in output
    assert "changed: video_analytics: camera health sweep (reset enabled)" in output
    consume.refresh_from_db()
    sweep.refresh_from_db()
    assert (consume.interval.every, consume.interval.period) == (5, "seconds")
    assert sweep.enabled and ours().count() == 4


def test_an_entry_pointing_at_a_wrong_task_is_repaired():
    run()
    PeriodicTask.objects.filter(name="video_analytics: retention").update(task="old.path")
    assert "changed: video_analytics: retention (task old.path -> " in run()
    assert ours().filter(task="video_analytics.cleanup_events").count() == 1


def test_every_scheduled_task_is_registered_and_settings_schedule_matches():
    registered = {
        getattr(tasks, name).name for name in dir(tasks) if hasattr(getattr(tasks, name), "delay")
    }
    assert {item.task for item in DEFAULT_SCHEDULE} <= registered
    assert {entry["task"] for entry in CELERY_BEAT_SCHEDULE.values()} == {
        item.task for item in DEFAULT_SCHEDULE
    }
    assert CELERY_BEAT_SCHEDULE["video_analytics: consume events"]["schedule"].total_seconds() == 5
