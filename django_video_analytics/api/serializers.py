"""JSON shapes of cameras, events and statistics, and the validation of camera input."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import zone_counts
from ..events.kinds import STORED_KINDS
from ..models import ANPREvent, Camera, DetectionEvent, MotionEvent, Zone
from ..statistics import COUNTERS, day_start
from ..validators import validate_detection_classes, validate_roi_zones, validate_stream_url
from .fields import (
    ClassNamesField,
    DateOrDateTimeField,
    MaskedCredentialsMixin,
    MaskedTextField,
    MaskedURLField,
    ROIZonesField,
    ZonePointsField,
)
from .permissions import visible_cameras

MAX_ID = 2**63 - 1  # the largest BigAutoField value every database accepts


class StreamURLField(MaskedCredentialsMixin, serializers.CharField):
    """A stream URL whose credentials are write-only (shown masked)."""


class CameraSerializer(serializers.ModelSerializer):
    """Field limits are the model's validators (``validators.py``), shared with the admin."""

    stream_url = StreamURLField(
        max_length=1024,
        required=False,
        allow_blank=True,
        validators=[validate_stream_url],
        help_text=_(
            "Shown with credentials masked; send *** back to keep them (same scheme, host, port)."
        ),
    )
    substream_url = StreamURLField(
        max_length=1024,
        required=False,
        allow_blank=True,
        validators=[validate_stream_url],
        help_text=_(
            "Low-resolution stream analysed instead of stream_url when set; masked like it."
        ),
    )
    detection_classes = ClassNamesField(
        required=False, validators=[validate_detection_classes], help_text=_("Object class names.")
    )
    roi_zones = ROIZonesField(
        required=False,
        validators=[validate_roi_zones],
        help_text=_("Polygons of [x, y] points in 0..1; empty means the whole frame."),
    )
    last_error = MaskedTextField()

    class Meta:
        model = Camera
        read_only_fields = (
            "status",
            "enabled",
            "last_error",
            "created_at",
            "updated_at",
            "last_active_at",
        )
        fields = (*Camera.CONFIG_FIELDS, *read_only_fields)

    def validate_detection_classes(self, value):
        return list(dict.fromkeys(value))


class EventSerializer(serializers.ModelSerializer):
    """Fields every event row shares, with its camera's public id and name."""

    camera_id = serializers.CharField(source="camera.camera_id", read_only=True)
    camera_name = serializers.CharField(source="camera.name", read_only=True)

    common_fields = (
        "id",
        "camera_id",
        "camera_name",
        "timestamp",
        "frame_number",
        "created_at",
        "processed",
    )


class DetectionEventSerializer(EventSerializer):
    class Meta:
        model = DetectionEvent
        fields = EventSerializer.common_fields + STORED_KINDS["detection"].fields
        read_only_fields = fields


class MotionEventSerializer(EventSerializer):
    class Meta:
        model = MotionEvent
        fields = EventSerializer.common_fields + STORED_KINDS["motion"].fields
        read_only_fields = fields


class ANPREventSerializer(EventSerializer):
    class Meta:
        model = ANPREvent
        fields = EventSerializer.common_fields + STORED_KINDS["anpr"].fields
        read_only_fields = fields


class MarkProcessedSerializer(serializers.Serializer):
    """Which events to mark: the listed ids, or every event the query string selects."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=10_000,
    )
    all_matching = serializers.BooleanField(
        default=False, help_text=_("Mark every event matching the query-string filters.")
    )
    processed = serializers.BooleanField(default=True)

    def validate(self, attrs):
        if "ids" not in attrs and not attrs["all_matching"]:
            raise serializers.ValidationError(_("Send 'ids' or set 'all_matching' to true."))
        return attrs


class MarkProcessedResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


class StatisticsQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=366, default=7, help_text=_("Number of days up to today.")
    )


class AllCamerasStatisticsQuerySerializer(StatisticsQuerySerializer):
    camera__camera_id = serializers.CharField(
        required=False, max_length=64, help_text=_("Limit to this camera.")
    )


class CountersSerializer(serializers.Serializer):
    """The counters of ``EventStatistics`` (``statistics.COUNTERS``), then declared fields."""

    def get_fields(self):
        return {**{name: serializers.IntegerField() for name in COUNTERS}, **super().get_fields()}


class DailyCountersSerializer(CountersSerializer):
    date = serializers.DateField()


class CameraCountersSerializer(CountersSerializer):
    camera_id = serializers.CharField()
    camera_name = serializers.CharField()


class StatisticsSerializer(serializers.Serializer):
    """Daily rows and totals over ``days`` days (the response of both statistics views)."""

    days = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    daily = DailyCountersSerializer(many=True)
    totals = CountersSerializer()


class CameraStatisticsSerializer(StatisticsSerializer):
    camera_id = serializers.CharField()
    camera_name = serializers.CharField()


class AllCamerasStatisticsSerializer(StatisticsSerializer):
    cameras = CameraCountersSerializer(many=True)


class ZoneSerializer(serializers.ModelSerializer):
    """A line or zone; ``Zone.clean`` (the counting stage's spec) validates the whole row."""

    camera = serializers.SlugRelatedField(
        slug_field="camera_id",
        queryset=Camera.objects.all(),
        help_text=_("Public id of the camera."),
    )
    points = ZonePointsField(help_text=_("[x, y] in 0..1: 2 for a line, 3 to 32 for a zone."))
    classes = ClassNamesField(required=False, help_text=_("Class names counted; empty: all."))
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: MaskedURLField,  # webhook_url: credentials are write-only
    }

    class Meta:
        model = Zone
        read_only_fields = ("id", "created_at", "updated_at")
        fields = (
            "id",
            "camera",
            *Zone.SPEC_FIELDS,
            "occupancy_limit",
            "webhook_url",
            "webhook_secret",
            "enabled",
            "created_at",
            "updated_at",
        )
        extra_kwargs = {"webhook_secret": {"write_only": True}}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["camera"].queryset = visible_cameras(request, Camera.objects.all())
        if self.instance is not None:
            fields["camera"].read_only = True  # its counts stay with the camera they are of
        return fields

    def validate(self, attrs):
        zone = Zone(pk=getattr(self.instance, "pk", None))
        zone._state.adding = self.instance is None  # an update is not its own duplicate
        zone.camera = attrs.get("camera") or getattr(self.instance, "camera", None)
        for name in Zone.SPEC_FIELDS:
            if name in attrs or self.instance is not None:
                setattr(zone, name, attrs.get(name, getattr(self.instance, name, None)))
        try:
            zone.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        try:
            zone.validate_constraints()  # one name per camera, also on a rename
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"name": exc.messages}) from None
        return attrs


