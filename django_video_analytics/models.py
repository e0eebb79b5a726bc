"""The data model of SPEC.md: cameras, their events and daily statistics."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import InvalidStorageError, default_storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .conf import analytics_settings
from .masking import mask_url
from .pipeline.zones import specs as zone_specs  # plain Python: no numpy, OpenCV or torch
from .validators import (
    validate_detection_classes,
    validate_plate_format,
    validate_roi_zones,
    validate_stream_url,
    validate_webhook_url,
)


class Camera(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        ERROR = "error", _("Error")

    camera_id = models.SlugField(_("camera id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    location = models.CharField(_("location"), max_length=255, blank=True)
    stream_url = models.CharField(
        _("stream URL"), max_length=1024, blank=True, validators=[validate_stream_url]
    )
    # The camera's low-resolution stream, analysed instead of stream_url when set (the main
    # stream is recorded elsewhere).
    substream_url = models.CharField(
        _("analysis substream URL"),
        max_length=1024,
        blank=True,
        default="",
        validators=[validate_stream_url],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INACTIVE
    )
    # What the operator asked for (start/stop); `status` is what the worker observes.
    enabled = models.BooleanField(_("analysis enabled"), default=False)
    last_error = models.TextField(_("last error"), blank=True)
    enable_object_detection = models.BooleanField(_("object detection"), default=True)
    enable_motion_detection = models.BooleanField(_("motion detection"), default=True)
    enable_anpr = models.BooleanField(_("ANPR"), default=False)
    confidence_threshold = models.FloatField(
        _("confidence threshold"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    detection_classes = models.JSONField(
        _("detection classes"), default=list, blank=True, validators=[validate_detection_classes]
    )
    roi_zones = models.JSONField(
        _("regions of interest"),
        default=list,
        blank=True,
        validators=[validate_roi_zones],
        help_text=_("Polygons of normalised [x, y] points; empty means the whole frame."),
    )
    motion_threshold = models.FloatField(
        _("motion threshold (%)"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(100.0)],
    )
    frame_skip = models.PositiveIntegerField(_("frame skip"), default=0)
    max_fps = models.FloatField(
        _("max analysed fps"), null=True, blank=True, validators=[MinValueValidator(0.1)]
    )
    plate_format = models.CharField(
        _("plate format"),
        max_length=32,
        blank=True,
        validators=[validate_plate_format],
        help_text=_("A preset (eu, uk, ...) or a regular expression; empty: PLATE_FORMAT."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    last_active_at = models.DateTimeField(_("last active at"), null=True, blank=True)

    # What an operator configures (admin form, API); status and timestamps are the worker's.
    CONFIG_FIELDS = (
        "camera_id",
        "name",
        "location",
        "stream_url",
        "substream_url",
        "enable_object_detection",
        "enable_motion_detection",
        "enable_anpr",
        "confidence_threshold",
        "detection_classes",
        "roi_zones",
        "motion_threshold",
        "frame_skip",
        "max_fps",
        "plate_format",
    )

    class Meta:
        db_table = "video_analytics_camera"
        ordering = ["camera_id"]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")

    def __str__(self):
        return f"{self.name} ({self.camera_id})"

    @property
    def masked_stream_url(self):
        return mask_url(self.stream_url)


class EventQuerySet(models.QuerySet):
    def unprocessed(self):
        return self.filter(processed=False)


class Event(models.Model):
    """Fields every event row shares."""

    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("camera")
    )
    timestamp = models.DateTimeField(_("timestamp"))
    frame_number = models.BigIntegerField(_("frame number"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    processed = models.BooleanField(_("processed"), default=False)
    # Stream entry id or producer event id: a redelivered entry can never become a second row.
    source_id = models.CharField(_("source id"), max_length=160, unique=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-timestamp", "-id"]
        get_latest_by = "timestamp"

    def __str__(self):
        return f"{self.camera_id} @ {self.timestamp:%Y-%m-%d %H:%M:%S}"


def snapshot_storage():
    """``STORAGES[SNAPSHOT_STORAGE]``, where workers save snapshots (read as models load).

    An unknown alias falls back to the default storage; check W052 reports it.
    """
    try:
        return storages[analytics_settings.SNAPSHOT_STORAGE]
    except InvalidStorageError:
        return default_storage


class DetectionEvent(Event):
    detections = models.JSONField(_("detections"), default=list)
    detection_count = models.PositiveIntegerField(_("detection count"), default=0)
    model_type = models.CharField(_("model type"), max_length=64, blank=True)
    model_version = models.CharField(_("model version"), max_length=64, blank=True)
    snapshot = models.FileField(
        _("snapshot"),
        upload_to="video_analytics/snapshots/",
        storage=snapshot_storage,
        max_length=255,
        blank=True,
    )

    class Meta(Event.Meta):
        db_table = "video_analytics_detectionevent"
        verbose_name = _("detection event")
        verbose_name_plural = _("detection events")
        indexes = [
            models.Index(fields=["camera", "timestamp"], name="va_detection_cam_ts"),
            models.Index(fields=["timestamp", "processed"], name="va_detection_ts_proc"),
        ]


class MotionEvent(Event):
    motion_intensity = models.FloatField(_("motion intensity"))
    affected_area_percentage = models.FloatField(_("affected area (%)"))

    class Meta(Event.Meta):
        db_table = "video_analytics_motionevent"
        verbose_name = _("motion event")
        verbose_name_plural = _("motion events")
        indexes = [
            models.Index(fields=["camera", "timestamp"], name="va_motion_cam_ts"),
            models.Index(fields=["timestamp", "processed"], name="va_motion_ts_proc"),
        ]


class ANPREvent(Event):
    license_plate = models.CharField(_("licence plate"), max_length=32)
    confidence = models.FloatField(_("confidence"))
    # The wire format distinguishes "no region" (null) from a matched one.
    region = models.CharField(_("region"), max_length=64, null=True, blank=True)  # noqa: DJ001
    candidates = models.JSONField(
        _("candidate reads"),
        default=list,
        blank=True,
        help_text=_("The per-frame reads the vote was taken over, kept for audit."),
    )
    snapshot = models.FileField(
        _("plate snapshot"),
        upload_to="video_analytics/plates/",
        storage=snapshot_storage,
        max_length=255,
        blank=True,
    )

    class Meta(Event.Meta):
        db_table = "video_analytics_anprevent"
        verbose_name = _("ANPR event")
        verbose_name_plural = _("ANPR events")
        indexes = [
            models.Index(fields=["camera", "timestamp"], name="va_anpr_cam_ts"),
            models.Index(fields=["timestamp", "processed"], name="va_anpr_ts_proc"),
            models.Index(fields=["license_plate"], name="va_anpr_plate"),
        ]


class EventStatistics(models.Model):
    """Event counts per camera per UTC day, kept by the consumer (see ``statistics``)."""

    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="statistics", verbose_name=_("camera")
    )
    date = models.DateField(_("date"))
    detection_count = models.PositiveIntegerField(_("detections"), default=0)
    motion_count = models.PositiveIntegerField(_("motion events"), default=0)
    anpr_count = models.PositiveIntegerField(_("plates"), default=0)
    person_count = models.PositiveIntegerField(_("persons"), default=0)
    car_count = models.PositiveIntegerField(_("cars"), default=0)
    truck_count = models.PositiveIntegerField(_("trucks"), default=0)
    other_count = models.PositiveIntegerField(_("other objects"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "video_analytics_eventstatistics"
        ordering = ["-date", "camera"]
        verbose_name = _("event statistics")
        verbose_name_plural = _("event statistics")
        constraints = [
            models.UniqueConstraint(fields=["camera", "date"], name="va_stats_camera_date"),
        ]

    def __str__(self):
        return f"{self.camera_id} {self.date}"


class WatchlistEntry(models.Model):
    """A plate (or a regular expression over plates) whose sighting raises an alert."""

    plate = models.CharField(
        _("plate or pattern"),
        max_length=64,
        help_text=_(
            "A plate (stored in upper case without separators) or, with 'is pattern', "
            "a regular expression the whole plate must match."
        ),
    )
    is_pattern = models.BooleanField(_("is pattern"), default=False)
    max_distance = models.PositiveSmallIntegerField(
        _("fuzzy match distance"),
        default=0,
        help_text=_("Edits (Levenshtein distance) a read may differ by; 0 is exact."),
    )
    label = models.CharField(_("label"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    cameras = models.ManyToManyField(
        Camera,
        blank=True,
        related_name="watchlist_entries",
        verbose_name=_("cameras"),
        help_text=_("Cameras this entry applies to; none means every camera."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    active_from = models.DateTimeField(_("active from"), null=True, blank=True)
    active_until = models.DateTimeField(_("active until"), null=True, blank=True)
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    webhook_secret = models.CharField(
        _("webhook secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "Signs each delivery: X-Video-Analytics-Signature: sha256=<HMAC of timestamp.body>."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        help_text=_("With CAMERA_QUERYSET_HOOK, the entry fires only on cameras this user sees."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # What an operator edits (admin form, API).
    EDITABLE_FIELDS = (
        "plate",
        "is_pattern",
        "max_distance",
        "label",
        "note",
        "cameras",
        "is_active",
        "active_from",
        "active_until",
        "webhook_url",
        "webhook_secret",
    )

    class Meta:
        db_table = "video_analytics_watchlistentry"
        ordering = ["plate"]
        verbose_name = _("watchlist entry")
        verbose_name_plural = _("watchlist entries")

    def __str__(self):
        return f"{self.plate} ({self.label})" if self.label else self.plate


class PlateAlert(models.Model):
    """A plate read that matched a watchlist entry."""

    entry = models.ForeignKey(
        WatchlistEntry, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("entry")
    )
    event = models.ForeignKey(
        ANPREvent, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("ANPR event")
    )
    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="plate_alerts", verbose_name=_("camera")
    )
    license_plate = models.CharField(_("licence plate"), max_length=32)
    distance = models.PositiveSmallIntegerField(_("distance"), default=0)
    acknowledged = models.BooleanField(_("acknowledged"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "video_analytics_platealert"
        ordering = ["-created_at", "-id"]
        verbose_name = _("plate alert")
        verbose_name_plural = _("plate alerts")
        constraints = [
            models.UniqueConstraint(fields=["entry", "event"], name="va_alert_entry_event"),
        ]
        indexes = [models.Index(fields=["created_at"], name="va_alert_created")]

    def __str__(self):
        return f"{self.license_plate} @ {self.camera_id}"


class WebhookDelivery(models.Model):
    """One attempt to deliver an alert to its entry's webhook (the delivery log)."""

    alert = models.ForeignKey(
        PlateAlert, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("alert")
    )
    url = models.URLField(_("URL"), max_length=500)
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    succeeded = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "video_analytics_webhookdelivery"
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"alert {self.alert_id} attempt {self.attempt}"


