"""Data of the zone tags: crossings today, occupancy now, hourly counts, dwell bins (cached)."""

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import zone_counts
from ..models import Zone
from .cache import cached, cached_each, scope_of
from .charts import Bar
from .scope import scope_for


def zone_in(context, zone):
    """The ``Zone`` (an instance or an id) if the context's user may see its camera, else None."""
    if zone is None or zone == "":
        return None
    if not isinstance(zone, Zone):
        zone = Zone.objects.select_related("camera").filter(pk=int(zone)).first()
    if zone is None or scope_for(context, zone.camera.camera_id).hidden:
        return None
    return zone


def cache_key(zone, name):
    """The (scope, name) of a zone's cached value: its camera's scope, so its batches refresh it."""
    return scope_of(zone.camera.camera_id), f"zone:{zone.pk}:{name}"


def cached_for(zone, name, compute):
    """``compute()`` cached under the zone's ``cache_key``."""
    return cached(*cache_key(zone, name), compute)


def crossings_today(zones):
    """``{zone pk: {"in": n, "out": n}}`` of the current UTC day: cached, misses in one query."""
    now = timezone.now()
    midnight = now.astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    def compute(missing):
        rows = (
            zone_counts.in_range(missing, midnight, now)
            .order_by()
            .values("zone_id")
            .annotate(sum_in=Sum("crossings_in"), sum_out=Sum("crossings_out"))
        )
        found = {row["zone_id"]: {"in": row["sum_in"], "out": row["sum_out"]} for row in rows}
        return {pk: found.get(pk, {"in": 0, "out": 0}) for pk in missing}

    keys = {zone.pk: cache_key(zone, f"today:{midnight:%Y%m%d}") for zone in zones}
    return cached_each(keys, compute)


def occupancy_now(zone):
    """The peak occupancy per class of the current UTC hour (see ``zone_counts.occupancy``)."""
    now = timezone.now()
    return cached_for(
        zone, f"occupancy:{now:%Y%m%d%H}", lambda: zone_counts.occupancy(zone, now)["classes"]
    )


@dataclass(frozen=True)
class HourlyChart:
    width: int
    height: int
    bars: list
    peak: int
    first_hour: datetime.datetime
    last_hour: datetime.datetime


def hourly_counts(zone, hours):
    """{UTC hour: {series: count}} of the last ``hours`` hours: crossings in/out, or visits."""
    last = zone_counts.hour_of(timezone.now())
    first = last - datetime.timedelta(hours=hours - 1)
    columns = ("crossings_in", "crossings_out") if zone.kind == Zone.Kind.LINE else ("visits",)

    def compute():
        rows = (
            zone_counts.in_range([zone.pk], first, last + datetime.timedelta(hours=1))
            .order_by()
            .values("hour")
            .annotate(**{column: Sum(column) for column in columns})
        )
        found = {row["hour"]: row for row in rows}
        return [
            (hour, {c: found.get(hour, {}).get(c, 0) for c in columns})
            for hour in (first + datetime.timedelta(hours=n) for n in range(hours))
        ]

    return cached_for(zone, f"hourly:{hours}:{last:%Y%m%d%H}", compute)


def hourly_chart(series, width=320, height=80, gap=1):
    """Side-by-side bars per hour, one per series name (in, out or visits)."""
    names = list(series[0][1])
    slot = width / len(series)
    bar_width = max((slot - gap) / len(names), 0.5)
    peak = max((count for _, counts in series for count in counts.values()), default=0)
    scale = height / peak if peak else 0
    bars = [
        Bar(
            x=round(index * slot + gap / 2 + position * bar_width, 2),
            y=round(height - counts[name] * scale, 2),
            width=round(bar_width, 2),
            height=round(counts[name] * scale, 2),
            name=name.replace("_", "-"),
            title=f"{hour:%Y-%m-%d %H}:00 UTC {name.replace('_', ' ')}: {counts[name]}",
        )
        for index, (hour, counts) in enumerate(series)
        for position, name in enumerate(names)
        if counts[name]
    ]
    return HourlyChart(width, height, bars, peak, series[0][0], series[-1][0])


def dwell_bins(zone, days):
    """The zone's closed visits per dwell bin (``zone_counts.dwell_histogram``), last ``days``.

    The visits that entered in the last ``days`` x 24 UTC hours, the current one included.
    """
    last = zone_counts.hour_of(timezone.now())
    first = last - datetime.timedelta(hours=24 * days - 1)

    def compute():
        rows = zone_counts.in_range([zone.pk], first, last + datetime.timedelta(hours=1))
        return zone_counts.dwell_histogram(rows)

    return cached_for(zone, f"dwell:{days}:{last:%Y%m%d%H}", compute)


@dataclass(frozen=True)
class DwellChart:
    width: int
    height: int
    bars: list
    labels: list  # one per bin, in order: "under 10 s" ... "15 min or more"
    visits: int  # all the bins together


def dwell_label(lower, upper):
    """ "under 10 s", "10 s to 30 s", "15 min or more" for a bin's bounds in seconds."""
    if lower == 0:
        return _("under %(upper)s") % {"upper": _duration(upper)}
    if upper is None:
        return _("%(lower)s or more") % {"lower": _duration(lower)}
    return _("%(lower)s to %(upper)s") % {"lower": _duration(lower), "upper": _duration(upper)}


def _duration(seconds):
    if seconds >= 60 and seconds % 60 == 0:
        return _("%(minutes)d min") % {"minutes": seconds // 60}
    return _("%(seconds)d s") % {"seconds": seconds}


def dwell_chart(bins, width=320, height=80, gap=4):
    """One bar per dwell bin, scaled to the fullest, with the bins' labels."""
    lowers = [0] + [item["up_to_seconds"] for item in bins[:-1]]
    labels = [
        dwell_label(lower, item["up_to_seconds"]) for lower, item in zip(lowers, bins, strict=True)
    ]
    slot = width / len(bins)
    peak = max(item["visits"] for item in bins)
    scale = height / peak if peak else 0
    bars = [
        Bar(
            x=round(index * slot + gap / 2, 2),
            y=round(height - item["visits"] * scale, 2),
            width=round(slot - gap, 2),
            height=round(item["visits"] * scale, 2),
            name="dwell",
            title=f"{label}: {item['visits']}",
        )
        for index, (item, label) in enumerate(zip(bins, labels, strict=True))
        if item["visits"]
    ]
    return DwellChart(width, height, bars, labels, sum(item["visits"] for item in bins))
