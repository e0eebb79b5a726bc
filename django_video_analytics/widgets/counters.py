"""Event counts (detections, motion, plates) per camera or overall, per period."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..statistics import (
    EVENT_COUNTERS,
    statistics_within,
    sums_per_period,
    today,
    window,
    zero_counts,
)
from .cache import OVERALL, cached, cached_many
from .formatting import display_counts
from .periods import PERIOD_DAYS

# Widget kind -> the counter it shows (the events of one type).
KINDS = {
    "detections": EVENT_COUNTERS["detection"],
    "motion": EVENT_COUNTERS["motion"],
    "plates": EVENT_COUNTERS["anpr"],
}
KIND_LABELS = {"detections": _("Detections"), "motion": _("Motion"), "plates": _("Plates")}


def camera_summaries(camera_ids):
    """``{camera_id: summary}`` for these cameras: cached, misses filled by one query."""
    day = today()

    def compute(missing):
        rows = (
            statistics_since(day)
            .filter(camera__camera_id__in=missing)
            .values("camera__camera_id")
            .annotate(**summary_aggregates(day))
        )
        found = {row["camera__camera_id"]: summary_from(row) for row in rows}
        return {camera_id: found.get(camera_id, empty_summary()) for camera_id in missing}

    return cached_many(list(camera_ids), f"counters:{day}", compute)


def camera_summary(camera_id):
    return camera_summaries([camera_id])[camera_id]


def overall_summary():
    """The summary over all cameras (cached)."""
    day = today()
    return cached(OVERALL, f"counters:{day}", lambda: summary_where(Q(), day))


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
    return summary_where(Q(camera__in=cameras.values("pk")), today())


def summary_where(condition, last):
    row = statistics_since(last).filter(condition).aggregate(**summary_aggregates(last))
    return summary_from(row)


def statistics_since(last):
    return statistics_within(*window(max(PERIOD_DAYS.values()), last))


def summary_aggregates(last):
    return sums_per_period(KINDS, PERIOD_DAYS, last)


def summary_from(row):
    """``{period: {kind: count}}`` from an aggregate row."""
    return {period: {kind: row[f"{period}_{kind}"] for kind in KINDS} for period in PERIOD_DAYS}


def empty_summary():
    return {period: zero_counts(KINDS) for period in PERIOD_DAYS}


def display_summary(summary):
    """The summary with each count as ``{"value": n, "display": "1.2K"}`` for the live script."""
    return {period: display_counts(counts) for period, counts in summary.items()}
