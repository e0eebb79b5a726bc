"""JSON shapes of cameras, events and statistics, and the validation of camera input."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import ANPREvent, Camera, DetectionEvent, MotionEvent
from ..validators import validate_detection_classes, validate_roi_zones, validate_stream_url
from .fields import ClassNamesField, MaskedCredentialsMixin, MaskedTextField, ROIZonesField

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
        fields = EventSerializer.common_fields + (
            "detections",
            "detection_count",
            "model_type",
            "model_version",
            "snapshot",
        )
        read_only_fields = fields


class MotionEventSerializer(EventSerializer):
    class Meta:
        model = MotionEvent
        fields = EventSerializer.common_fields + ("motion_intensity", "affected_area_percentage")
        read_only_fields = fields


class ANPREventSerializer(EventSerializer):
    class Meta:
        model = ANPREvent
        fields = EventSerializer.common_fields + (
            "license_plate",
            "confidence",
            "region",
            "candidates",
            "snapshot",
        )
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


class CountersSerializer(serializers.Serializer):
    """The counters of ``EventStatistics``."""

    detection_count = serializers.IntegerField()
    motion_count = serializers.IntegerField()
    anpr_count = serializers.IntegerField()
    person_count = serializers.IntegerField()
    car_count = serializers.IntegerField()
    truck_count = serializers.IntegerField()
    other_count = serializers.IntegerField()


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
