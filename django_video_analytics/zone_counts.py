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
never lose an increment.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone

from django.db import connections, router, transaction
from django.db.models import Max, Sum
from django.db.models.functions import Trunc

from .models import Zone, ZoneCount

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


def apply(crossings: Iterable[Crossing] = (), visits: Iterable[Visit] = (), using=None) -> int:
    """Add the events to their hourly rows, all or nothing; returns the rows touched.

    Call it inside the transaction that stores the events, so both commit together.
    """
    rows = increments(crossings, visits)
    using = using or router.db_for_write(ZoneCount)
    connection = connections[using]
    value_names = (*ADDED, "max_occupancy")
    # Sorted, so concurrent writers lock rows in the same order and cannot deadlock.
    keys = sorted(rows)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for first in range(0, len(keys), BATCH_ROWS):
            batch = keys[first : first + BATCH_ROWS]
            params = []
            for zone_id, class_name, hour in batch:
                camera_id, counts = rows[zone_id, class_name, hour]
                hour = connection.ops.adapt_datetimefield_value(hour)
                params += [camera_id, zone_id, class_name, hour]
                params += [counts[name] for name in value_names]
            cursor.execute(_upsert(connection, value_names, len(batch)), params)
    return len(rows)


def _upsert(connection, value_names, count):
    """INSERT of ``count`` rows that adds to existing ones (the peak: the greater)."""
    quote = connection.ops.quote_name
    meta = ZoneCount._meta
    table = quote(meta.db_table)
    keys = [quote(meta.get_field(name).column) for name in ("zone", "class_name", "hour")]
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


def in_range(zones, start, end):
    """The rows of ``zones`` (Zone queryset or pks) of the UTC hours overlapping [start, end)."""
    return ZoneCount.objects.filter(zone__in=zones, hour__gte=hour_of(start), hour__lt=end)


def columns(group_by):
    """The keys of each row ``counts`` returns for ``group_by``, in order."""
    keys = ["bucket", *(key for name in GROUPS if name in group_by for key in _KEYS[name])]
    if "direction" in group_by:
        return [*keys, "direction", "crossings"]
    return [*keys, *_TOTALS]


def counts(rows, bucket="hour", group_by=("zone", "class_name")):
    """Sums of ``rows`` (a ZoneCount queryset) per ``bucket`` (UTC hour or day) and ``group_by``.

    Oldest first. One query, and one more for the zones' names with ``zone`` in
    ``group_by`` (grouping by the narrow zone id keeps the aggregation small). With
    ``direction`` each row is one direction's ``crossings`` (none when zero); without it,
    a row carries crossings in and out, visits, dwell and the peak occupancy.
    """
    fields = ["bucket", *(_FIELDS[name] for name in GROUPS if name in group_by and name in _FIELDS)]
    sums = (
        rows.order_by()
        .annotate(bucket=Trunc("hour", bucket, tzinfo=dt_timezone.utc))
        .values(*fields)
        .annotate(
            sum_in=Sum("crossings_in"),
            sum_out=Sum("crossings_out"),
            sum_visits=Sum("visits"),
            sum_dwell=Sum("total_dwell_seconds"),
            peak=Max("max_occupancy"),
        )
    )
    # Sorted here, not by the database: it can then aggregate by hashing, without a sort.
    sums = sorted(sums, key=lambda row: [row[field] for field in fields])
    labels = _zone_labels({row["zone_id"] for row in sums}) if "zone" in group_by else {}
    result = []
    for row in sums:
        keys = {"bucket": row["bucket"], **labels.get(row.get("zone_id"), {})}
        if "class_name" in row:
            keys["class_name"] = row["class_name"]
        if "direction" in group_by:
            for direction in (IN, OUT):
                if row[f"sum_{direction}"]:
                    crossings = row[f"sum_{direction}"]
                    result.append({**keys, "direction": direction, "crossings": crossings})
            continue
        visits = row["sum_visits"]
        result.append(
            {
                **keys,
                "crossings_in": row["sum_in"],
                "crossings_out": row["sum_out"],
                "visits": visits,
                "total_dwell_seconds": row["sum_dwell"],
                "mean_dwell_seconds": row["sum_dwell"] / visits if visits else None,
                "max_occupancy": row["peak"],
            }
        )
    return result


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