class HoursQuerySerializer(serializers.Serializer):
    """The hours counted: validated as ``start`` and ``stop``, UTC hours start <= h < stop.

    A bare date is a UTC day (as ``end``: through that day); ``stop`` is None without ``end``.
    """

    start = DateOrDateTimeField(help_text=_("Hours from this ISO 8601 date or datetime."))
    end = DateOrDateTimeField(
        required=False,
        help_text=_("Hours up to this ISO 8601 datetime, or through the end of this date."),
    )

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.pop("end", None)
        if start is None:
            raise serializers.ValidationError({"start": _("This field is required.")})
        if not isinstance(start, datetime.datetime):
            attrs["start"] = day_start(start)
        if end is None:
            attrs["stop"] = None
        elif isinstance(end, datetime.datetime):
            attrs["stop"] = zone_counts.hour_of(end) + datetime.timedelta(hours=1)
        else:
            attrs["stop"] = day_start(end + datetime.timedelta(days=1))
        return attrs


class ZoneCountsQuerySerializer(HoursQuerySerializer):
    bucket = serializers.ChoiceField(
        choices=zone_counts.BUCKETS, default="hour", help_text=_("UTC hour or UTC day.")
    )
    group_by = serializers.CharField(
        default="zone,class_name",
        allow_blank=True,  # blank: one row per bucket (not the default)
        help_text=_("Comma-separated: zone, class_name, direction."),
    )

    def validate_group_by(self, value):
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = sorted(set(names) - set(zone_counts.GROUPS))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown grouping %(names)s; use zone, class_name, direction.")
                % {"names": ", ".join(unknown)}
            )
        return tuple(dict.fromkeys(names))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        days = zone_counts.MAX_RANGE_DAYS[attrs["bucket"]]
        stop = attrs["stop"] or timezone.now()
        if stop - attrs["start"] > datetime.timedelta(days=days):
            message = _("At most %(days)d days from start to end (or now) with %(bucket)s buckets.")
            raise serializers.ValidationError(
                {"start": message % {"days": days, "bucket": attrs["bucket"]}}
            )
        return attrs


class ZoneCountRowSerializer(serializers.Serializer):
    """One row of ``zones/counts/``; which keys appear depends on ``group_by``."""

    bucket = serializers.DateTimeField()
    camera_id = serializers.CharField(required=False)
    zone_id = serializers.IntegerField(required=False)
    zone = serializers.CharField(required=False)
    class_name = serializers.CharField(required=False)
    direction = serializers.ChoiceField(choices=["in", "out"], required=False)
    crossings = serializers.IntegerField(required=False)
    crossings_in = serializers.IntegerField(required=False)
    crossings_out = serializers.IntegerField(required=False)
    visits = serializers.IntegerField(required=False)
    total_dwell_seconds = serializers.FloatField(required=False)
    mean_dwell_seconds = serializers.FloatField(required=False, allow_null=True)
    max_occupancy = serializers.IntegerField(required=False)


class ZoneCountsSerializer(serializers.Serializer):
    bucket = serializers.ChoiceField(choices=zone_counts.BUCKETS)
    group_by = serializers.ListField(child=serializers.CharField())
    columns = serializers.ListField(child=serializers.CharField())
    rows = ZoneCountRowSerializer(many=True)


class ClassOccupancySerializer(serializers.Serializer):
    class_name = serializers.CharField()
    max_occupancy = serializers.IntegerField()


class ZoneOccupancySerializer(serializers.Serializer):
    zone_id = serializers.IntegerField()
    zone = serializers.CharField()
    occupancy_limit = serializers.IntegerField(allow_null=True)
    hour = serializers.DateTimeField(help_text=_("The current UTC hour."))
    classes = ClassOccupancySerializer(many=True)


class DwellBinSerializer(serializers.Serializer):
    up_to_seconds = serializers.IntegerField(
        allow_null=True, help_text=_("Upper bound (exclusive); null: the open last bin.")
    )
    visits = serializers.IntegerField()


class DwellHistogramSerializer(serializers.Serializer):
    zone_id = serializers.IntegerField()
    zone = serializers.CharField()
    bins = DwellBinSerializer(many=True)
