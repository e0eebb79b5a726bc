"""Admin of the watchlist: entries, alerts and their webhook delivery log."""

import django
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..admin_secrets import SecretsAdminMixin, SecretsForm
from ..masking import mask_url
from ..models import PendingWebhook, PlateAlert, WatchlistEntry, WebhookDelivery
from .api import clean_entry

# Django 5 warns unless URL fields say which scheme a bare host means; 4.2 has no choice.
URL_FIELD_OPTIONS = {"assume_scheme": "https"} if django.VERSION >= (5, 0) else {}


class WatchlistEntryForm(SecretsForm):
    webhook_url = forms.URLField(
        label=_("webhook URL"), max_length=500, required=False, **URL_FIELD_OPTIONS
    )
    masked_url_fields = ("webhook_url",)
    secret_fields = ("webhook_secret",)

    class Meta:
        model = WatchlistEntry
        fields = WatchlistEntry.EDITABLE_FIELDS

    def clean(self):
        return clean_entry(super().clean(), None, ValidationError)


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(SecretsAdminMixin, admin.ModelAdmin):
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
    masked_fields = {"webhook_url": "display_webhook_url", "webhook_secret": "has_webhook_secret"}

    @admin.display(description=_("webhook URL"))
    def display_webhook_url(self, entry):
        return mask_url(entry.webhook_url)

    @admin.display(description=_("webhook secret"), boolean=True)
    def has_webhook_secret(self, entry):
        return bool(entry.webhook_secret)

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


@admin.register(PendingWebhook)
class PendingWebhookAdmin(admin.ModelAdmin):
    """Deliveries still owed (outbox.py); read-only, the runners work them off."""

    list_display = ("alert", "attempts", "due_at")
    list_select_related = ("alert",)
    readonly_fields = ("alert", "attempts", "due_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
