"""API of the watchlist: manage entries (``watchlist/``), list and acknowledge ``alerts/``."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination

from .. import outbound
from ..api.fields import MaskedURLField
from ..api.filters import PlateFilter, timestamp_bound
from ..api.pagination import EventCursorPagination
from ..api.permissions import ConfiguredPermissionsMixin, visible_cameras, visible_events
from ..conf import analytics_settings
from ..models import Camera, PlateAlert, WatchlistEntry
from .patterns import PatternError, compile_pattern
from .plates import canonical_plate
from .scoping import visible_entries


class VisibleCameraField(serializers.SlugRelatedField):
    """A camera by ``camera_id``, among those ``CAMERA_QUERYSET_HOOK`` shows the user."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:  # no user to scope for (e.g. schema generation): no camera
            return Camera.objects.none()
        return visible_cameras(request, Camera.objects.all())


class WatchlistEntrySerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: MaskedURLField,  # webhook_url: credentials are write-only
    }
    cameras = VisibleCameraField(slug_field="camera_id", many=True, required=False)

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
                compile_pattern(plate)
            except PatternError as exc:
                raise error_class({"plate": str(exc)}) from exc
        else:
            values["plate"] = canonical_plate(plate)
            if not values["plate"]:
                raise error_class({"plate": "A plate needs at least one letter or digit."})
    if values.get("webhook_url"):
        try:
            outbound.validate_url(values["webhook_url"])
        except outbound.OutboundBlocked as exc:
            raise error_class({"webhook_url": str(exc)}) from exc
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


class WatchlistEntryFilterSet(filters.FilterSet):
    plate = filters.CharFilter(method="by_plate", help_text="A plate (any spelling) or a pattern.")

    class Meta:
        model = WatchlistEntry
        fields = ["plate", "is_active", "is_pattern"]

    def by_plate(self, queryset, name, value):
        return queryset.filter(Q(plate=canonical_plate(value)) | Q(plate=value))


class PlateAlertFilterSet(filters.FilterSet):
    camera__camera_id = filters.CharFilter(help_text=_("Public id of the camera."))
    license_plate = PlateFilter(
        help_text=_("Exact licence plate; case, spaces and separators are ignored.")
    )
    start_date = timestamp_bound(
        "gte", _("Alerts at or after this date or datetime."), "created_at"
    )
    end_date = timestamp_bound(
        "lte", _("Alerts up to this datetime, or through the end of this date."), "created_at"
    )

    class Meta:
        model = PlateAlert
        fields = ["entry", "acknowledged"]


class WatchlistPagination(PageNumberPagination):
    """Page numbers: a short list an operator edits and sorts by plate, rarely appended to."""

    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = analytics_settings.API_PAGE_SIZE
        self.max_page_size = analytics_settings.API_MAX_PAGE_SIZE


class ReadNeedsViewPermission(permissions.BasePermission):
    """GET needs the model's ``view_*`` permission: these lists say which plates are watched."""

    def has_permission(self, request, view):
        if request.method not in ("GET", "HEAD"):
            return True
        model = view.get_queryset().model
        return request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


class WatchlistPermissionsMixin(ConfiguredPermissionsMixin):
    """The configured permissions; with model permissions among them, reads need ``view_*``."""

    def get_permissions(self):
        configured = super().get_permissions()
        if any(isinstance(p, permissions.DjangoModelPermissions) for p in configured):
            configured.append(ReadNeedsViewPermission())
        return configured


class AlertCursorPagination(EventCursorPagination):
    """Alerts are a feed like events: newest first, stable while new ones arrive."""

    ordering = "-created_at"


class WatchlistEntryViewSet(WatchlistPermissionsMixin, viewsets.ModelViewSet):
    """Watchlist entries: plates or patterns, camera scope, fuzzy distance, webhook."""

    serializer_class = WatchlistEntrySerializer
    pagination_class = WatchlistPagination
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = WatchlistEntryFilterSet
    ordering_fields = ["plate", "created_at"]

    def get_queryset(self):
        entries = WatchlistEntry.objects.prefetch_related("cameras")
        return visible_entries(self.request, entries)

    def perform_create(self, serializer):
        serializer.save(
            created_by=self.request.user if self.request.user.is_authenticated else None
        )


class PlateAlertViewSet(
    WatchlistPermissionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Alerts raised by watchlist hits, newest first, with their webhook delivery log."""

    http_method_names = ["get", "patch", "head", "options"]

    serializer_class = PlateAlertSerializer
    pagination_class = AlertCursorPagination
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = PlateAlertFilterSet
    ordering_fields = ["created_at"]

    def get_queryset(self):
        queryset = PlateAlert.objects.select_related("camera", "entry", "event").prefetch_related(
            "deliveries"
        )
        return visible_events(self.request, queryset)
