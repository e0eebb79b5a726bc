"""Recount ``EventStatistics`` from the event tables: compare (``--check``) or rewrite.

Only days inside every retention window are recounted: older days lost events on purpose
while their statistics were kept. Statistics and events are read in one transaction
(a repeatable-read snapshot on PostgreSQL), so a batch a consumer commits meanwhile never
shows up as a difference.
"""

import logging
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from types import SimpleNamespace

from django.db import connections, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from .. import zone_counts
from ..conf import analytics_settings
from ..events.kinds import STORED_KINDS
from ..models import Camera, EventStatistics
from ..statistics import COUNTERS, EVENT_COUNTERS, OBJECTS_EVENT, statistics_increments
from .retention import ROW_RETENTION, cutoff_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Difference:
    camera_id: str
    date: date
    counter: str
    stored: int
    counted: int

    def as_dict(self):
        return {**asdict(self), "date": self.date.isoformat()}

    def __str__(self):
        return (
            f"{self.camera_id} {self.date}: {self.counter} stored {self.stored}, "
            f"counted {self.counted}"
        )


def recount(since=None, camera_pks=None):
    """``{(camera pk, UTC date): Counter}`` of the statistics counters, from the event rows.

    Counts with the consumer's vocabulary (``statistics.py``), so both always count alike.
    """
    totals = defaultdict(Counter)
    for event_type, counter in EVENT_COUNTERS.items():
        if event_type == OBJECTS_EVENT:
            continue  # counted below, with the objects of each row
        days = (
            _events(STORED_KINDS[event_type].model, since, camera_pks)
            .annotate(day=TruncDate("timestamp", tzinfo=dt_timezone.utc))
            .values_list("camera_id", "day")
            .annotate(count=Count("id"))
            .order_by()
        )
        for camera_pk, day, count in days:
            totals[camera_pk, day][counter] += count
    rows = _events(STORED_KINDS[OBJECTS_EVENT].model, since, camera_pks).values_list(
        "camera_id", "timestamp", "detections"
    )
    detections = (
        (camera_pk, SimpleNamespace(event_type=OBJECTS_EVENT, timestamp=moment, detections=items))
        for camera_pk, moment, items in rows.iterator(chunk_size=2000)
    )
    for key, counters in statistics_increments(detections).items():
        totals[key].update(counters)
    return totals


def _events(model, since, camera_pks):
    queryset = model.objects.using(_database())
    if since is not None:
        queryset = queryset.filter(timestamp__gte=_midnight(since))
    if camera_pks is not None:
        queryset = queryset.filter(camera_id__in=camera_pks)
    return queryset


def stored_statistics(since=None, camera_pks=None):
    """``{(camera pk, date): Counter}`` of the stored statistics rows."""
    queryset = EventStatistics.objects.using(_database())
    if since is not None:
        queryset = queryset.filter(date__gte=since)
    if camera_pks is not None:
        queryset = queryset.filter(camera_id__in=camera_pks)
    return {
        (row[0], row[1]): Counter(dict(zip(COUNTERS, row[2:], strict=True)))
        for row in queryset.values_list("camera_id", "date", *COUNTERS)
    }


def retained_since(now=None):
    """The first UTC date no retention setting has deleted events of; None when none is set."""
    days = [getattr(analytics_settings, setting) for _, setting in ROW_RETENTION]
    cutoffs = [cutoff_for(value, now) for value in days if value is not None]
    if not cutoffs:
        return None
    return max(cutoffs).astimezone(dt_timezone.utc).date() + timedelta(days=1)


def effective_since(since):
    """``since`` moved forward to the retention horizon (older days lost events on purpose)."""
    horizon = retained_since()
    if horizon is None:
        return since
    return horizon if since is None else max(since, horizon)


def compare_statistics(since=None, camera_ids=None, *, log=False):
    """The differences between stored statistics and a recount, as ``Difference`` items."""
    since = effective_since(since)
    camera_pks, names = _cameras(camera_ids)
    with _one_snapshot():
        counted = recount(since, camera_pks)
        stored = stored_statistics(since, camera_pks)
    differences = []
    for key in sorted(counted.keys() | stored.keys(), key=lambda key: (key[1], key[0])):
        have, want = stored.get(key, Counter()), counted.get(key, Counter())
        for counter in COUNTERS:
            if have[counter] != want[counter]:
                differences.append(
                    Difference(names[key[0]], key[1], counter, have[counter], want[counter])
                )
    if log and differences:
        logger.warning(
            "%d statistics counter(s) differ from a recount; first: %s (run "
            "manage.py rebuild_statistics to repair)",
            len(differences),
            differences[0],
        )
    return differences


def rebuild_statistics(since=None, camera_ids=None):
    """Rewrite the statistics rows from a recount; returns how many rows changed.

    Also rewrites the zone day counts that differ from their hours (``zone_counts``), from
    ``since`` itself: retention keeps the hourly counts.
    """
    first_day = since
    since = effective_since(since)
    camera_pks, _ = _cameras(camera_ids)
    changed = 0
    with transaction.atomic(using=_database()):
        counted = recount(since, camera_pks)
        stored = stored_statistics(since, camera_pks)
        for key in sorted(counted.keys() | stored.keys()):
            want = counted.get(key, Counter())
            if stored.get(key) == want or (key not in stored and not +want):
                continue
            EventStatistics.objects.using(_database()).update_or_create(
                camera_id=key[0],
                date=key[1],
                defaults={name: want[name] for name in COUNTERS},
            )
            changed += 1
    changed += zone_counts.rebuild_days(first_day, camera_pks, using=_database())
    if changed:
        logger.info("Rebuilt %d statistics row(s) since %s", changed, since or "the start")
    return changed


def _cameras(camera_ids):
    """(camera pks to restrict to or None, {pk: camera_id}) for the given public ids."""
    queryset = Camera.objects.using(_database())
    if camera_ids:
        queryset = queryset.filter(camera_id__in=camera_ids)
    names = dict(queryset.values_list("pk", "camera_id"))
    return (list(names) if camera_ids else None), names


@contextmanager
def _one_snapshot():
    """A transaction whose reads all see one snapshot (REPEATABLE READ on PostgreSQL)."""
    using = _database()
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _database():
    from ..events.ingest import events_database

    return events_database()


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min), dt_timezone.utc)
