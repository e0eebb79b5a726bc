"""The admin's zone editor: a points widget drawn over the camera's newest snapshot.

The widget is the ``points`` textarea plus an SVG editor (``zone_editor.js``) that writes
the normalised points back into it, so ``Zone.clean`` stays the only validation and a page
without JavaScript still posts the raw JSON.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import JsonResponse

from .api.permissions import visible_events
from .models import Camera, DetectionEvent, Zone
from .pipeline.zones.specs import MAX_POLYGON_POINTS

# The form fields the editor reads and writes beside the points, by role.
SIBLINGS = {"kind": "kind", "side": "in_side", "camera": "camera"}
# Detection snapshots are whole frames (plate snapshots are crops): the newest one among the
# camera's last RECENT_EVENTS detections is drawn on, so a camera whose events have no
# snapshots (SNAPSHOTS off) costs one bounded query, never a scan of its history.
RECENT_EVENTS = 100


MAX_PK = 2**63 - 1  # beyond a 64-bit key, SQLite raises instead of finding nothing


def latest_snapshot_url(request, camera_pk):
    """The URL of the newest detection snapshot of a camera the user may see, or None.

    Only users who may view detection events (the permission that shows their snapshots
    in the admin) get one, and only for cameras ``CAMERA_QUERYSET_HOOK`` shows them.
    """
    try:
        camera_pk = Camera._meta.pk.to_python(camera_pk)
    except ValidationError:
        return None
    opts = DetectionEvent._meta
    may_view = request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    if not 0 < (camera_pk or 0) <= MAX_PK or not may_view:
        return None
    events = visible_events(request, DetectionEvent.objects.filter(camera_id=camera_pk))
    names = events.order_by("-timestamp", "-id").values_list("snapshot", flat=True)
    name = next((name for name in names[:RECENT_EVENTS] if name), None)
    return opts.get_field("snapshot").storage.url(name) if name else None


class ZoneEditorWidget(forms.Textarea):
    """The points as JSON, with the editor that draws them over ``snapshot_url``."""

    template_name = "django_video_analytics/admin/zone_editor.html"

    class Media:
        css = {"all": ("django_video_analytics/zone_editor.css",)}
        js = ("django_video_analytics/zone_editor.js",)

    def __init__(self, request, endpoint, attrs=None):
        super().__init__(attrs={"rows": 3, **(attrs or {})})
        self.request = request
        self.endpoint = endpoint  # answers {"url": ...} for ?camera=<pk>
        self.camera = None  # set by the form: the camera chosen (initial or posted)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        prefix = name.removesuffix("points")  # a form prefix, if any
        context["editor"] = {
            "fields": {role: prefix + field for role, field in SIBLINGS.items()},
            "snapshot_url": latest_snapshot_url(self.request, self.camera),
            "endpoint": self.endpoint,
            "max_points": MAX_POLYGON_POINTS,
        }
        return context


class ZoneEditorForm(forms.ModelForm):
    """Tells the editor widget which camera's snapshot to draw on."""

    class Meta:
        model = Zone
        fields = ("camera", *Zone.SPEC_FIELDS, "occupancy_limit", "enabled")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        points = self.fields.get("points")  # absent for a view-only user
        widget = points.widget if points else None
        if isinstance(widget, ZoneEditorWidget) and "camera" in self.fields:
            widget.camera = self["camera"].value()


def snapshot_response(request):
    """``{"url": ...}``: the newest snapshot of ``?camera=<pk>``, for the editor's camera switch."""
    return JsonResponse({"url": latest_snapshot_url(request, request.GET.get("camera"))})