class CameraHealth(models.Model):
    """A period a camera was online or offline; ``until`` is empty while it lasts."""

    class State(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")

    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="health", verbose_name=_("camera")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        db_table = "video_analytics_camerahealth"
        ordering = ["-since", "-id"]
        verbose_name = _("camera health period")
        verbose_name_plural = _("camera health")
        indexes = [models.Index(fields=["camera", "since"], name="va_health_cam_since")]
        constraints = [
            # At most one open period per camera.
            models.UniqueConstraint(
                fields=["camera"], condition=models.Q(until=None), name="va_health_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.camera_id} {self.state} since {self.since:%Y-%m-%d %H:%M:%S}"


class OwedWebhook(models.Model):
    """A webhook delivery still owed: written with its alert, removed once done or given up.

    ``webhook_outbox`` works off every concrete subclass the same way.
    """

    attempts = models.PositiveSmallIntegerField(_("attempts started"), default=0)
    due_at = models.DateTimeField(_("due at"), db_index=True)

    class Meta:
        abstract = True
        ordering = ["due_at"]

    def __str__(self):
        return f"{self.subject()} due {self.due_at:%Y-%m-%d %H:%M:%S}"

    def subject(self):
        """What the delivery is of, for log lines ("alert 7")."""
        raise NotImplementedError


class PendingWebhook(OwedWebhook):
    """The webhook of a plate alert, still owed."""

    alert = models.OneToOneField(
        PlateAlert,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pending_webhook",
        verbose_name=_("alert"),
    )

    class Meta(OwedWebhook.Meta):
        db_table = "video_analytics_pendingwebhook"
        verbose_name = _("pending webhook")
        verbose_name_plural = _("pending webhooks")

    def subject(self):
        return f"alert {self.alert_id}"


class Zone(models.Model):
    """A counting line or polygon zone of a camera, validated by ``pipeline.zones.specs``."""

    class Kind(models.TextChoices):
        POLYGON = "polygon", _("Polygon zone")
        LINE = "line", _("Counting line")

    class Side(models.TextChoices):
        LEFT = "left", _("Left of first -> second point")
        RIGHT = "right", _("Right of first -> second point")

    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="zones", verbose_name=_("camera")
    )
    name = models.CharField(_("name"), max_length=zone_specs.MAX_NAME_LENGTH)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.POLYGON)
    points = models.JSONField(
        _("points"),
        default=list,
        help_text=_("Normalised [x, y] points: 2 for a line, 3 to 32 for a zone."),
    )
    in_side = models.CharField(
        _("in side"),
        max_length=8,
        choices=Side.choices,
        default=Side.LEFT,
        help_text=_("Lines: crossing towards this side counts as 'in'."),
    )
    classes = models.JSONField(
        _("classes"), default=list, blank=True, help_text=_("Class names counted; empty: all.")
    )
    anchor = models.CharField(
        _("anchor"),
        max_length=16,
        choices=[(name, name.replace("_", " ")) for name in zone_specs.ANCHORS],
        default=zone_specs.DEFAULT_ANCHOR,
        help_text=_("The point of a track's box that counts."),
    )
    min_distance = models.FloatField(
        _("minimum distance"),
        default=zone_specs.DEFAULT_MIN_DISTANCE,
        help_text=_("Lines: how far (normalised) a track must go past the line on each side."),
    )
    inertia_frames = models.PositiveSmallIntegerField(
        _("inertia frames"),
        default=zone_specs.DEFAULT_INERTIA_FRAMES,
        help_text=_("Zones: consecutive analysed frames inside (or outside) to enter (or leave)."),
    )
    loiter_seconds = models.FloatField(
        _("loitering threshold (s)"),
        null=True,
        blank=True,
        help_text=_("Zones: a visit this long is loitering; empty: no loitering."),
    )
    occupancy_limit = models.PositiveIntegerField(
        _("occupancy limit"),
        null=True,
        blank=True,
        help_text=_("Zones: more objects inside at once than this is over the limit."),
    )
    webhook_url = models.URLField(
        _("webhook URL"),
        max_length=500,
        blank=True,
        validators=[validate_webhook_url],
        help_text=_("Zones: loitering and over-limit alerts are POSTed here (signed)."),
    )
    webhook_secret = models.CharField(
        _("webhook secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "Signs each delivery: X-Video-Analytics-Signature: sha256=<HMAC of timestamp.body>."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # What the counting stage reads (``spec_from_dict`` ignores what a kind does not use).
    SPEC_FIELDS = (
        "name",
        "kind",
        "points",
        "in_side",
        "classes",
        "anchor",
        "min_distance",
        "inertia_frames",
        "loiter_seconds",
    )

    class Meta:
        db_table = "video_analytics_zone"
        ordering = ["camera", "name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(fields=["camera", "name"], name="va_zone_camera_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.camera_id})"

    def spec(self):
        """The ``LineSpec`` or ``ZoneSpec`` of this row; raises ``SpecError``."""
        return zone_specs.spec_from_dict({name: getattr(self, name) for name in self.SPEC_FIELDS})

    def clean(self):
        super().clean()
        try:
            self.spec()
        except zone_specs.SpecError as exc:
            field = exc.field if exc.field in self.SPEC_FIELDS else NON_FIELD_ERRORS
            raise ValidationError({field: exc.message}, code="invalid") from None


class ZoneCounters(models.Model):
    """The class and counters of a ``ZoneCount`` (an hour) or a ``ZoneDayCount`` (a day)."""

    class_name = models.CharField(_("class"), max_length=64)
    crossings_in = models.PositiveIntegerField(_("crossings in"), default=0)
    crossings_out = models.PositiveIntegerField(_("crossings out"), default=0)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    total_dwell_seconds = models.FloatField(_("total dwell (s)"), default=0.0)
    max_occupancy = models.PositiveIntegerField(_("peak occupancy"), default=0)
    # Visits by dwell, bins of zone_counts.DWELL_BINS (seconds: <10, <30, <60, <300, <900, more).
    dwell_under_10s = models.PositiveIntegerField(default=0)
    dwell_under_30s = models.PositiveIntegerField(default=0)
    dwell_under_1m = models.PositiveIntegerField(default=0)
    dwell_under_5m = models.PositiveIntegerField(default=0)
    dwell_under_15m = models.PositiveIntegerField(default=0)
    dwell_15m_or_more = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ZoneCount(ZoneCounters):
    """Crossings, visits, dwell and peak occupancy of one zone and class in one UTC hour.

    Written only by ``zone_counts.apply``; see that module for which event feeds which column.
    """

    # No index of their own: (camera, hour) and (zone, hour, class_name) lead with them.
    camera = models.ForeignKey(
        Camera,
        on_delete=models.CASCADE,
        related_name="zone_counts",
        verbose_name=_("camera"),
        db_index=False,
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.CASCADE,
        related_name="counts",
        verbose_name=_("zone"),
        db_index=False,
    )
    hour = models.DateTimeField(_("hour (UTC)"))

    class Meta:
        db_table = "video_analytics_zonecount"
        ordering = ["-hour", "zone", "class_name"]
        verbose_name = _("zone count")
        verbose_name_plural = _("zone counts")
        constraints = [
            # Zone, then hour: one zone's hours are one index range, whatever its classes.
            models.UniqueConstraint(
                fields=["zone", "hour", "class_name"], name="va_zonecount_zone_hour_class"
            ),
        ]
        # On PostgreSQL these two also carry the counters (INCLUDE), see migration 0009.
        indexes = [
            models.Index(fields=["camera", "hour"], name="va_zonecount_cam_hour"),
            models.Index(fields=["hour"], name="va_zonecount_hour"),
        ]

    def __str__(self):
        return f"{self.zone_id} {self.class_name} {self.hour:%Y-%m-%d %H}:00"


class ZoneDayCount(ZoneCounters):
    """The ``ZoneCount`` rows of one zone and class summed over one UTC day.

    Written by ``zone_counts.apply`` in the transaction that writes the hours, so daily
    buckets read a row per day instead of 24.
    """

    camera = models.ForeignKey(
        Camera,
        on_delete=models.CASCADE,
        related_name="zone_day_counts",
        verbose_name=_("camera"),
        db_index=False,
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.CASCADE,
        related_name="day_counts",
        verbose_name=_("zone"),
        db_index=False,
    )
    day = models.DateField(_("day (UTC)"))

    class Meta:
        db_table = "video_analytics_zonedaycount"
        ordering = ["-day", "zone", "class_name"]
        verbose_name = _("zone day count")
        verbose_name_plural = _("zone day counts")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "day", "class_name"], name="va_zoneday_zone_day_class"
            ),
        ]
        indexes = [
            models.Index(fields=["camera", "day"], name="va_zoneday_cam_day"),
            models.Index(fields=["day"], name="va_zoneday_day"),
        ]

    def __str__(self):
        return f"{self.zone_id} {self.class_name} {self.day:%Y-%m-%d}"


