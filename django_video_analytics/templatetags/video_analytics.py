"""Analytics widgets for a host's pages: ``{% load video_analytics %}``.

A tag about one camera takes it as its first argument (a Camera or a camera id), else
uses ``camera`` from the context; without either, or with ``overall=True``, it covers all
cameras. Each tag costs at most two queries and caches its data (see ``widgets.cache``).
With ``CAMERA_QUERYSET_HOOK`` set, tags show only the cameras of the context's request user
(see ``widgets.scope``).
"""

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from ..conf import analytics_settings
from ..models import Camera
from ..widgets import formatting
from ..widgets.charts import sparkline_points, stacked_bar_chart
from ..widgets.counters import KIND_LABELS, KINDS, summary_in
from ..widgets.daily import CLASS_COLUMNS, days_in
from ..widgets.feed import detection_summary, feed_in, parse_kinds
from ..widgets.periods import PERIOD_LABELS, period_days
from ..widgets.scope import scope_for
from ..widgets.snapshots import snapshot_of
from ..widgets.status import camera_state

register = template.Library()

TEMPLATE_DIR = "django_video_analytics/widgets"
# Set on the request once the live script tag is rendered, so a page loads it once.
SCRIPT_RENDERED = "_video_analytics_live_script"
SNAPSHOT_SCRIPT_RENDERED = "_video_analytics_snapshot_script"


def camera_in(context, camera, overall=False):
    """The camera a tag is about: the argument, else the context's; None means all cameras."""
    if overall:
        return None
    return camera if camera is not None else context.get("camera")


def camera_id_of(camera):
    if camera is None or camera == "":
        return None
    return getattr(camera, "camera_id", None) or str(camera)


def scope_of_tag(context, camera, overall=False):
    """The tag's camera (None: all cameras), within the cameras the request's user may see."""
    return scope_for(context, camera_id_of(camera_in(context, camera, overall)))


def first_script_tag(context, marker=SCRIPT_RENDERED):
    """True the first time a page asks (per request and ``marker``; always without a request)."""
    request = context.get("request")
    if request is None:
        return True
    if getattr(request, marker, False):
        return False
    setattr(request, marker, True)
    return True


@register.inclusion_tag(f"{TEMPLATE_DIR}/status_badge.html", takes_context=True)
def camera_status(context, camera=None):
    """Active, inactive, error (with the last error) or stale heartbeat."""
    camera = camera_in(context, camera)
    camera_id = camera_id_of(camera)
    if camera_id is None or scope_for(context, camera_id).hidden:
        return {"state": None}
    if isinstance(camera, str):
        camera = Camera.objects.filter(camera_id=camera).first()
    return {"state": camera_state(camera) if camera is not None else None}


@register.inclusion_tag(f"{TEMPLATE_DIR}/counters.html", takes_context=True)
def event_counters(context, camera=None, period="today", overall=False):
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
    context, camera=None, kind="detections", period="today", overall=False, every=None
):
    """One count that the static script refreshes from the live endpoint every few seconds."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    period_days(period)  # rejects an unknown period with a clear message
    scope = scope_of_tag(context, camera, overall)
    value = summary_in(scope)[period][kind]
    every = analytics_settings.LIVE_REFRESH_SECONDS if every is None else every
    return {
        "url": reverse("django_video_analytics:widgets-live"),
        "camera_id": scope.camera_id,
        "kind": kind,
        "period": period,
        "value": value,
        "display": formatting.format_count(value),
        "every_ms": int(float(every) * 1000),
        "include_script": first_script_tag(context),
    }


@register.inclusion_tag(f"{TEMPLATE_DIR}/feed.html", takes_context=True)
def event_feed(
    context, camera=None, kinds="detections,plates", limit=10, snapshots=True, overall=False
):
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
def event_snapshot(context, event):
    """The event's snapshot with its boxes and labels drawn over it; opens larger on click."""
    snapshot = snapshot_of(event)
    include_script = snapshot is not None and first_script_tag(context, SNAPSHOT_SCRIPT_RENDERED)
    return {"snapshot": snapshot, "include_script": include_script}


@register.inclusion_tag(f"{TEMPLATE_DIR}/analytics.html", takes_context=True)
def camera_analytics(context, camera=None, period="week", overall=False):
    """Totals of ``period`` (week or month) and a chart of daily counts per object class."""
    days = days_in(scope_of_tag(context, camera, overall), period_days(period))
    names = list(CLASS_COLUMNS)
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
def activity_sparkline(context, camera=None, days=14, overall=False, width=120, height=24):
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
def format_count(value):
    """1234 -> 1.2K, 1234567 -> 1.2M."""
    return formatting.format_count(value)


@register.filter
def format_plate(value, groups=""):
    """Upper-case plate with single spaces; ``"4-3"`` regroups ``GX19WHN`` as ``GX19 WHN``."""
    return formatting.format_plate(value, groups)


register.filter("detection_summary", detection_summary)


@register.simple_tag
def video_analytics_css():
    """The ``<link>`` of the optional stylesheet; hosts that style the widgets leave it out."""
    return format_html(
        '<link rel="stylesheet" href="{}">', static("django_video_analytics/widgets.css")
    )
