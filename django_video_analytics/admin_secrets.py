"""Admin parts that keep secrets write-only: masked URLs, kept secrets, masked read-only views."""

import django
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .masking import CredentialsNotKept, keep_stored_credentials, mask_url

# Django 5 warns unless URL fields say which scheme a bare host means; 4.2 has no choice.
URL_FIELD_OPTIONS = {"assume_scheme": "https"} if django.VERSION >= (5, 0) else {}


class SecretsForm(forms.ModelForm):
    """Shows ``masked_url_fields`` masked and never renders the values of ``secret_fields``.

    A URL sent back with its ``***`` keeps the stored credentials (for the same server
    only); a blank secret keeps the stored one, so a secret can be set or replaced, never read.
    """

    masked_url_fields: tuple[str, ...] = ()
    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.masked_url_fields:
            if name in self.fields:
                self.initial[name] = mask_url(getattr(self.instance, name))
        for name in self.secret_fields:
            if name in self.fields:
                self.initial[name] = ""
                self.fields[name].widget = forms.PasswordInput(render_value=False)
                if self.instance.pk:
                    self.fields[name].help_text = _("Leave blank to keep the current secret.")

    def clean(self):
        cleaned = super().clean()
        # Until _post_clean() the instance holds the stored values.
        for name in self.masked_url_fields:
            if cleaned.get(name):
                try:
                    cleaned[name] = keep_stored_credentials(
                        cleaned[name], getattr(self.instance, name)
                    )
                except CredentialsNotKept as exc:
                    self.add_error(name, str(exc))
        for name in self.secret_fields:
            if name in cleaned and not cleaned[name] and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class SecretsAdminMixin:
    """Read-only renderings show secret fields through display methods, never the raw value.

    ``masked_fields`` maps a field to the display method shown in its place wherever the
    admin renders it read-only: always-read-only fields, and every field for view-only staff.
    """

    masked_fields: dict[str, str] = {}

    def get_readonly_fields(self, request, obj=None):
        return [
            self.masked_fields.get(name, name) for name in super().get_readonly_fields(request, obj)
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (
                title,
                {**options, "fields": [self.masked_fields.get(f, f) for f in options["fields"]]},
            )
            for title, options in fieldsets
        ]


class WebhookSecretsForm(SecretsForm):
    """A form of a row with ``webhook_url`` (shown masked) and ``webhook_secret`` (write-only)."""

    webhook_url = forms.URLField(
        label=_("webhook URL"), max_length=500, required=False, **URL_FIELD_OPTIONS
    )
    masked_url_fields = ("webhook_url",)
    secret_fields = ("webhook_secret",)


class WebhookSecretsAdminMixin(SecretsAdminMixin):
    """Read-only, ``webhook_url`` is shown masked and ``webhook_secret`` only as set or not."""

    masked_fields = {"webhook_url": "display_webhook_url", "webhook_secret": "has_webhook_secret"}

    @admin.display(description=_("webhook URL"))
    def display_webhook_url(self, obj):
        return mask_url(obj.webhook_url)

    @admin.display(description=_("webhook secret"), boolean=True)
    def has_webhook_secret(self, obj):
        return bool(obj.webhook_secret)