class SignalOutbox(models.Model):
    """A stored batch whose ``events_stored`` signal is not sent yet (written with its rows)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Event type -> primary keys of the rows the batch inserted.
    event_ids = models.JSONField(_("event ids"), default=dict)
    camera_ids = models.JSONField(_("camera ids"), default=list)

    class Meta:
        db_table = "video_analytics_signaloutbox"
        ordering = ["id"]
        verbose_name = _("signal outbox entry")
        verbose_name_plural = _("signal outbox")

    def __str__(self):
        return f"batch {self.pk} of {self.created_at:%Y-%m-%d %H:%M:%S}"


class LineCrossingEvent(Event):
    """A track crossed a counting line (wire ``line_crossing``); fed into ``ZoneCount``."""

    class Direction(models.TextChoices):
        IN = "in", _("in")
        OUT = "out", _("out")

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="crossings", verbose_name=_("line")
    )
    zone_name = models.CharField(_("line name"), max_length=zone_specs.MAX_NAME_LENGTH)
    track_id = models.BigIntegerField(_("track id"))
    class_name = models.CharField(_("class"), max_length=64)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)

    class Meta(Event.Meta):
        db_table = "video_analytics_linecrossingevent"
        verbose_name = _("line crossing")
        verbose_name_plural = _("line crossings")
        indexes = [
            models.Index(fields=["camera", "timestamp"], name="va_crossing_cam_ts"),
            models.Index(fields=["zone", "timestamp"], name="va_crossing_zone_ts"),
        ]


class ZoneVisitEvent(Event):
    """A report of a zone visit (wire ``zone_visit``): open (loitering, no ``exited``) or closed.

    A visit is ``(camera, zone, track_id, entered)``; it has at most one open and one closed
    report, and only the closed one counts as a visit in ``ZoneCount``.
    """

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="visits", verbose_name=_("zone")
    )
    zone_name = models.CharField(_("zone name"), max_length=zone_specs.MAX_NAME_LENGTH)
    track_id = models.BigIntegerField(_("track id"))
    class_name = models.CharField(_("class"), max_length=64)
    entered = models.DateTimeField(_("entered"))
    exited = models.DateTimeField(_("exited"), null=True, blank=True)
    dwell_seconds = models.FloatField(_("dwell (s)"))
    loitered = models.BooleanField(_("loitered"), default=False)
    occupancy = models.PositiveIntegerField(_("occupancy at entry"), default=0)

    class Meta(Event.Meta):
        db_table = "video_analytics_zonevisitevent"
        verbose_name = _("zone visit")
        verbose_name_plural = _("zone visits")
        constraints = [
            models.UniqueConstraint(
                fields=["camera", "zone", "track_id", "entered"],
                condition=models.Q(exited__isnull=True),
                name="va_zonevisit_one_open",
            ),
            models.UniqueConstraint(
                fields=["camera", "zone", "track_id", "entered"],
                condition=models.Q(exited__isnull=False),
                name="va_zonevisit_one_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["camera", "timestamp"], name="va_visit_cam_ts"),
            models.Index(fields=["zone", "entered"], name="va_visit_zone_entered"),
        ]


class PendingZoneWebhook(OwedWebhook):
    """The webhook of a zone alert (``zone_alerts``), still owed; the zone says where to."""

    visit = models.ForeignKey(
        ZoneVisitEvent,
        on_delete=models.CASCADE,
        related_name="pending_webhooks",
        verbose_name=_("zone visit"),
    )
    kind = models.CharField(_("kind"), max_length=16)

    class Meta(OwedWebhook.Meta):
        db_table = "video_analytics_pendingzonewebhook"
        verbose_name = _("pending zone webhook")
        verbose_name_plural = _("pending zone webhooks")

    def subject(self):
        return f"zone alert {self.kind} of visit {self.visit_id}"


class PendingHealthWebhook(OwedWebhook):
    """The ``CAMERA_HEALTH_WEBHOOK_URL`` POST of a health period's start, still owed."""

    period = models.OneToOneField(
        CameraHealth,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pending_webhook",
        verbose_name=_("health period"),
    )
    previous = models.CharField(_("previous state"), max_length=16, blank=True)

    class Meta(OwedWebhook.Meta):
        db_table = "video_analytics_pendinghealthwebhook"
        verbose_name = _("pending camera health webhook")
        verbose_name_plural = _("pending camera health webhooks")

    def subject(self):
        return f"camera health period {self.period_id}"
