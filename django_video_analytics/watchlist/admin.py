"""Admin of the watchlist: entries, alerts and their webhook delivery log."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..admin_secrets import WebhookSecretsAdminMixin, WebhookSecretsForm
from ..masking import mask_url
from ..models import PendingWebhook, PlateAlert, WatchlistEntry, WebhookDelivery
from .api import clean_entry


class WatchlistEntryForm(WebhookSecretsForm):
    class Meta:
        model = WatchlistEntry
        fields = WatchlistEntry.EDITABLE_FIELDS

    def clean(self):
        return clean_entry(super().clean(), None, ValidationError)


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(WebhookSecretsAdminMixin, admin.ModelAdmin):
    form = WatchlistEntryForm
    list_display = ("plate", "label", "is_pattern", "max_distance", "is_active", "active_until")
    list_filter = ("is_active", "is_pattern", "cameras")
    search_fields = ("plate", "label", "note")
    filter_horizontal = ("cameras",)
    fieldsets = (
        (None, {"fields": ("plate", "is_pattern", "max_distance", "label", "note")}),
        (
            _("Scope"),
            {"fields": ("cameras", "is_active", "active_from", "active_until", "created_by")},
        ),
        (_("Webhook"), {"fields": ("webhook_url", "webhook_secret")}),
    )
    readonly_fields = ("created_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user  # scopes the entry (watchlist/scoping.py)
        super().save_model(request, obj, form, change)


class DeliveryURLMasked:
    """Shows a delivery's URL masked (the raw one may carry the receiver's credentials)."""

    @admin.display(description=_("URL"))
    def masked_url(self, delivery):
        return mask_url(delivery.url)


class WebhookDeliveryInline(DeliveryURLMasked, admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = (
        "attempt",
        "created_at",
        "succeeded",
        "status_code",
        "duration_ms",
        "error",
        "masked_url",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PlateAlert)
class PlateAlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "license_plate", "entry", "camera", "distance", "acknowledged")
    list_filter = ("acknowledged", "camera", "created_at")
    search_fields = ("license_plate", "entry__plate", "entry__label")
    list_select_related = ("entry", "camera")
    readonly_fields = ("entry", "event", "camera", "license_plate", "distance", "created_at")
    fields = readonly_fields + ("acknowledged",)
    inlines = (WebhookDeliveryInline,)
    actions = ("acknowledge",)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Acknowledge the selected alerts"))
    def acknowledge(self, request, queryset):
        queryset.update(acknowledged=True)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(DeliveryURLMasked, admin.ModelAdmin):
    list_display = ("created_at", "alert", "attempt", "succeeded", "status_code", "error")
    list_filter = ("succeeded", "created_at")
    list_select_related = ("alert",)
    fields = readonly_fields = (
        "alert",
        "masked_url",
        "attempt",
        "succeeded",
        "status_code",
        "error",
        "duration_ms",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OwedWebhookAdmin(admin.ModelAdmin):
    """Deliveries still owed (``webhook_outbox``); read-only, the runners work them off."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingWebhook)
class PendingWebhookAdmin(OwedWebhookAdmin):
    list_display = ("alert", "attempts", "due_at")
    list_select_related = ("alert",)
    readonly_fields = ("alert", "attempts", "due_at")
