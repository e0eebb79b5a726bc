"""The data model of SPEC.md: cameras, their events and daily statistics."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .masking import mask_url
from .validators import (
    validate_detection_classes,
    validate_plate_format,
    validate_roi_zones,
    validate_stream_url,
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


class DetectionEvent(Event):
    detections = models.JSONField(_("detections"), default=list)
    detection_count = models.PositiveIntegerField(_("detection count"), default=0)
    model_type = models.CharField(_("model type"), max_length=64, blank=True)
    model_version = models.CharField(_("model version"), max_length=64, blank=True)
    snapshot = models.FileField(
        _("snapshot"), upload_to="video_analytics/snapshots/", max_length=255, blank=True
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
        _("plate snapshot"), upload_to="video_analytics/plates/", max_length=255, blank=True
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
    """Event counts per camera per day, maintained by the consumer."""

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

    COUNTERS = (
        "detection_count",
        "motion_count",
        "anpr_count",
        "person_count",
        "car_count",
        "truck_count",
        "other_count",
    )

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


class PendingWebhook(models.Model):
    """A webhook delivery still owed: written with its alert, removed once done or given up."""

    alert = models.OneToOneField(
        PlateAlert,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pending_webhook",
        verbose_name=_("alert"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts started"), default=0)
    due_at = models.DateTimeField(_("due at"), db_index=True)

    class Meta:
        db_table = "video_analytics_pendingwebhook"
        ordering = ["due_at"]
        verbose_name = _("pending webhook")
        verbose_name_plural = _("pending webhooks")

    def __str__(self):
        return f"alert {self.alert_id} due {self.due_at:%Y-%m-%d %H:%M:%S}"
