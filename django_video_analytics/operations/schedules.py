"""The package's periodic tasks, installed into django-celery-beat's DatabaseScheduler.

``DEFAULT_SCHEDULE`` is the one list of what runs how often; ``CELERY_BEAT_SCHEDULE`` is the
same list for hosts that configure beat in settings, and ``install_schedules()`` writes it
as ``PeriodicTask`` rows without ever undoing what an operator changed there.
"""

from dataclasses import dataclass
from datetime import timedelta

CREATED = "created"
CHANGED = "changed"
UNCHANGED = "left alone"


@dataclass(frozen=True)
class ScheduledTask:
    """One periodic task: its beat entry name, the Celery task and its default interval."""

    name: str
    task: str
    every: int
    period: str  # an IntervalSchedule period: "seconds", "minutes", "hours", "days"
    description: str

    @property
    def interval(self):
        return timedelta(**{self.period: self.every})


DEFAULT_SCHEDULE = (
    ScheduledTask(
        "video_analytics: consume events",
        "video_analytics.consume_redis_events",
        5,
        "seconds",
        "Store the events waiting on the Redis stream.",
    ),
    ScheduledTask(
        "video_analytics: retention",
        "video_analytics.cleanup_events",
        1,
        "days",
        "Delete events, snapshots and dead letters older than their retention.",
    ),
    ScheduledTask(
        "video_analytics: statistics check",
        "video_analytics.check_statistics",
        1,
        "days",
        "Compare the daily statistics with a recount of the stored events.",
    ),
    ScheduledTask(
        "video_analytics: camera health sweep",
        "video_analytics.sweep_camera_health",
        1,
        "minutes",
        "Mark cameras offline whose worker lease or heartbeat expired.",
    ),
)

# For settings.py: CELERY_BEAT_SCHEDULE = {**CELERY_BEAT_SCHEDULE, ...}
CELERY_BEAT_SCHEDULE = {
    item.name: {"task": item.task, "schedule": item.interval} for item in DEFAULT_SCHEDULE
}


@dataclass(frozen=True)
class InstallOutcome:
    name: str
    outcome: str  # CREATED, CHANGED or UNCHANGED
    detail: str = ""


def install_schedules(*, reset=False, schedule=DEFAULT_SCHEDULE):
    """Create the missing ``PeriodicTask`` rows; returns an ``InstallOutcome`` per task.

    A task is found by its name, else by its Celery task (an operator may have renamed the
    entry), so running this again never adds a second one. An existing entry keeps the
    interval, crontab and enabled flag an operator gave it unless ``reset`` is true.
    """
    from django.db import transaction
    from django_celery_beat.models import PeriodicTask

    outcomes = []
    with transaction.atomic():
        for item in schedule:
            existing = (
                PeriodicTask.objects.select_for_update().filter(name=item.name).first()
                or PeriodicTask.objects.select_for_update().filter(task=item.task).first()
            )
            if existing is None:
                PeriodicTask.objects.create(
                    name=item.name,
                    task=item.task,
                    interval=_interval(item),
                    description=item.description,
                )
                outcomes.append(InstallOutcome(item.name, CREATED, f"every {_every(item)}"))
            elif reset:
                outcomes.append(_reset(existing, item))
            else:
                outcomes.append(_repair(existing, item))
    return outcomes


def _repair(task, item):
    """Point an entry back at its Celery task; the timing stays the operator's."""
    if task.task == item.task:
        return InstallOutcome(task.name, UNCHANGED)
    previous, task.task = task.task, item.task
    task.save(update_fields=["task"])
    return InstallOutcome(task.name, CHANGED, f"task {previous} -> {item.task}")


def _reset(task, item):
    """Restore the default name, task, interval and enabled flag of an entry."""
    interval = _interval(item)
    wanted = {
        "name": item.name,
        "task": item.task,
        "interval": interval,
        "crontab": None,
        "solar": None,
        "clocked": None,
        "one_off": False,
        "enabled": True,
    }
    differences = [name for name, value in wanted.items() if getattr(task, name) != value]
    if not differences:
        return InstallOutcome(item.name, UNCHANGED)
    for name, value in wanted.items():
        setattr(task, name, value)
    task.save()
    return InstallOutcome(item.name, CHANGED, f"reset {', '.join(differences)}")


def _interval(item):
    from django_celery_beat.models import IntervalSchedule

    # IntervalSchedule has no unique constraint: reuse any equal row rather than add one.
    interval = IntervalSchedule.objects.filter(every=item.every, period=item.period).first()
    return interval or IntervalSchedule.objects.create(every=item.every, period=item.period)


def _every(item):
    unit = item.period.rstrip("s") if item.every == 1 else item.period
    return f"{item.every} {unit}"
