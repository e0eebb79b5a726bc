"""Serializer fields: masked URLs and text, and JSON fields that tolerate bad stored rows."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..dates import parse_date_or_datetime
from ..masking import CredentialsNotKept, keep_stored_credentials, mask_url, mask_urls_in
from ..pipeline.zones.specs import MAX_POLYGON_POINTS
from ..validators import MAX_ROI_ZONES, MAX_ZONE_POINTS


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


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class ClassNamesField(serializers.JSONField):
    """Object class names; a JSON value, so a bad stored row is shown as it is, never a 500."""


POINT_SCHEMA = {
    "type": "array",
    "items": {"type": "number", "minimum": 0, "maximum": 1},
    "minItems": 2,
    "maxItems": 2,
}


@extend_schema_field(
    {
        "type": "array",
        "maxItems": MAX_ROI_ZONES,
        "items": {
            "type": "array",
            "items": POINT_SCHEMA,
            "minItems": 3,
            "maxItems": MAX_ZONE_POINTS,
        },
    }
)
class ROIZonesField(serializers.JSONField):
    """Polygons of [x, y] points; a JSON value, so a bad stored row never makes a 500."""


@extend_schema_field(
    {"type": "array", "items": POINT_SCHEMA, "minItems": 2, "maxItems": MAX_POLYGON_POINTS}
)
class ZonePointsField(serializers.JSONField):
    """A line's or zone's [x, y] points; checked by the zone spec, never a 500 on bad rows."""


class DateOrDateTimeField(serializers.Field):
    """An ISO 8601 date or aware datetime (``dates.parse_date_or_datetime``); blank: None."""

    def to_internal_value(self, data):
        text = str(data).strip()
        if not text:
            return None
        try:
            return parse_date_or_datetime(text)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def to_representation(self, value):
        return value.isoformat()
