"""An events browser a host can mount: the API's filters, cursor pages and permissions as HTML.

``EventBrowserView`` lists one kind of event (detections, plates or motion) with the API's
FilterSets, ``EventCursorPagination`` and permission classes, scoped by
``CAMERA_QUERYSET_HOOK``; only the rendering differs. Override ``template_name`` (or the
``django_video_analytics/events_browser.html`` template) to put it in the host's layout.
"""

from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api import filters
from ..api.pagination import EventCursorPagination
from ..api.permissions import ConfiguredPermissionsMixin, visible_cameras, visible_events
from ..classes import COCO_CLASS_NAMES
from ..conf import analytics_settings
from ..models import ANPREvent, Camera, DetectionEvent, MotionEvent


@dataclass(frozen=True)
class EventKind:
    """One list the browser shows: its model and the API FilterSet that filters it."""

    key: str
    label: str
    model: type
    filterset_class: type


KINDS = {
    kind.key: kind
    for kind in (
        EventKind("detections", _("Detections"), DetectionEvent, filters.DetectionEventFilterSet),
        EventKind("plates", _("Plates"), ANPREvent, filters.ANPREventFilterSet),
        EventKind("motion", _("Motion"), MotionEvent, filters.MotionEventFilterSet),
    )
}
PLATE_PARAMETERS = ("license_plate", "license_plate__icontains")


class EventBrowserView(ConfiguredPermissionsMixin, APIView):
    """Filter, page and open the events of the cameras the user may see."""

    renderer_classes = [TemplateHTMLRenderer]
    template_name = "django_video_analytics/events_browser.html"
    page_size = 24
    schema = None  # type: ignore[assignment]  # an HTML page, not part of the API schema

    def get_kind(self):
        """The ``kind`` asked for (default detections); a plate search always lists plates."""
        params = self.request.query_params
        if any(params.get(name) for name in PLATE_PARAMETERS):
            return KINDS["plates"]
        return KINDS.get(params.get("kind"), KINDS["detections"])

    def get_queryset(self):
        """The chosen kind's events on visible cameras (model permissions read its model)."""
        model = self.get_kind().model
        return visible_events(self.request, model.objects.select_related("camera"))

    def get(self, request):
        kind = self.get_kind()
        filterset = kind.filterset_class(request.query_params, self.get_queryset(), request=request)
        context = {
            "kind": kind,
            "kinds": KINDS.values(),
            "cameras": visible_cameras(request, Camera.objects.all()).order_by("name"),
            "class_names": COCO_CLASS_NAMES,
            "plate_min_length": analytics_settings.PLATE_SEARCH_MIN_LENGTH,
            "params": request.query_params,
            "errors": {},
            "rows": [],
        }
        if not filterset.is_valid():
            context["errors"] = filterset.errors
            return Response(context, status=400, template_name=self.template_name)
        paginator = EventCursorPagination()
        paginator.page_size = self.page_size
        try:
            page = paginator.paginate_queryset(filterset.qs, request, view=self)
        except ValidationError as exc:  # a cursor or page size that is not ours
            context["errors"] = exc.detail
            return Response(context, status=400, template_name=self.template_name)
        context["rows"] = [{"event": event, "detail_url": self.detail_url(event)} for event in page]
        context["next_url"] = paginator.get_next_link()
        context["previous_url"] = paginator.get_previous_link()
        return Response(context, template_name=self.template_name)

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated):  # a page: send the visitor to the login
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)

    def detail_url(self, event):
        """Where an event without a snapshot opens: its admin page, if the user may view it."""
        opts = event._meta
        user = self.request.user
        if not (user.is_staff and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")):
            return None
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[event.pk])
        except NoReverseMatch:
            return None
