"""The hourly zone counts: which event feeds which column, the exact upsert, the queries.

Each ``ZoneCount`` row holds one zone, one class and one UTC hour (``hour_of``):

- a ``Crossing`` adds 1 to ``crossings_in`` or ``crossings_out`` of the hour of its
  ``timestamp``;
- a closed ``Visit`` (``exited`` set) adds 1 to ``visits``, its ``dwell_seconds`` to
  ``total_dwell_seconds`` and 1 to its dwell bin (``DWELL_BINS``), all in the hour it
  *entered*, and raises ``max_occupancy`` to its ``occupancy``;
- an open ``Visit`` (the loitering report, ``exited`` None) only raises ``max_occupancy``:
  the same visit is counted once, when it closes.

Call ``apply`` once per stored event (the caller keeps the events idempotent). It adds in
the database (``x = x + EXCLUDED.x``, the peak by ``GREATEST``), so concurrent consumers
never lose an increment. In the same transaction it adds the same increments to the
``ZoneDayCount`` row of each hour's UTC day: a daily bucket reads one row, not 24.

``counts`` reads hour buckets from the hours, and day buckets from the days the range
holds whole plus the hours of the partial days at its ends: the same sums as adding the
hours (``tests/zones/test_count_queries.py`` compares both).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from math import isclose

from django.db import connections, router, transaction
from django.db.models import F, Max, Q, Sum
from django.db.models.functions import Trunc

from .models import Zone, ZoneCount, ZoneDayCount
from .statistics import day_start

IN, OUT = "in", "out"
# Upper bounds in seconds (exclusive) of the dwell bins and their columns; the last is open.
DWELL_BINS = (
    (10, "dwell_under_10s"),
    (30, "dwell_under_30s"),
    (60, "dwell_under_1m"),
    (300, "dwell_under_5m"),
    (900, "dwell_under_15m"),
    (None, "dwell_15m_or_more"),
)
ADDED = (
    "crossings_in",
    "crossings_out",
    "visits",
    "total_dwell_seconds",
    *(column for _, column in DWELL_BINS),
)
BUCKETS = ("hour", "day")
# The longest range (days from start to end, or to now) a request may sum per bucket.
MAX_RANGE_DAYS = {"hour": 31, "day": 400}
BATCH_ROWS = 500  # rows per statement: within every database's limit of parameters
GROUPS = ("zone", "class_name", "direction")


@dataclass(frozen=True)
class Crossing:
    """A ``line_crossing`` event: ``direction`` is ``"in"`` or ``"out"``."""

    camera_id: int  # the Camera's pk
    zone_id: int
    class_name: str
    direction: str
    timestamp: datetime


@dataclass(frozen=True)
class Visit:
    """A ``zone_visit`` event; ``exited`` is None while it is open (a loitering report)."""

    camera_id: int
    zone_id: int
    class_name: str
    entered: datetime
    exited: datetime | None
    dwell_seconds: float
    occupancy: int


def hour_of(moment: datetime) -> datetime:
    """The UTC hour ``moment`` falls in."""
    return moment.astimezone(dt_timezone.utc).replace(minute=0, second=0, microsecond=0)


def dwell_bin(seconds: float) -> str:
    """The column of the dwell bin ``seconds`` falls in."""
    return next(column for bound, column in DWELL_BINS if bound is None or seconds < bound)


def increments(crossings: Iterable[Crossing], visits: Iterable[Visit]) -> dict:
    """(zone id, class, hour) -> (camera id, {column: amount}) of the events."""
    rows: dict = {}

    def row(event, moment):
        key = (event.zone_id, event.class_name, hour_of(moment))
        return rows.setdefault(key, (event.camera_id, defaultdict(int)))[1]

    for crossing in crossings:
        if crossing.direction not in (IN, OUT):
            raise ValueError(f"direction must be 'in' or 'out', not {crossing.direction!r}")
        row(crossing, crossing.timestamp)[f"crossings_{crossing.direction}"] += 1
    for visit in visits:
        counts = row(visit, visit.entered)
        counts["max_occupancy"] = max(counts["max_occupancy"], visit.occupancy)
        if visit.exited is not None:
            counts["visits"] += 1
            counts["total_dwell_seconds"] += visit.dwell_seconds
            counts[dwell_bin(visit.dwell_seconds)] += 1
    return rows


def days_of(rows: dict) -> dict:
    """The ``increments`` rows summed per UTC day: (zone id, class, date) -> (camera id, counts)."""
    days: dict = {}
    for (zone_id, class_name, hour), (camera_id, counts) in rows.items():
        key = (zone_id, class_name, hour.date())
        day = days.setdefault(key, (camera_id, defaultdict(int)))[1]
        for name in ADDED:
            day[name] += counts[name]
        day["max_occupancy"] = max(day["max_occupancy"], counts["max_occupancy"])
    return days


def apply(crossings: Iterable[Crossing] = (), visits: Iterable[Visit] = (), using=None) -> int:
    """Add the events to their hourly and daily rows, all or nothing; returns the hours touched.

    Call it inside the transaction that stores the events, so all commit together.
    """
    rows = increments(crossings, visits)
    using = using or router.db_for_write(ZoneCount)
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # Every writer locks hours before days, each in sorted order: no deadlock.
        _add(cursor, ZoneCount, "hour", rows)
        _add(cursor, ZoneDayCount, "day", days_of(rows))
    return len(rows)


def _add(cursor, model, period, rows):
    """Upsert ``rows`` ((zone, class, period) -> (camera, counts)) into ``model``."""
    connection = cursor.db
    value_names = (*ADDED, "max_occupancy")
    period_field = model._meta.get_field(period)
    keys = sorted(rows)
    for first in range(0, len(keys), BATCH_ROWS):
        batch = keys[first : first + BATCH_ROWS]
        params = []
        for zone_id, class_name, moment in batch:
            camera_id, counts = rows[zone_id, class_name, moment]
            moment = period_field.get_db_prep_value(moment, connection)
            params += [camera_id, zone_id, class_name, moment]
            params += [counts[name] for name in value_names]
        cursor.execute(_upsert(connection, model, period, value_names, len(batch)), params)


def _upsert(connection, model, period, value_names, count):
    """INSERT of ``count`` rows that adds to existing ones (the peak: the greater)."""
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    keys = [quote(meta.get_field(name).column) for name in ("zone", "class_name", period)]
    columns = [quote(meta.get_field("camera").column), *keys, *map(quote, value_names)]
    added = [f"{quote(name)} = {table}.{quote(name)} + EXCLUDED.{quote(name)}" for name in ADDED]
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"  # SQLite: max(a, b)
    peak = quote("max_occupancy")
    added.append(f"{peak} = {greatest}({table}.{peak}, EXCLUDED.{peak})")
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholders] * count)} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(added)}"
    )


def roll_up_days(hours, day_model=ZoneDayCount):
    """``day_model`` rows summing ``hours`` (a ZoneCount queryset) per zone, class and UTC day.

    Unsaved; ``rebuild_statistics`` and migration 0013 (with its historical models) save them.
    """
    sums = (
        hours.order_by()
        .annotate(day=Trunc("hour", "day", tzinfo=dt_timezone.utc))
        .values("camera_id", "zone_id", "class_name", "day")
        .annotate(**{name: Sum(name) for name in ADDED}, max_occupancy=Max("max_occupancy"))
    )
    return [day_model(**{**row, "day": row["day"].date()}) for row in sums]


def rebuild_days(since=None, camera_pks=None, using=None):
    """Rewrite the ``ZoneDayCount`` rows (from the date ``since``) that differ from their hours.

    Returns how many rows changed. The stored days are locked first, so a consumer adding to
    one meanwhile adds to the rewritten row (PostgreSQL; SQLite has one writer anyway).
    """
    using = using or router.db_for_write(ZoneDayCount)
    hours = ZoneCount.objects.using(using)
    days = ZoneDayCount.objects.using(using)
    if since is not None:
        hours, days = hours.filter(hour__gte=day_start(since)), days.filter(day__gte=since)
    if camera_pks is not None:
        hours, days = hours.filter(camera_id__in=camera_pks), days.filter(camera_id__in=camera_pks)
    names = ("camera_id", *ADDED, "max_occupancy")

    def by_key(rows):
        return {(row.zone_id, row.class_name, row.day): row for row in rows}

    def differ(key):
        have, want = stored.get(key), wanted.get(key)
        if have is None or want is None:
            return True
        # The dwell adds floats in another order in each table: equal up to rounding.
        return not all(
            isclose(getattr(have, name), getattr(want, name), rel_tol=1e-9) for name in names
        )

    with transaction.atomic(using=using):
        stored = by_key(days.select_for_update())
        wanted = by_key(roll_up_days(hours))
        changed = [key for key in stored.keys() | wanted.keys() if differ(key)]
        stale = [stored[key].pk for key in changed if key in stored]
        for first in range(0, len(stale), BATCH_ROWS):
            days.filter(pk__in=stale[first : first + BATCH_ROWS]).delete()
        days.bulk_create([wanted[key] for key in changed if key in wanted], batch_size=BATCH_ROWS)
    return len(changed)


def in_range(zones, start, end):
    """The rows of ``zones`` (Zone queryset or pks) of the UTC hours overlapping [start, end)."""
    return ZoneCount.objects.filter(zone__in=zones, hour__gte=hour_of(start), hour__lt=end)


def hours(rows, start, stop=None):
    """``rows`` (ZoneCount) of the hours starting in [``start``, ``stop``); None: no end."""
    rows = rows.filter(hour__gte=start)
    return rows if stop is None else rows.filter(hour__lt=stop)


def whole_days(start, stop=None):
    """The UTC days all of whose hours start in [``start``, ``stop``) (``stop`` on the hour).

    Returns (first date, date after the last or None: no end) or None when there is no
    such day, and the (start, stop) hour ranges left at the ends.
    """
    first = day_start(start.astimezone(dt_timezone.utc).date())
    if first < start:
        first += timedelta(days=1)
    last = None if stop is None else day_start(stop.astimezone(dt_timezone.utc).date())
    if last is not None and first >= last:
        return None, [(start, stop)]
    edges = [(start, first)] if start < first else []
    if last is not None and last < stop:
        edges.append((last, stop))
    return (first.date(), None if last is None else last.date()), edges


def columns(group_by):
    """The keys of each row ``counts`` returns for ``group_by``, in order."""
    keys = ["bucket", *(key for name in GROUPS if name in group_by for key in _KEYS[name])]
    if "direction" in group_by:
        return [*keys, "direction", "crossings"]
    return [*keys, *_TOTALS]


def counts(scope, start, stop=None, bucket="hour", group_by=("zone", "class_name")):
    """Sums per ``bucket`` (UTC hour or day) and ``group_by`` of the hours in [start, stop).

    ``scope(model)``: the rows of ``ZoneCount`` or ``ZoneDayCount`` to count (a camera, a
    zone, a class, the cameras the user may see). Oldest first. One query per table read
    (a day bucket over a range not on midnights reads both), and one more for the zones'
    names with ``zone`` in ``group_by``. With ``direction`` each row is one direction's
    ``crossings`` (none when zero); without it, a row carries crossings in and out,
    visits, dwell and the peak occupancy.
    """
    fields = [_FIELDS[name] for name in GROUPS if name in group_by and name in _FIELDS]
    if bucket == "hour":
        sums = _sums(hours(scope(ZoneCount), start, stop), F("hour"), fields)
    else:
        days, edges = whole_days(start, stop)
        sums = []
        if days is not None:
            rows = scope(ZoneDayCount).filter(day__gte=days[0])
            rows = rows if days[1] is None else rows.filter(day__lt=days[1])
            midnights: dict = {}  # one datetime per day, not per row
            for row in _sums(rows, F("day"), fields):
                day = midnights.get(row[0]) or midnights.setdefault(row[0], day_start(row[0]))
                sums.append((day, *row[1:]))
        if edges:
            ranges = Q()
            for first, last in edges:
                ranges |= Q(hour__gte=first, hour__lt=last) if last else Q(hour__gte=first)
            day = Trunc("hour", "day", tzinfo=dt_timezone.utc)
            sums += _sums(scope(ZoneCount).filter(ranges), day, fields)
    # Sorted here, not by the database: it can then aggregate by hashing, without a sort.
    sums.sort(key=lambda row: row[: 1 + len(fields)])
    zone_at = 1 + fields.index("zone_id") if "zone_id" in fields else None
    labels = _zone_labels({row[zone_at] for row in sums}) if zone_at else {}
    class_at = 1 + fields.index("class_name") if "class_name" in fields else None
    result = []
    for row in sums:
        keys = {"bucket": row[0]}
        if zone_at:
            keys.update(labels.get(row[zone_at], ()))
        if class_at:
            keys["class_name"] = row[class_at]
        crossings_in, crossings_out, visits, dwell, peak = row[-5:]
        if "direction" in group_by:
            if crossings_in:
                result.append({**keys, "direction": IN, "crossings": crossings_in})
            if crossings_out:
                result.append({**keys, "direction": OUT, "crossings": crossings_out})
            continue
        result.append(
            {
                **keys,
                "crossings_in": crossings_in,
                "crossings_out": crossings_out,
                "visits": visits,
                "total_dwell_seconds": dwell,
                "mean_dwell_seconds": dwell / visits if visits else None,
                "max_occupancy": peak,
            }
        )
    return result


def _sums(rows, bucket, fields):
    """(bucket, *fields, in, out, visits, dwell, peak) tuples of ``rows`` grouped."""
    return list(
        rows.order_by()
        .annotate(bucket=bucket)
        .values("bucket", *fields)
        .annotate(
            sum_in=Sum("crossings_in"),
            sum_out=Sum("crossings_out"),
            sum_visits=Sum("visits"),
            sum_dwell=Sum("total_dwell_seconds"),
            peak=Max("max_occupancy"),
        )
        .values_list("bucket", *fields, "sum_in", "sum_out", "sum_visits", "sum_dwell", "peak")
    )


def _zone_labels(zone_ids):
    zones = Zone.objects.filter(pk__in=zone_ids).values_list("pk", "camera__camera_id", "name")
    return {pk: {"camera_id": camera, "zone_id": pk, "zone": name} for pk, camera, name in zones}


def dwell_histogram(rows):
    """Closed visits in ``rows`` per dwell bin: [{up_to_seconds (None: open), visits}]."""
    sums = rows.aggregate(**{column: Sum(column) for _, column in DWELL_BINS})
    return [{"up_to_seconds": bound, "visits": sums[column] or 0} for bound, column in DWELL_BINS]


def occupancy(zone, now):
    """The peak occupancy per class of ``zone`` in the UTC hour of ``now`` (latest counts)."""
    hour = hour_of(now)
    rows = ZoneCount.objects.filter(zone=zone, hour=hour, max_occupancy__gt=0)
    return {
        "hour": hour,
        "classes": [
            {"class_name": name, "max_occupancy": peak}
            for name, peak in rows.order_by("class_name").values_list("class_name", "max_occupancy")
        ],
    }


# The grouping column of each group but direction (crossings in and out are columns).
_FIELDS = {"zone": "zone_id", "class_name": "class_name"}
_KEYS = {"zone": ("camera_id", "zone_id", "zone"), "class_name": ("class_name",), "direction": ()}
_TOTALS = (
    "crossings_in",
    "crossings_out",
    "visits",
    "total_dwell_seconds",
    "mean_dwell_seconds",
    "max_occupancy",
)
