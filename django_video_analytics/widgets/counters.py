"""Event counts (detections, motion, plates) per camera or overall, per period."""

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..models import EventStatistics
from .cache import OVERALL, cached, cached_many
from .formatting import format_count
from .periods import PERIOD_DAYS, first_day, utc_today

# Counter name -> EventStatistics column.
KINDS = {"detections": "detection_count", "motion": "motion_count", "plates": "anpr_count"}
KIND_LABELS = {"detections": _("Detections"), "motion": _("Motion"), "plates": _("Plates")}


def camera_summaries(camera_ids):
    """``{camera_id: summary}`` for these cameras: cached, misses filled by one query."""
    today = utc_today()

    def compute(missing):
        rows = (
            statistics_since(today)
            .filter(camera__camera_id__in=missing)
            .values("camera__camera_id")
            .annotate(**summary_aggregates(today))
        )
        found = {row["camera__camera_id"]: summary_from(row) for row in rows}
        return {camera_id: found.get(camera_id, empty_summary()) for camera_id in missing}

    return cached_many(list(camera_ids), f"counters:{today}", compute)


def camera_summary(camera_id):
    return camera_summaries([camera_id])[camera_id]


def overall_summary():
    """The summary over all cameras (cached)."""
    today = utc_today()
    return cached(OVERALL, f"counters:{today}", lambda: summary_where(Q(), today))


def summary_in(scope):
    """The summary a tag shows for a ``widgets.scope.Scope``."""
    if scope.hidden:
        return empty_summary()
    if scope.camera_id is not None:
        return camera_summary(scope.camera_id)
    if scope.cameras is None:
        return overall_summary()
    return summary_of_cameras(scope.cameras)


def summary_of_cameras(cameras):
    """The summary over a queryset of cameras, in one query, uncached (it is per user)."""
    return summary_where(Q(camera__in=cameras.values("pk")), utc_today())


def summary_where(condition, today):
    row = statistics_since(today).filter(condition).aggregate(**summary_aggregates(today))
    return summary_from(row)


def statistics_since(today):
    longest = max(PERIOD_DAYS.values())
    return EventStatistics.objects.filter(date__range=(first_day(longest, today), today))


def summary_aggregates(today):
    return {
        f"{period}_{kind}": Coalesce(Sum(column, filter=Q(date__gte=first_day(days, today))), 0)
        for period, days in PERIOD_DAYS.items()
        for kind, column in KINDS.items()
    }


def summary_from(row):
    """``{period: {kind: count}}`` from an aggregate row."""
    return {period: {kind: row[f"{period}_{kind}"] for kind in KINDS} for period in PERIOD_DAYS}


def empty_summary():
    return {period: dict.fromkeys(KINDS, 0) for period in PERIOD_DAYS}


def display_summary(summary):
    """The summary with each count as ``{"value": n, "display": "1.2K"}`` for the live script."""
    return {
        period: {kind: {"value": n, "display": format_count(n)} for kind, n in counts.items()}
        for period, counts in summary.items()
    }
