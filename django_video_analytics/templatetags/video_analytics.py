"""Analytics widgets for a host's pages: ``{% load video_analytics %}``.

A tag about one camera takes it as its first argument (a Camera or a camera id), else
uses ``camera`` from the context; without either, or with ``overall=True``, it covers all
cameras. Each tag costs at most two queries and caches its data (see ``widgets.cache``).
With ``CAMERA_QUERYSET_HOOK`` set, tags show only the cameras of the context's request user
(see ``widgets.scope``).
"""

from typing import Any

from django import template
from django.template import Context
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..conf import analytics_settings
from ..models import Camera
from ..statistics import CHART_CLASSES
from ..widgets import formatting, zones
from ..widgets.charts import sparkline_points, stacked_bar_chart
from ..widgets.counters import KIND_LABELS, KINDS, summary_in
from ..widgets.daily import days_in
from ..widgets.feed import detection_summary, feed_in, parse_kinds
from ..widgets.periods import PERIOD_LABELS, period_days
from ..widgets.scope import scope_for
from ..widgets.snapshots import snapshot_of
from ..widgets.status import camera_state

register = template.Library()

# A tag's camera argument: a Camera, a camera id, or nothing (the context's, or all cameras).
CameraArg = Camera | str | None

TEMPLATE_DIR = "django_video_analytics/widgets"
# Set on the request once the live script tag is rendered, so a page loads it once.
SCRIPT_RENDERED = "_video_analytics_live_script"
SNAPSHOT_SCRIPT_RENDERED = "_video_analytics_snapshot_script"
# A counting line's directions (the keys of ``zones.crossings_today``) and their labels.
LINE_DIRECTIONS = {"in": _("In"), "out": _("Out")}


def camera_in(context: Context, camera: CameraArg, overall: bool = False) -> CameraArg:
    """The camera a tag is about: the argument, else the context's; None means all cameras."""
    if overall:
        return None
    return camera if camera is not None else context.get("camera")


def camera_id_of(camera: CameraArg) -> str | None:
    if camera is None or camera == "":
        return None
    return getattr(camera, "camera_id", None) or str(camera)


def scope_of_tag(context: Context, camera: CameraArg, overall: bool = False) -> Any:
    """The tag's camera (None: all cameras), within the cameras the request's user may see."""
    return scope_for(context, camera_id_of(camera_in(context, camera, overall)))


def first_script_tag(context: Context, marker: str = SCRIPT_RENDERED) -> bool:
    """True the first time a page asks (per request and ``marker``; always without a request)."""
    request = context.get("request")
    if request is None:
        return True
    if getattr(request, marker, False):
        return False
    setattr(request, marker, True)
    return True


def live_refresh(context: Context, every: float | str | None) -> dict[str, Any]:
    """What a live value's markup needs: the endpoint, the interval, the script (once a page)."""
    every = analytics_settings.LIVE_REFRESH_SECONDS if every is None else every
    return {
        "url": reverse("django_video_analytics:widgets-live"),
        "every_ms": int(float(every) * 1000),
        "include_script": first_script_tag(context),
    }


@register.inclusion_tag(f"{TEMPLATE_DIR}/status_badge.html", takes_context=True)
def camera_status(context: Context, camera: CameraArg = None) -> dict[str, Any]:
    """Active, inactive, error (with the last error) or stale heartbeat."""
    camera = camera_in(context, camera)
    camera_id = camera_id_of(camera)
    if camera_id is None or scope_for(context, camera_id).hidden:
        return {"state": None}
    if isinstance(camera, str):
        camera = Camera.objects.filter(camera_id=camera).first()
    return {"state": camera_state(camera) if camera is not None else None}


@register.inclusion_tag(f"{TEMPLATE_DIR}/counters.html", takes_context=True)
def event_counters(
    context: Context, camera: CameraArg = None, period: str = "today", overall: bool = False
) -> dict[str, Any]:
    """Detections, motion events and plates of ``period`` (today, week or month)."""
    period_days(period)  # rejects an unknown period with a clear message
    counts = summary_in(scope_of_tag(context, camera, overall))[period]
    return {
        "period": period,
        "period_label": PERIOD_LABELS[period],
        "counters": [
            {"kind": kind, "label": KIND_LABELS[kind], "value": counts[kind]} for kind in KINDS
        ],
    }


