"""JSON shapes of cameras, events and statistics, and the validation of camera input."""

from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..classes import detection_class_names
from ..conf import analytics_settings
from ..masking import keep_stored_credentials, mask_stream_url
from ..models import ANPREvent, Camera, DetectionEvent, MotionEvent

MAX_ID = 2**63 - 1  # the largest BigAutoField value every database accepts

# Schemes that name a file on the analysis machine rather than a network stream.
LOCAL_SCHEMES = {"", "file"}


class StreamURLField(serializers.CharField):
    """A stream URL: credentials are write-only (shown masked), the scheme is allowlisted."""

    def to_representation(self, value):
        return mask_stream_url(value)

    def to_internal_value(self, data):
        url = super().to_internal_value(data)
        if not url:
            return url
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError as exc:
            raise serializers.ValidationError(_("Enter a valid URL.")) from exc
        scheme = parts.scheme.lower()
        if url.isdigit() or scheme in LOCAL_SCHEMES:  # a device index, a path, a file: URL
            if not analytics_settings.ALLOW_LOCAL_SOURCES:
                raise serializers.ValidationError(
                    _("Local files and device indexes are not allowed as stream sources.")
                )
            return url
        schemes = [allowed.lower() for allowed in analytics_settings.STREAM_URL_SCHEMES]
        if scheme not in schemes:
            raise serializers.ValidationError(
                _("Scheme %(scheme)r is not allowed; use one of: %(allowed)s.")
                % {"scheme": parts.scheme, "allowed": ", ".join(schemes)}
            )
        if not parts.hostname:
            raise serializers.ValidationError(_("The URL has no host."))
        return url


class Point(serializers.ListField):
    """An ``[x, y]`` pair normalised to 0..1 of the frame."""

    child = serializers.FloatField(min_value=0.0, max_value=1.0)

    def __init__(self, **kwargs):
        super().__init__(min_length=2, max_length=2, **kwargs)


class Polygon(serializers.ListField):
    """At least three points."""

    child = Point()

    def __init__(self, **kwargs):
        super().__init__(min_length=3, **kwargs)


class CameraSerializer(serializers.ModelSerializer):
    stream_url = StreamURLField(
        max_length=1024,
        required=False,
        allow_blank=True,
        help_text=_("Shown with user name and password masked; send *** to keep them."),
    )
    confidence_threshold = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)
    motion_threshold = serializers.FloatField(min_value=0.0, max_value=100.0, required=False)
    max_fps = serializers.FloatField(min_value=0.1, allow_null=True, required=False)
    detection_classes = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("Object class names.")
    )
    roi_zones = serializers.ListField(
        child=Polygon(),
        required=False,
        help_text=_("Polygons of [x, y] points in 0..1; empty means the whole frame."),
    )

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

    def validate_stream_url(self, value):
        stored = self.instance.stream_url if self.instance else ""
        return keep_stored_credentials(value, stored)

    def validate_detection_classes(self, value):
        known = set(detection_class_names())
        unknown = sorted(set(value) - known)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown class names: %(names)s.") % {"names": ", ".join(unknown)}
            )
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


class AllCamerasStatisticsQuerySerializer(StatisticsQuerySerializer):
    camera__camera_id = serializers.CharField(
        required=False, max_length=64, help_text=_("Limit to this camera.")
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
