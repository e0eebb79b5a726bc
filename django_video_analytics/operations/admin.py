"""Admin of camera health: the online/offline periods, read-only (the recorder writes them)."""

from django.contrib import admin

from ..models import CameraHealth


@admin.register(CameraHealth)
class CameraHealthAdmin(admin.ModelAdmin):
    list_display = ("camera", "state", "since", "until", "reason")
    list_filter = ("state", "camera")
    date_hierarchy = "since"
    list_select_related = ("camera",)
    search_fields = ("camera__camera_id", "camera__name", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
