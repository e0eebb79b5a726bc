"""Serializer fields that never show a credential: masked URLs and masked free text."""

from rest_framework import serializers

from ..masking import CredentialsNotKept, keep_stored_credentials, mask_url, mask_urls_in


class MaskedCredentialsMixin:
    """Shows a URL masked; a mask sent back keeps the stored credentials (same server only)."""

    def to_representation(self, value):
        return mask_url(super().to_representation(value))

    def to_internal_value(self, data):
        url = super().to_internal_value(data)
        instance = getattr(self.parent, "instance", None)
        stored = getattr(instance, self.source, "") if instance is not None else ""
        try:
            return keep_stored_credentials(url, stored)
        except CredentialsNotKept as exc:
            raise serializers.ValidationError(str(exc)) from exc


class MaskedURLField(MaskedCredentialsMixin, serializers.URLField):
    """A URL field (webhooks) whose credentials are write-only."""


class MaskedTextField(serializers.CharField):
    """Read-only text (an error message) with every URL in it masked."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return mask_urls_in(super().to_representation(value))
