"""Event statistics: the counters, which events feed them, the day window and the queries.

Days are UTC days. The consumer files each event under the UTC date of its timestamp, and
"today" and "the last N days" of the API and the widgets are UTC dates too, whatever the
site's ``TIME_ZONE``: every reader counts the same rows for the same day, and the stored
rows do not depend on a setting that may change later.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .events.kinds import STORED_KINDS
from .models import EventStatistics

# Stored event type -> the counter each event of that type adds one to (``StoredKind.counter``).
EVENT_COUNTERS = {kind.name: kind.counter for kind in STORED_KINDS.values() if kind.counter}
# Detected object class -> the counter each object of that class adds one to.
CLASS_COUNTERS = {"person": "person_count", "car": "car_count", "truck": "truck_count"}
OTHER_COUNTER = "other_count"  # objects of every other class
OBJECTS_EVENT = "detection"  # the event type whose objects (``detections``) feed CLASS_COUNTERS
# Every counter column of EventStatistics, in display order.
COUNTERS = (*EVENT_COUNTERS.values(), *CLASS_COUNTERS.values(), OTHER_COUNTER)
# Object classes as charts show them: the counted classes and "other".
CHART_CLASSES = {**CLASS_COUNTERS, "other": OTHER_COUNTER}


def class_counter(class_name: object) -> str:
    """The counter an object of ``class_name`` adds to (any case; unknown: other)."""
    return CLASS_COUNTERS.get(str(class_name).lower(), OTHER_COUNTER)


def increments_of(event: Any) -> Counter:
    """What one stored event (a ``wire.WireEvent``) adds to the counters of its day."""
    increments = Counter({EVENT_COUNTERS[event.event_type]: 1})
    if event.event_type == OBJECTS_EVENT:
        increments.update(class_counter(item.get("class_name", "")) for item in event.detections)
    return increments


def statistics_increments(
    rows: Iterable[tuple[Any, Any]],
) -> dict[tuple[Any, datetime.date], Counter]:
    """``{(camera pk, statistics date): Counter}`` for ``(camera pk, event)`` pairs."""
    increments: dict[tuple[Any, datetime.date], Counter] = defaultdict(Counter)
    counter_of: dict[Any, str] = {}  # class_name -> its counter, looked up once per name
    for camera_pk, event in rows:
        if event.event_type not in EVENT_COUNTERS:
            continue  # line crossings and zone visits: counted in ZoneCount
        counters = increments[camera_pk, statistics_date(event.timestamp)]
        counters[EVENT_COUNTERS[event.event_type]] += 1
        if event.event_type == OBJECTS_EVENT:
            for item in event.detections:
                name = item.get("class_name", "")
                counter = counter_of.get(name)
                if counter is None:
                    counter = counter_of[name] = class_counter(name)
                counters[counter] += 1
    return increments


def statistics_date(timestamp: datetime.datetime) -> datetime.date:
    """The day an event at ``timestamp`` (aware) is counted on: its UTC date."""
    return timestamp.astimezone(datetime.timezone.utc).date()


def today() -> datetime.date:
    """Today's statistics date (UTC)."""
    return statistics_date(timezone.now())


def day_start(date: datetime.date) -> datetime.datetime:
    """The first moment of the statistics day ``date`` (UTC midnight, aware)."""
    return datetime.datetime.combine(date, datetime.time.min, tzinfo=datetime.timezone.utc)


def window(days: int, last: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last date of the ``days`` days ending ``last`` (default: today)."""
    last = today() if last is None else last
    return last - datetime.timedelta(days=days - 1), last


def dates(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Every date from ``start`` to ``end``, both included."""
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def statistics_within(start: datetime.date, end: datetime.date) -> QuerySet:
    """The statistics rows from ``start`` to ``end`` (both included), of every camera."""
    return EventStatistics.objects.filter(date__range=(start, end))


def rows_per_camera_and_day(cameras: Any, start: datetime.date, end: datetime.date) -> QuerySet:
    """Rows of ``cameras`` (pks or a pk queryset): date, camera id and name, counters."""
    return (
        statistics_within(start, end)
        .filter(camera__in=cameras)
        .order_by()
        .values("date", "camera__camera_id", "camera__name", *COUNTERS)
    )


def sums_per_day(statistics: QuerySet, columns: Mapping[str, str]) -> dict:
    """``{date: {name: sum of its column}}`` over ``statistics`` for ``{name: column}``."""
    rows = statistics.values("date").annotate(**{n: Sum(c) for n, c in columns.items()})
    return {row["date"]: {name: row[name] or 0 for name in columns} for row in rows}


def sums_per_period(
    columns: Mapping[str, str], periods: Mapping[str, int], last: datetime.date
) -> dict:
    """Aggregates ``{f"{period}_{name}": sum}`` over the ``days`` of each period up to ``last``."""
    return {
        f"{period}_{name}": Coalesce(Sum(column, filter=Q(date__gte=window(days, last)[0])), 0)
        for period, days in periods.items()
        for name, column in columns.items()
    }


def zero_counts(names: Iterable[str]) -> dict[str, int]:
    return dict.fromkeys(names, 0)
