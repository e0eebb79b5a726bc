"""The HTTP API of SPEC.md: cameras (with start/stop/statistics), events, statistics."""

import logging
from typing import Any

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from .. import zone_counts
from ..control import ControlError, get_control_backend
from ..models import (
    ANPREvent,
    Camera,
    DetectionEvent,
    EventStatistics,
    MotionEvent,
    Zone,
    ZoneCount,
)
from . import filters, serializers
from .pagination import EventCursorPagination
from .permissions import ConfiguredPermissionsMixin, visible_cameras, visible_events
from .renderers import CSVRenderer
from .schema import extend_schema
from .statistics import all_cameras_statistics, camera_statistics

logger = logging.getLogger(__name__)

CONTROL_FAILED = OpenApiResponse(
    description="The control backend (e.g. the remote analytics service) failed; the "
    "camera is marked `error` and `detail` carries the backend's message."
)
DAYS_PARAMETER = OpenApiParameter(
    "days",
    {"type": "integer", "minimum": 1, "maximum": 366, "default": 7},
    description="Number of days up to today (1..366, default 7).",
)


def read_query(request, serializer_class=serializers.StatisticsQuerySerializer):
    """The validated query parameters of a statistics view (400 with field errors)."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class CameraViewSet(ConfiguredPermissionsMixin, viewsets.ModelViewSet):
    """Cameras, looked up by their public ``camera_id``; not paginated (a VMS has few)."""

    serializer_class = serializers.CameraSerializer
    lookup_field = "camera_id"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    pagination_class = None
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.CameraFilterSet

    def get_queryset(self):
        return visible_cameras(self.request, Camera.objects.all())

    def perform_destroy(self, instance):
        if instance.enabled:
            get_control_backend().stop(instance)
        instance.delete()

    def destroy(self, request, *args, **kwargs):
        try:
            return super().destroy(request, *args, **kwargs)
        except ControlError as exc:
            return self.control_failed(exc)

    @extend_schema(request=None, responses={200: serializers.CameraSerializer, 502: CONTROL_FAILED})
    @action(detail=True, methods=["post"], filter_backends=[])
    def start(self, request, camera_id=None):
        """Start analysis of the camera through the configured control backend."""
        return self.control("start")

    @extend_schema(request=None, responses={200: serializers.CameraSerializer, 502: CONTROL_FAILED})
    @action(detail=True, methods=["post"], filter_backends=[])
    def stop(self, request, camera_id=None):
        """Stop analysis of the camera through the configured control backend."""
        return self.control("stop")

    @extend_schema(parameters=[DAYS_PARAMETER], responses=serializers.CameraStatisticsSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def statistics(self, request, camera_id=None):
        """Daily event counts of the camera and their totals."""
        days = read_query(request)["days"]
        camera = self.get_object()
        data = camera_statistics(camera, days)
        return Response(serializers.CameraStatisticsSerializer(data).data)

    def control(self, action_name):
        camera = self.get_object()
        try:
            getattr(get_control_backend(), action_name)(camera)
        except ControlError as exc:
            return self.control_failed(exc)
        return Response(self.get_serializer(camera).data)

    def control_failed(self, exc):
        logger.warning("Camera control failed: %s", exc)
        return Response({"detail": str(exc)}, status=status.HTTP_502_BAD_GATEWAY)


class EventViewSet(ConfiguredPermissionsMixin, viewsets.ReadOnlyModelViewSet):
    """Events of the cameras the user may see, newest first, cursor-paginated."""

    model: Any = None
    pagination_class = EventCursorPagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["timestamp", "created_at"]
    ordering = ["-timestamp", "-id"]

    def get_queryset(self):
        return visible_events(self.request, self.model.objects.select_related("camera"))

    @extend_schema(
        request=serializers.MarkProcessedSerializer,
        responses=serializers.MarkProcessedResultSerializer,
        filters=True,  # with all_matching, the list filters select the events
    )
    @action(detail=False, methods=["post"], url_path="mark-processed", pagination_class=None)
    def mark_processed(self, request):
        """Set ``processed`` on the listed ids, or on every event the filters select."""
        body = serializers.MarkProcessedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        queryset = self.filter_queryset(self.get_queryset()).order_by()
        if "ids" in body.validated_data:
            queryset = queryset.filter(pk__in=body.validated_data["ids"])
        updated = queryset.update(processed=body.validated_data["processed"])
        return Response({"updated": updated})


class DetectionEventViewSet(EventViewSet):
    model = DetectionEvent
    serializer_class = serializers.DetectionEventSerializer
    filterset_class = filters.DetectionEventFilterSet


class MotionEventViewSet(EventViewSet):
    model = MotionEvent
    serializer_class = serializers.MotionEventSerializer
    filterset_class = filters.MotionEventFilterSet


class ANPREventViewSet(EventViewSet):
    model = ANPREvent
    serializer_class = serializers.ANPREventSerializer
    filterset_class = filters.ANPREventFilterSet


class StatisticsViewSet(ConfiguredPermissionsMixin, viewsets.GenericViewSet):
    """Daily event counts across the cameras the user may see."""

    queryset = EventStatistics.objects.none()  # for model permissions and the schema
    pagination_class = None
    filter_backends: list[type] = []

    @extend_schema(
        parameters=[
            DAYS_PARAMETER,
            OpenApiParameter("camera__camera_id", str, description="Limit to this camera."),
        ],
        responses=serializers.AllCamerasStatisticsSerializer,
    )
    def list(self, request):
        query = read_query(request, serializers.AllCamerasStatisticsQuerySerializer)
        days, camera_id = query["days"], query.get("camera__camera_id")
        cameras = visible_cameras(request, Camera.objects.all())
        if camera_id:
            cameras = cameras.filter(camera_id=camera_id)
        data = all_cameras_statistics(cameras, days)
        return Response(serializers.AllCamerasStatisticsSerializer(data).data)


DATE_OR_DATETIME = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
}
HOURS_PARAMETERS = [
    OpenApiParameter(
        "start",
        DATE_OR_DATETIME,
        required=True,
        description="UTC hours from this ISO 8601 date or datetime.",
    ),
    OpenApiParameter(
        "end",
        DATE_OR_DATETIME,
        description="UTC hours up to this ISO 8601 datetime, or through the end of this date.",
    ),
]
ZONE_COUNTS_PARAMETERS = [
    *HOURS_PARAMETERS,
    OpenApiParameter("camera__camera_id", str, description="Limit to this camera."),
    OpenApiParameter("zone", int, description="Limit to this zone (id)."),
    OpenApiParameter("class_name", str, description="Limit to this object class."),
    OpenApiParameter(
        "bucket",
        {"type": "string", "enum": ["hour", "day"], "default": "hour"},
        description="Sum per UTC hour (a range of at most {hour} days) or UTC day (at most "
        "{day} days); a longer range is a 400 on start.".format(**zone_counts.MAX_RANGE_DAYS),
    ),
    OpenApiParameter(
        "group_by",
        str,
        description="Comma-separated keys among zone, class_name, direction "
        "(default zone,class_name). With direction, rows carry one direction's crossings.",
    ),
    OpenApiParameter(
        "format", {"type": "string", "enum": ["json", "csv"]}, description="csv: a CSV file."
    ),
]


def narrowed(request, rows):
    """``rows`` (ZoneCount, ZoneDayCount) of the query's camera, zone, class (400 if bad)."""
    filterset = filters.ZoneCountFilterSet(request.query_params, queryset=rows, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def buckets_as_text(rows):
    """``rows`` with each ``bucket`` as the JSON encoder writes it (``...Z``), once per bucket.

    The encoder would call back into Python for every row's datetime: twice the rendering.
    """
    texts: dict = {}
    for row in rows:
        moment = row["bucket"]
        text = texts.get(moment)
        if text is None:
            text = texts[moment] = moment.isoformat().replace("+00:00", "Z")
        row["bucket"] = text
    return rows


class ZoneViewSet(ConfiguredPermissionsMixin, viewsets.ModelViewSet):
    """Counting lines and zones of the cameras the user may see, with their counts."""

    serializer_class = serializers.ZoneSerializer
    pagination_class = None
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ZoneFilterSet

    def get_queryset(self):
        return visible_events(self.request, Zone.objects.select_related("camera"))

    def get_renderers(self):
        renderers = super().get_renderers()
        return [*renderers, CSVRenderer()] if self.action == "counts" else renderers

    @extend_schema(
        parameters=ZONE_COUNTS_PARAMETERS,
        responses={
            (200, "application/json"): serializers.ZoneCountsSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def counts(self, request):
        """Crossings, visits, dwell and peak occupancy per UTC hour or day, grouped."""
        query = read_query(request, serializers.ZoneCountsQuerySerializer)
        bucket, group_by = query["bucket"], query["group_by"]

        def scope(model):
            return narrowed(request, visible_events(request, model.objects.all()))

        rows = zone_counts.counts(scope, query["start"], query["stop"], bucket, group_by)
        if request.accepted_renderer.format != "csv":
            rows = buckets_as_text(rows)
        data = {
            "bucket": bucket,
            "group_by": list(group_by),
            "columns": zone_counts.columns(group_by),
            "rows": rows,
        }
        response = Response(data)  # the rows' keys depend on group_by: not re-serialised
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = 'attachment; filename="zone-counts.csv"'
        return response

    @extend_schema(responses=serializers.ZoneOccupancySerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def occupancy(self, request, pk=None):
        """The peak occupancy per class in the current UTC hour, from the hourly counts."""
        zone = self.get_object()
        data = {
            "zone_id": zone.pk,
            "zone": zone.name,
            "occupancy_limit": zone.occupancy_limit,
            **zone_counts.occupancy(zone, timezone.now()),
        }
        return Response(serializers.ZoneOccupancySerializer(data).data)

    @extend_schema(parameters=HOURS_PARAMETERS, responses=serializers.DwellHistogramSerializer)
    @action(detail=True, methods=["get"], url_path="dwell-histogram", filter_backends=[])
    def dwell_histogram(self, request, pk=None):
        """Closed visits of the zone per dwell bin, over the hours of ``start``..``end``."""
        zone = self.get_object()
        query = read_query(request, serializers.HoursQuerySerializer)
        rows = narrowed(request, ZoneCount.objects.filter(zone=zone))
        rows = zone_counts.hours(rows, query["start"], query["stop"])
        data = {"zone_id": zone.pk, "zone": zone.name, "bins": zone_counts.dwell_histogram(rows)}
        return Response(serializers.DwellHistogramSerializer(data).data)
