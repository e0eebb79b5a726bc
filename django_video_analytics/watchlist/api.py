"""API of the watchlist: manage entries (``watchlist/``), list and acknowledge ``alerts/``."""

import re

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination

from ..api.permissions import ConfiguredPermissionsMixin, visible_events
from ..conf import analytics_settings
from ..models import Camera, PlateAlert, WatchlistEntry
from .matching import canonical_plate


class WatchlistEntrySerializer(serializers.ModelSerializer):
    cameras = serializers.SlugRelatedField(
        slug_field="camera_id", queryset=Camera.objects.all(), many=True, required=False
    )

    class Meta:
        model = WatchlistEntry
        fields = ("id", *WatchlistEntry.EDITABLE_FIELDS, "created_at", "updated_at")
        extra_kwargs = {"webhook_secret": {"write_only": True}}

    def validate(self, attrs):
        return clean_entry(attrs, self.instance, serializers.ValidationError)


def clean_entry(values, instance, error_class):
    """Shared by the API and the admin form: canonical plates, valid patterns and spans."""

    def current(name):
        return values.get(name, getattr(instance, name, None) if instance else None)

    plate, is_pattern = current("plate"), current("is_pattern")
    if plate is not None:
        if is_pattern:
            try:
                re.compile(plate)
            except re.error as exc:
                raise error_class({"plate": f"Not a valid regular expression: {exc}"}) from exc
        else:
            values["plate"] = canonical_plate(plate)
            if not values["plate"]:
                raise error_class({"plate": "A plate needs at least one letter or digit."})
    start, end = current("active_from"), current("active_until")
    if start and end and end < start:
        raise error_class({"active_until": "The end of the active span precedes its start."})
    return values


class PlateAlertSerializer(serializers.ModelSerializer):
    camera_id = serializers.CharField(source="camera.camera_id", read_only=True)
    camera_name = serializers.CharField(source="camera.name", read_only=True)
    entry_label = serializers.CharField(source="entry.label", read_only=True)
    timestamp = serializers.DateTimeField(source="event.timestamp", read_only=True)
    confidence = serializers.FloatField(source="event.confidence", read_only=True)
    deliveries = serializers.SerializerMethodField()

    class Meta:
        model = PlateAlert
        fields = [
            "id",
            "license_plate",
            "distance",
            "entry",
            "entry_label",
            "event",
            "camera_id",
            "camera_name",
            "timestamp",
            "confidence",
            "acknowledged",
            "created_at",
            "deliveries",
        ]
        # Operators acknowledge an alert with PATCH {"acknowledged": true}.
        read_only_fields = [name for name in fields if name != "acknowledged"]

    def get_deliveries(self, alert) -> list[dict]:
        return [
            {
                "attempt": delivery.attempt,
                "succeeded": delivery.succeeded,
                "status_code": delivery.status_code,
                "error": delivery.error,
                "created_at": delivery.created_at,
            }
            for delivery in alert.deliveries.all()
        ]


class PlateAlertFilterSet(filters.FilterSet):
    camera__camera_id = filters.CharFilter()
    license_plate = filters.CharFilter()
    start_date = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    end_date = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = PlateAlert
        fields = ["entry", "acknowledged"]


class WatchlistPagination(PageNumberPagination):
    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = analytics_settings.API_PAGE_SIZE
        self.max_page_size = analytics_settings.API_MAX_PAGE_SIZE


class WatchlistEntryViewSet(ConfiguredPermissionsMixin, viewsets.ModelViewSet):
    """Watchlist entries: plates or patterns, camera scope, fuzzy distance, webhook."""

    queryset = WatchlistEntry.objects.prefetch_related("cameras")
    serializer_class = WatchlistEntrySerializer
    pagination_class = WatchlistPagination
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_fields = ["plate", "is_active", "is_pattern"]
    ordering_fields = ["plate", "created_at"]


class PlateAlertViewSet(
    ConfiguredPermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Alerts raised by watchlist hits, newest first, with their webhook delivery log."""

    http_method_names = ["get", "patch", "head", "options"]

    serializer_class = PlateAlertSerializer
    pagination_class = WatchlistPagination
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = PlateAlertFilterSet
    ordering_fields = ["created_at"]

    def get_queryset(self):
        queryset = PlateAlert.objects.select_related("camera", "entry", "event").prefetch_related(
            "deliveries"
        )
        return visible_events(self.request, queryset)
