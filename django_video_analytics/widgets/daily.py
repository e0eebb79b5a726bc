"""Daily event counts per object class, zero-filled, for charts and sparklines."""

import datetime
from dataclasses import dataclass

from ..models import Camera
from ..statistics import CHART_CLASSES, dates, statistics_within, sums_per_day, today, window
from .cache import cached, scope_of
from .counters import KINDS


@dataclass(frozen=True)
class Day:
    date: datetime.date
    classes: dict  # class name -> objects counted
    events: dict  # detections / motion / plates -> events stored

    @property
    def activity(self):
        return sum(self.events.values())


def daily_counts(camera_id, days):
    """The last ``days`` UTC days of ``camera_id`` (None: all cameras), oldest first; cached."""
    day = today()
    return cached(
        scope_of(camera_id), f"daily:{days}:{day}", lambda: query_days(camera_id, days, day)
    )


def days_in(scope, days):
    """The days a tag shows for a ``widgets.scope.Scope``: cached unless per user."""
    if scope.hidden:
        return query_days(None, days, today(), cameras=Camera.objects.none())
    if scope.camera_id is not None or scope.cameras is None:
        return daily_counts(scope.camera_id, days)
    return query_days(None, days, today(), cameras=scope.cameras)


def query_days(camera_id, days, last, cameras=None):
    start, last = window(days, last)
    statistics = statistics_within(start, last)
    if camera_id is not None:
        statistics = statistics.filter(camera__camera_id=camera_id)
    if cameras is not None:
        statistics = statistics.filter(camera__in=cameras.values("pk"))
    by_date = sums_per_day(statistics, {**CHART_CLASSES, **KINDS})
    return [
        Day(
            date=date,
            classes={name: by_date.get(date, {}).get(name, 0) for name in CHART_CLASSES},
            events={name: by_date.get(date, {}).get(name, 0) for name in KINDS},
        )
        for date in dates(start, last)
    ]
