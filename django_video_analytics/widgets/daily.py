"""Daily event counts per object class, zero-filled, for charts and sparklines."""

import datetime
from dataclasses import dataclass

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


def query_days(camera_id, days, last):
    start, last = window(days, last)
    statistics = statistics_within(start, last)
    if camera_id is not None:
        statistics = statistics.filter(camera__camera_id=camera_id)
    by_date = sums_per_day(statistics, {**CHART_CLASSES, **KINDS})
    return [
        Day(
            date=date,
            classes={name: by_date.get(date, {}).get(name, 0) for name in CHART_CLASSES},
            events={name: by_date.get(date, {}).get(name, 0) for name in KINDS},
        )
        for date in dates(start, last)
    ]
