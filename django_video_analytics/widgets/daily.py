"""Daily event counts per object class, zero-filled, for charts and sparklines."""

import datetime
from dataclasses import dataclass

from django.db.models import Sum

from ..models import Camera, EventStatistics
from .cache import cached, scope_of
from .counters import KINDS
from .periods import first_day, utc_today

# Chart class -> EventStatistics column.
CLASS_COLUMNS = {
    "person": "person_count",
    "car": "car_count",
    "truck": "truck_count",
    "other": "other_count",
}


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
    today = utc_today()
    return cached(
        scope_of(camera_id), f"daily:{days}:{today}", lambda: query_days(camera_id, days, today)
    )


def days_in(scope, days):
    """The days a tag shows for a ``widgets.scope.Scope``: cached unless per user."""
    if scope.hidden:
        return query_days(None, days, utc_today(), cameras=Camera.objects.none())
    if scope.camera_id is not None or scope.cameras is None:
        return daily_counts(scope.camera_id, days)
    return query_days(None, days, utc_today(), cameras=scope.cameras)


def query_days(camera_id, days, today, cameras=None):
    start = first_day(days, today)
    statistics = EventStatistics.objects.filter(date__range=(start, today))
    if camera_id is not None:
        statistics = statistics.filter(camera__camera_id=camera_id)
    if cameras is not None:
        statistics = statistics.filter(camera__in=cameras.values("pk"))
    columns = {**CLASS_COLUMNS, **KINDS}
    rows = statistics.values("date").annotate(**{name: Sum(col) for name, col in columns.items()})
    by_date = {row["date"]: row for row in rows}
    result = []
    for offset in range(days):
        date = start + datetime.timedelta(days=offset)
        row = by_date.get(date, {})
        result.append(
            Day(
                date=date,
                classes={name: row.get(name) or 0 for name in CLASS_COLUMNS},
                events={name: row.get(name) or 0 for name in KINDS},
            )
        )
    return result
