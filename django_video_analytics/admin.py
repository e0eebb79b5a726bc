from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_secrets import (
    SecretsAdminMixin,
    SecretsForm,
    WebhookSecretsAdminMixin,
    WebhookSecretsForm,
)
from .admin_zone_editor import ZoneEditorForm, ZoneEditorWidget, snapshot_response
from .control import ControlError, get_control_backend
from .masking import mask_url, mask_urls_in
from .models import (
    ANPREvent,
    Camera,
    DetectionEvent,
    EventStatistics,
    LineCrossingEvent,
    MotionEvent,
    PendingHealthWebhook,
    PendingZoneWebhook,
    Zone,
    ZoneCount,
    ZoneVisitEvent,
)
from .operations import admin as operations_admin  # noqa: F401  (registers CameraHealth)
from .statistics import COUNTERS
from .watchlist import admin as watchlist_admin  # registers the watchlist models
from .widgets.snapshots import snapshot_of


class CameraAdminForm(SecretsForm):
    """Shows the stream URL masked; a mask sent back keeps the stored credentials."""

    masked_url_fields = ("stream_url", "substream_url")

    class Meta:
        model = Camera
        fields = (*Camera.CONFIG_FIELDS, "enabled")


@admin.register(Camera)
class CameraAdmin(SecretsAdminMixin, admin.ModelAdmin):
    form = CameraAdminForm
    list_display = (
        "camera_id",
        "name",
        "location",
        "display_stream_url",
        "status",
        "enabled",
        "last_active_at",
    )
    list_filter = ("status", "enabled", "enable_anpr", "created_at")
    search_fields = ("camera_id", "name", "location")
    readonly_fields = ("status", "last_error", "created_at", "updated_at", "last_active_at")
    masked_fields = {
        "stream_url": "display_stream_url",
        "substream_url": "display_substream_url",
        "last_error": "display_last_error",
    }
    actions = ("start_cameras", "stop_cameras")

    @admin.display(description=_("stream URL"))
    def display_stream_url(self, camera):
        return mask_url(camera.stream_url)

    @admin.display(description=_("analysis substream URL"))
    def display_substream_url(self, camera):
        return mask_url(camera.substream_url)

    @admin.display(description=_("last error"))
    def display_last_error(self, camera):
        return mask_urls_in(camera.last_error)

    @admin.action(description=_("Start analysis of the selected cameras"))
    def start_cameras(self, request, queryset):
        self._control(request, queryset, "start")

    @admin.action(description=_("Stop analysis of the selected cameras"))
    def stop_cameras(self, request, queryset):
        self._control(request, queryset, "stop")

    def _control(self, request, queryset, action):
        backend = get_control_backend()
        done = 0
        for camera in queryset:
            try:
                getattr(backend, action)(camera)
                done += 1
            except ControlError as exc:
                self.message_user(request, f"{camera.camera_id}: {exc}", messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d camera: %(action)s.", "%(count)d cameras: %(action)s.", done)
                % {"count": done, "action": action},
                messages.SUCCESS,
            )


class ReadOnlyEventAdmin(admin.ModelAdmin):
    """Events are written by the consumer only; the admin shows them."""

    list_filter: tuple[str, ...] = ("camera", "processed", "timestamp")
    date_hierarchy = "timestamp"
    search_fields: tuple[str, ...] = ("camera__camera_id", "camera__name")
    list_select_related = ("camera",)
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SnapshotAdminMixin:
    """The change page shows the snapshot with its boxes and labels, opening larger on click."""

    class Media:
        css = {"all": ("django_video_analytics/widgets.css",)}
        js = ("django_video_analytics/snapshots.js",)

    @admin.display(description=_("snapshot"))
    def annotated_snapshot(self, event):
        if not event.snapshot:
            return "-"
        context = {"snapshot": snapshot_of(event), "include_script": False}
        return render_to_string("django_video_analytics/widgets/snapshot.html", context)


@admin.register(DetectionEvent)
class DetectionEventAdmin(SnapshotAdminMixin, ReadOnlyEventAdmin):
    list_display = ("timestamp", "camera", "detection_count", "model_type", "processed")
    readonly_fields = ("annotated_snapshot",)


