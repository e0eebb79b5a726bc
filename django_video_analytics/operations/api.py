"""API of camera health: the online/offline periods (``camera-health/``) and daily uptime."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..api.filters import timestamp_bound
from ..api.pagination import EventCursorPagination
from ..api.permissions import visible_cameras, visible_events
from ..api.schema import extend_schema
from ..api.views import ConfiguredPermissionsMixin
from ..models import Camera, CameraHealth
from .camera_health import daily_uptime


class CameraHealthSerializer(serializers.ModelSerializer):
    camera_id = serializers.CharField(source="camera.camera_id", read_only=True)
    camera_name = serializers.CharField(source="camera.name", read_only=True)

    class Meta:
        model = CameraHealth
        fields = ["id", "camera_id", "camera_name", "state", "since", "until", "reason"]
        read_only_fields = fields


class UptimeQuerySerializer(serializers.Serializer):
    camera = serializers.CharField()
    days = serializers.IntegerField(min_value=1, max_value=366, default=7)


class CameraHealthFilterSet(filters.FilterSet):
    camera__camera_id = filters.CharFilter(help_text="Public id of the camera.")
    start_date = timestamp_bound("gte", "Periods that began at or after this moment.", "since")
    end_date = timestamp_bound("lte", "Periods that began up to this moment.", "since")

    class Meta:
        model = CameraHealth
        fields = ["state"]


class CameraHealthPagination(EventCursorPagination):
    ordering = "-since"


class CameraHealthViewSet(ConfiguredPermissionsMixin, viewsets.ReadOnlyModelViewSet):
    """Online/offline periods of the cameras, newest first; ``until`` is null while open."""

    serializer_class = CameraHealthSerializer
    pagination_class = CameraHealthPagination
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = CameraHealthFilterSet

    def get_queryset(self):
        return visible_events(self.request, CameraHealth.objects.select_related("camera"))

    @extend_schema(
        parameters=[
            OpenApiParameter("camera", str, required=True, description="Public id of the camera."),
            OpenApiParameter("days", int, description="Number of UTC days up to today (1..366)."),
        ]
    )
    @action(detail=False)
    def uptime(self, request):
        """``?camera=<camera_id>&days=7``: uptime % per UTC day (null: nothing recorded)."""
        query = UptimeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cameras = visible_cameras(request, Camera.objects.all())
        camera = get_object_or_404(cameras, camera_id=query.validated_data["camera"])
        days = daily_uptime(camera, query.validated_data["days"])
        return Response(
            {
                "camera_id": camera.camera_id,
                "days": [{"date": day, "uptime_percent": percent} for day, percent in days],
            }
        )