@register.inclusion_tag(f"{TEMPLATE_DIR}/live_counter.html", takes_context=True)
def live_counter(
    context: Context,
    camera: CameraArg = None,
    kind: str = "detections",
    period: str = "today",
    overall: bool = False,
    every: float | str | None = None,
) -> dict[str, Any]:
    """One count that the static script refreshes from the live endpoint every few seconds."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    period_days(period)  # rejects an unknown period with a clear message
    scope = scope_of_tag(context, camera, overall)
    value = summary_in(scope)[period][kind]
    return {
        "camera_id": scope.camera_id,
        "kind": kind,
        "period": period,
        "value": value,
        "display": formatting.format_count(value),
        **live_refresh(context, every),
    }


@register.inclusion_tag(f"{TEMPLATE_DIR}/feed.html", takes_context=True)
def event_feed(
    context: Context,
    camera: CameraArg = None,
    kinds: str = "detections,plates",
    limit: int | str = 10,
    snapshots: bool = True,
    overall: bool = False,
) -> dict[str, Any]:
    """The newest detections and/or plates, with their snapshot when one exists."""
    camera = camera_in(context, camera, overall)
    items = feed_in(scope_for(context, camera_id_of(camera)), parse_kinds(kinds), int(limit))
    return {
        "items": items,
        "snapshots": snapshots,
        "show_camera": camera is None,
        "request": context.get("request"),  # {% event_snapshot %} loads its script once
    }


@register.inclusion_tag(f"{TEMPLATE_DIR}/snapshot.html", takes_context=True)
def event_snapshot(context: Context, event: Any) -> dict[str, Any]:
    """The event's snapshot with its boxes and labels drawn over it; opens larger on click."""
    snapshot = snapshot_of(event)
    include_script = snapshot is not None and first_script_tag(context, SNAPSHOT_SCRIPT_RENDERED)
    return {"snapshot": snapshot, "include_script": include_script}


@register.inclusion_tag(f"{TEMPLATE_DIR}/analytics.html", takes_context=True)
def camera_analytics(
    context: Context, camera: CameraArg = None, period: str = "week", overall: bool = False
) -> dict[str, Any]:
    """Totals of ``period`` (week or month) and a chart of daily counts per object class."""
    days = days_in(scope_of_tag(context, camera, overall), period_days(period))
    names = list(CHART_CLASSES)
    return {
        "period": period,
        "period_label": PERIOD_LABELS[period],
        "chart": stacked_bar_chart(days, names),
        "classes": [{"name": n, "total": sum(d.classes[n] for d in days)} for n in names],
        "totals": [
            {"kind": kind, "label": KIND_LABELS[kind], "value": sum(d.events[kind] for d in days)}
            for kind in KINDS
        ],
        "first_date": days[0].date,
        "last_date": days[-1].date,
    }


@register.inclusion_tag(f"{TEMPLATE_DIR}/sparkline.html", takes_context=True)
def activity_sparkline(
    context: Context,
    camera: CameraArg = None,
    days: int | str = 14,
    overall: bool = False,
    width: int = 120,
    height: int = 24,
) -> dict[str, Any]:
    """A line of the events stored per day over the last ``days`` days."""
    series = days_in(scope_of_tag(context, camera, overall), int(days))
    activity = [day.activity for day in series]
    return {
        "points": sparkline_points(activity, width, height),
        "total": sum(activity),
        "days": len(series),
        "width": width,
        "height": height,
    }


@register.filter
def format_count(value: int | float | None) -> str:
    """1234 -> 1.2K, 1234567 -> 1.2M."""
    return formatting.format_count(value)


@register.filter
def format_plate(value: str | None, groups: str = "") -> str:
    """Upper-case plate with single spaces; ``"4-3"`` regroups ``GX19WHN`` as ``GX19 WHN``."""
    return formatting.format_plate(value, groups)


