"""Query-string filters of the event endpoints (SPEC names: ``camera__camera_id``, ...)."""

import datetime

import django_filters
from django import forms
from django.db import connections
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema_field

from ..conf import analytics_settings
from ..dates import parse_date_or_datetime
from ..models import ANPREvent, Camera, DetectionEvent, MotionEvent, Zone, ZoneCount
from ..statistics import day_start
from ..watchlist.plates import canonical_plate


class DateOrDateTimeField(forms.CharField):
    """An ISO 8601 date or datetime (see ``dates.parse_date_or_datetime``)."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        return parse_date_or_datetime(value) if value else None


class TimestampBoundFilter(django_filters.Filter):
    """A datetime field from (``lookup_expr="gte"``) or up to (``"lte"``) a date or datetime.

    A bare date is a UTC day, as in the statistics; as the upper bound it includes that day.
    """

    field_class = DateOrDateTimeField

    def filter(self, qs, value):
        if value is None:
            return qs
        if isinstance(value, datetime.datetime):
            return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": value})
        if self.lookup_expr == "gte":
            return qs.filter(**{f"{self.field_name}__gte": day_start(value)})
        return qs.filter(**{f"{self.field_name}__lt": day_start(value + datetime.timedelta(1))})


def timestamp_bound(lookup_expr, description, field_name="timestamp"):
    """A ``TimestampBoundFilter`` documented as an ISO date or datetime in the schema."""
    schema = {
        "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
        "description": str(description),
    }
    bound = TimestampBoundFilter(
        field_name=field_name, lookup_expr=lookup_expr, help_text=description
    )
    return extend_schema_field(schema)(bound)


class EventFilterSet(django_filters.FilterSet):
    camera__camera_id = django_filters.CharFilter(
        field_name="camera__camera_id", help_text=_("Public id of the camera.")
    )
    processed = django_filters.BooleanFilter(help_text=_("Whether the event was processed."))
    start_date = timestamp_bound("gte", _("Events at or after this ISO 8601 date or datetime."))
    end_date = timestamp_bound(
        "lte", _("Events up to this ISO 8601 datetime, or through the end of this date.")
    )


class DetectionEventFilterSet(EventFilterSet):
    class_name = django_filters.CharFilter(
        method="filter_class_name",
        help_text=_("Events where at least one detection has this class name."),
    )

    class Meta:
        model = DetectionEvent
        fields = ()

    def filter_class_name(self, queryset, name, value):
        if connections[queryset.db].features.supports_json_field_contains:
            return queryset.filter(detections__contains=[{"class_name": value}])
        # SQLite has no JSON containment: match the serialised text instead (case-insensitive).
        return queryset.filter(detections__icontains=f'"class_name": "{value}"')


class MotionEventFilterSet(EventFilterSet):
    class Meta:
        model = MotionEvent
        fields = ()


class PlateFilter(django_filters.CharFilter):
    """A plate spelled any way, normalised as the watchlist does: ``AB12 cde`` is ``AB12CDE``.

    It also tries the text as sent, for plates a producer stored with spaces.
    """

    def filter(self, qs, value):
        if not value:
            return qs
        plate = canonical_plate(value) or value
        return qs.filter(**{f"{self.field_name}__in": {plate, value}})


class PlateFragmentField(forms.CharField):
    """Part of a plate, normalised like ``PlateFilter``; ``PLATE_SEARCH_MIN_LENGTH`` or longer."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        fragment = canonical_plate(value) or value
        minimum = analytics_settings.PLATE_SEARCH_MIN_LENGTH
        if len(fragment) < minimum:
            raise forms.ValidationError(
                ngettext(
                    "Type at least %(count)d character of the plate.",
                    "Type at least %(count)d characters of the plate.",
                    minimum,
                )
                % {"count": minimum},
                code="min_length",
            )
        return fragment


class PlateFragmentFilter(django_filters.CharFilter):
    """Plates containing the fragment, case-insensitively (an infix search).

    On PostgreSQL the trigram index of migration 0003 finds them; a fragment shorter than a
    trigram could only be answered by reading every plate, hence the minimum length.
    """

    field_class = PlateFragmentField

    def __init__(self, **kwargs):
        super().__init__(lookup_expr="icontains", **kwargs)


class ANPREventFilterSet(EventFilterSet):
    license_plate = PlateFilter(
        help_text=_("Exact licence plate; case, spaces and separators are ignored.")
    )
    license_plate__icontains = PlateFragmentFilter(
        field_name="license_plate",
        help_text=_(
            "Part of the licence plate, at least PLATE_SEARCH_MIN_LENGTH (default 3) letters or "
            "digits; case, spaces and separators are ignored."
        ),
    )

    class Meta:
        model = ANPREvent
        fields = ()


class CameraFilterSet(django_filters.FilterSet):
    class Meta:
        model = Camera
        fields = ("status", "enabled")


class ZoneFilterSet(django_filters.FilterSet):
    camera__camera_id = django_filters.CharFilter(
        field_name="camera__camera_id", help_text=_("Public id of the camera.")
    )

    class Meta:
        model = Zone
        fields = ("kind", "enabled")


class ZoneCountFilterSet(django_filters.FilterSet):
    """The zones and classes counted, of ``ZoneCount`` or ``ZoneDayCount`` rows.

    The time range (required ``start``) is ``serializers.HoursQuerySerializer``'s.
    """

    camera__camera_id = django_filters.CharFilter(
        field_name="camera__camera_id", help_text=_("Public id of the camera.")
    )
    zone = django_filters.NumberFilter(field_name="zone_id", help_text=_("Id of the zone."))
    class_name = django_filters.CharFilter(help_text=_("Object class name."))

    class Meta:
        model = ZoneCount
        fields = ()
