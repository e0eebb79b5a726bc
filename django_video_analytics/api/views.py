"""The HTTP API of SPEC.md: cameras (with start/stop/statistics), events, statistics."""

import logging
from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from ..control import ControlError, get_control_backend
from ..models import ANPREvent, Camera, DetectionEvent, EventStatistics, MotionEvent
from . import filters, serializers
from .pagination import EventCursorPagination
from .permissions import ConfiguredPermissionsMixin, visible_cameras, visible_events
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