register.filter("detection_summary", detection_summary)


@register.simple_tag(takes_context=True)
def camera_health_state(context: Context, camera: CameraArg = None) -> str:
    """``online``, ``offline`` or ``unknown``: the camera's recorded health now."""
    from ..operations.camera_health import current_state

    camera_id = camera_id_of(camera_in(context, camera))
    if camera_id is None or scope_for(context, camera_id).hidden:
        return "unknown"
    return current_state(camera_id) or "unknown"


@register.inclusion_tag(f"{TEMPLATE_DIR}/uptime.html", takes_context=True)
def camera_uptime(
    context: Context, camera: CameraArg = None, days: int | str = 7
) -> dict[str, Any]:
    """A table of the camera's uptime % per UTC day (a dash where nothing was recorded)."""
    from ..operations.camera_health import daily_uptime

    camera = camera_in(context, camera)
    camera_id = camera_id_of(camera)
    if camera_id is None or scope_for(context, camera_id).hidden:
        return {"days": []}
    if isinstance(camera, str):
        camera = Camera.objects.filter(camera_id=camera).first()
    return {"days": daily_uptime(camera, int(days)) if camera is not None else []}


@register.inclusion_tag(f"{TEMPLATE_DIR}/zone_line_counter.html", takes_context=True)
def line_counter(context: Context, zone: Any, every: float | str | None = None) -> dict[str, Any]:
    """Crossings in and out of a counting line (a Zone or its id) today (UTC), refreshed live."""
    zone = zones.zone_in(context, zone)
    if zone is None:
        return {"zone": None}
    counts = zones.crossings_today([zone])[zone.pk]
    return {
        "zone": zone,
        "counters": [
            {"direction": direction, "label": label, "value": counts[direction]}
            for direction, label in LINE_DIRECTIONS.items()
        ],
        **live_refresh(context, every),
    }


@register.inclusion_tag(f"{TEMPLATE_DIR}/zone_occupancy.html", takes_context=True)
def zone_occupancy(context: Context, zone: Any) -> dict[str, Any]:
    """The zone's peak occupancy per class this hour, against its occupancy limit."""
    zone = zones.zone_in(context, zone)
    if zone is None:
        return {"zone": None}
    classes = zones.occupancy_now(zone)
    total = sum(item["max_occupancy"] for item in classes)
    limit = zone.occupancy_limit
    scale = max(total, limit or 0, 1)
    return {
        "zone": zone,
        "classes": classes,
        "total": total,
        "limit": limit,
        "over_limit": limit is not None and total > limit,
        "fill": round(100 * total / scale, 2),
        "limit_at": round(100 * limit / scale, 2) if limit is not None else None,
    }


@register.inclusion_tag(f"{TEMPLATE_DIR}/zone_hourly_chart.html", takes_context=True)
def zone_hourly_chart(context: Context, zone: Any, hours: int | str = 24) -> dict[str, Any]:
    """Bars of the last ``hours`` UTC hours: crossings in and out of a line, visits of a zone."""
    zone = zones.zone_in(context, zone)
    if zone is None:
        return {"zone": None}
    return {"zone": zone, "chart": zones.hourly_chart(zones.hourly_counts(zone, int(hours)))}


@register.inclusion_tag(f"{TEMPLATE_DIR}/zone_dwell_histogram.html", takes_context=True)
def zone_dwell_histogram(context: Context, zone: Any, days: int | str = 7) -> dict[str, Any]:
    """Bars of the zone's closed visits per dwell bin, of those entered in the last ``days``."""
    zone = zones.zone_in(context, zone)
    if zone is None:
        return {"zone": None}
    return {
        "zone": zone,
        "days": int(days),
        "chart": zones.dwell_chart(zones.dwell_bins(zone, int(days))),
    }


@register.simple_tag
def video_analytics_css() -> str:
    """The ``<link>`` of the optional stylesheet; hosts that style the widgets leave it out."""
    return format_html(
        '<link rel="stylesheet" href="{}">', static("django_video_analytics/widgets.css")
    )