@admin.register(MotionEvent)
class MotionEventAdmin(ReadOnlyEventAdmin):
    list_display = (
        "timestamp",
        "camera",
        "motion_intensity",
        "affected_area_percentage",
        "processed",
    )


@admin.register(ANPREvent)
class ANPREventAdmin(SnapshotAdminMixin, ReadOnlyEventAdmin):
    list_display = ("timestamp", "camera", "license_plate", "confidence", "region", "processed")
    search_fields = ReadOnlyEventAdmin.search_fields + ("license_plate",)
    readonly_fields = ("annotated_snapshot",)


@admin.register(LineCrossingEvent)
class LineCrossingEventAdmin(ReadOnlyEventAdmin):
    list_display = ("timestamp", "camera", "zone_name", "direction", "class_name", "track_id")
    list_filter = ("camera", "direction", "class_name", "timestamp")
    search_fields = ReadOnlyEventAdmin.search_fields + ("zone_name",)


@admin.register(ZoneVisitEvent)
class ZoneVisitEventAdmin(ReadOnlyEventAdmin):
    list_display = (
        "entered",
        "camera",
        "zone_name",
        "class_name",
        "track_id",
        "exited",
        "dwell_seconds",
        "loitered",
        "occupancy",
    )
    list_filter = ("camera", "loitered", "class_name", "timestamp")
    search_fields = ReadOnlyEventAdmin.search_fields + ("zone_name",)


@admin.register(EventStatistics)
class EventStatisticsAdmin(admin.ModelAdmin):
    list_display = ("date", "camera", *COUNTERS)
    list_filter = ("camera", "date")
    search_fields = ("camera__camera_id", "camera__name")
    date_hierarchy = "date"
    list_select_related = ("camera",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ZoneAdminForm(WebhookSecretsForm, ZoneEditorForm):
    """The zone editor's form, with the webhook URL masked and the secret write-only."""

    class Meta:
        model = Zone
        fields = (*ZoneEditorForm.Meta.fields, "webhook_url", "webhook_secret")


@admin.register(Zone)
class ZoneAdmin(WebhookSecretsAdminMixin, admin.ModelAdmin):
    """Points are JSON ``[[x, y], ...]`` in 0..1, drawn over the camera's newest snapshot."""

    form = ZoneAdminForm
    list_display = ("name", "camera", "kind", "anchor", "loiter_seconds", "enabled")
    list_filter = ("camera", "kind", "enabled")
    search_fields = ("name", "camera__camera_id", "camera__name")
    list_select_related = ("camera",)
    readonly_fields = ("created_at", "updated_at")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "points":
            endpoint = reverse(f"{self.admin_site.name}:django_video_analytics_zone_snapshot")
            kwargs["widget"] = ZoneEditorWidget(request, endpoint)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_urls(self):
        view = self.admin_site.admin_view(self.snapshot_view)
        snapshot = path("snapshot/", view, name="django_video_analytics_zone_snapshot")
        return [snapshot, *super().get_urls()]

    def snapshot_view(self, request):
        """The editor's snapshot of another camera; for those who may add or change zones."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return snapshot_response(request)


@admin.register(PendingZoneWebhook)
class PendingZoneWebhookAdmin(watchlist_admin.OwedWebhookAdmin):
    list_display = ("visit", "kind", "attempts", "due_at")
    list_select_related = ("visit",)
    readonly_fields = ("visit", "kind", "attempts", "due_at")


@admin.register(PendingHealthWebhook)
class PendingHealthWebhookAdmin(watchlist_admin.OwedWebhookAdmin):
    list_display = ("period", "previous", "attempts", "due_at")
    list_select_related = ("period__camera",)
    readonly_fields = ("period", "previous", "attempts", "due_at")


@admin.register(ZoneCount)
class ZoneCountAdmin(admin.ModelAdmin):
    """Hourly counts are written by the consumer only; the admin shows them."""

    list_display = (
        "hour",
        "zone",
        "class_name",
        "crossings_in",
        "crossings_out",
        "visits",
        "total_dwell_seconds",
        "max_occupancy",
    )
    list_filter = ("camera", "zone", "class_name")
    date_hierarchy = "hour"
    list_select_related = ("zone", "zone__camera")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
