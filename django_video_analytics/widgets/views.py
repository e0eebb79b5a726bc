"""The live endpoint the widgets' script polls: counters per camera and overall, as JSON."""

from django.core.validators import slug_re
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api.permissions import ConfiguredPermissionsMixin, visible_cameras
from ..api.schema import extend_schema
from ..conf import analytics_settings
from ..models import Camera
from .counters import (
    camera_summaries,
    display_summary,
    overall_summary,
    summary_of_cameras,
)


class LiveCountersView(ConfiguredPermissionsMixin, APIView):
    """Counts for today, the last 7 and 30 days, with the same permissions as the API."""

    max_cameras = 100
    queryset = Camera.objects.all()  # for DjangoModelPermissions; narrowed by the hook

    def get_queryset(self):
        return visible_cameras(self.request, Camera.objects.all())

    @extend_schema(
        operation_id="widgets_live_counters",
        parameters=[
            OpenApiParameter("camera", str, many=True, description="Camera ids (repeatable)."),
            OpenApiParameter("overall", bool, description="Also count all visible cameras."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        requested = request.query_params.getlist("camera")
        if len(requested) > self.max_cameras:
            message = _("Ask for at most %(max)d cameras.") % {"max": self.max_cameras}
            return Response({"camera": [message]}, status=400)
        payload = {"cameras": {}}
        # Camera ids are slugs; anything else (NUL bytes, markup) names no camera.
        requested = [camera_id for camera_id in requested if slug_re.fullmatch(camera_id)]
        if requested:
            camera_ids = self.get_queryset().filter(camera_id__in=requested)
            summaries = camera_summaries(camera_ids.values_list("camera_id", flat=True))
            payload["cameras"] = {cid: display_summary(s) for cid, s in summaries.items()}
        if request.query_params.get("overall") in ("1", "true"):
            payload["overall"] = display_summary(self.overall_summary())
        response = Response(payload)
        add_never_cache_headers(response)
        return response

    def overall_summary(self):
        if analytics_settings.CAMERA_QUERYSET_HOOK is None:
            return overall_summary()
        return summary_of_cameras(self.get_queryset())
