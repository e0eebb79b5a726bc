"""The live endpoint the widgets' script polls: counters per camera and overall, zone crossings."""

import re

from django.core.validators import slug_re
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api.permissions import ConfiguredPermissionsMixin, visible_cameras, visible_events
from ..api.schema import extend_schema
from ..conf import analytics_settings
from ..models import Camera, Zone
from .counters import (
    camera_summaries,
    display_summary,
    overall_summary,
    summary_of_cameras,
)
from .formatting import display_counts
from .zones import crossings_today

MAX_IDS = 100  # cameras, and zones, per request
# A zone id as the script sends it: a positive integer in the range of the primary key.
ZONE_ID = re.compile(r"[1-9][0-9]{0,17}")


class LiveCountersView(ConfiguredPermissionsMixin, APIView):
    """Camera counts (today, 7 and 30 days) and zone crossings today, with the API's permissions."""

    queryset = Camera.objects.all()  # for DjangoModelPermissions; narrowed by the hook

    def get_queryset(self):
        return visible_cameras(self.request, Camera.objects.all())

    @extend_schema(
        operation_id="widgets_live_counters",
        parameters=[
            OpenApiParameter(
                "camera", str, many=True, description=f"Camera ids (repeatable, at most {MAX_IDS})."
            ),
            OpenApiParameter("overall", bool, description="Also count all visible cameras."),
            OpenApiParameter(
                "zone",
                int,
                many=True,
                description=f"Zone ids (repeatable, at most {MAX_IDS}): crossings in and out today "
                "(UTC). Zones that do not exist or whose camera the user may not see are left out.",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        requested = {name: request.query_params.getlist(name) for name in ("camera", "zone")}
        for name, ids in requested.items():
            if len(ids) > MAX_IDS:
                message = _("Ask for at most %(max)d ids.") % {"max": MAX_IDS}
                return Response({name: [message]}, status=400)
        # Anything that is no camera slug or zone id (NUL bytes, markup) names nothing.
        camera_ids = [cid for cid in requested["camera"] if slug_re.fullmatch(cid)]
        zone_ids = [int(zid) for zid in requested["zone"] if ZONE_ID.fullmatch(zid)]
        payload = {"cameras": self.camera_counts(camera_ids), "zones": self.zone_counts(zone_ids)}
        if request.query_params.get("overall") in ("1", "true"):
            payload["overall"] = display_summary(self.overall_summary())
        response = Response(payload)
        add_never_cache_headers(response)
        return response

    def camera_counts(self, camera_ids):
        if not camera_ids:
            return {}
        visible = self.get_queryset().filter(camera_id__in=camera_ids)
        summaries = camera_summaries(visible.values_list("camera_id", flat=True))
        return {camera_id: display_summary(s) for camera_id, s in summaries.items()}

    def zone_counts(self, zone_ids):
        """``{zone id: {"in": ..., "out": ...}}`` of the zones of visible cameras only."""
        if not zone_ids:
            return {}
        zones = visible_events(self.request, Zone.objects.select_related("camera"))
        counts = crossings_today(zones.filter(pk__in=zone_ids))
        return {str(pk): display_counts(crossings) for pk, crossings in counts.items()}

    def overall_summary(self):
        if analytics_settings.CAMERA_QUERYSET_HOOK is None:
            return overall_summary()
        return summary_of_cameras(self.get_queryset())
