"""The package's settings: one lazy object over the ``VIDEO_ANALYTICS`` dict.

Read settings as ``from django_video_analytics.conf import analytics_settings`` then
``analytics_settings.STREAM_NAME``. Values come from ``settings.VIDEO_ANALYTICS``, then from
the flat names older integrations used (``REDIS_HOST``, ``REDIS_STREAM_NAME`` ...), then
from ``DEFAULTS``. Dotted paths listed in ``IMPORT_STRINGS`` are imported on first access.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

SETTINGS_NAME = "VIDEO_ANALYTICS"

DEFAULTS = {
    # Redis and the event stream
    "REDIS_URL": None,
    "STREAM_NAME": "stream:events",
    "STREAM_MAXLEN": 1_000_000,
    "DEAD_LETTER_STREAM": "stream:events:dead-letter",
    "CONSUMER_GROUP": "video_analytics",
    "CONSUMER_BATCH_SIZE": 500,
    "CONSUMER_BLOCK_MS": 2000,
    "CONSUMER_CLAIM_IDLE_MS": 60_000,
    "CONSUMER_MAX_DELIVERIES": 5,
    "CELERY_TASK_MAX_MESSAGES": 5000,
    "UNKNOWN_CAMERA_POLICY": "create",
    # Camera control
    "CAMERA_CONTROL_BACKEND": "django_video_analytics.control.local.LocalControlBackend",
    "ANALYTICS_SERVICE_URL": None,
    "ANALYTICS_SERVICE_TIMEOUT": 10.0,
    "ANALYTICS_SERVICE_RETRIES": 2,
    "ANALYTICS_SERVICE_BACKOFF": 0.5,
    # HTTP API
    "API_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "django_video_analytics.api.permissions.DjangoModelPermissions",
    ],
    "CAMERA_QUERYSET_HOOK": None,
    "API_PAGE_SIZE": 50,
    "API_MAX_PAGE_SIZE": 500,
    "STREAM_URL_SCHEMES": ["rtsp", "rtsps", "http", "https"],
    "ALLOW_LOCAL_SOURCES": False,
    "DETECTION_CLASS_NAMES": None,
    # Template tags and live widgets
    "CACHE_ALIAS": "default",
    "CACHE_TIMEOUT": 15,
    "HEARTBEAT_STALE_SECONDS": 60,
    "LIVE_REFRESH_SECONDS": 5,
    # Analysis workers
    "FRAME_SOURCE": "django_video_analytics.pipeline.sources.open_source",
    "DETECTOR_BACKEND": "django_video_analytics.pipeline.detectors.UltralyticsDetector",
    "DETECTOR_MODEL": None,
    "DETECTOR_INPUT_SIZE": 320,
    "DETECTION_MODE": "motion",
    "MOTION_REGIONS": False,
    "MAX_FPS": 5.0,
    "DETECTION_HEARTBEAT_SECONDS": 30.0,
    "MOTION_EVENT_INTERVAL_SECONDS": 10.0,
    "TRACK_STAGES": [],
    "PLATE_READER": "django_video_analytics.pipeline.anpr.reader.EasyOCRPlateReader",
    "PLATE_FORMAT": "eu",
    "EVENT_SINK": "django_video_analytics.events.publisher.EventPublisher",
    "SNAPSHOTS": False,
    "SNAPSHOT_STORAGE": "default",
    "WORKER_LEASE_SECONDS": 20,
    "WORKER_POLL_SECONDS": 2.0,
    "RECONNECT_BACKOFF_MAX_SECONDS": 30.0,
    # Plate watchlist alerts
    "WEBHOOK_DELIVERY": "consumer",
    "WEBHOOK_TIMEOUT": 5.0,
    "WEBHOOK_MAX_ATTEMPTS": 5,
    "WEBHOOK_RETRY_BACKOFF": 2.0,
    # Operations: retention (days; None keeps forever), health, metrics, camera health
    "RETENTION_DETECTION_DAYS": None,
    "RETENTION_MOTION_DAYS": None,
    "RETENTION_ANPR_DAYS": None,
    "RETENTION_DEAD_LETTER_DAYS": None,
    "RETENTION_SNAPSHOT_DAYS": None,
    "RETENTION_BATCH_SIZE": 2000,
    "HEALTH_MAX_LAG_SECONDS": 60.0,
    "HEALTH_DEAD_LETTER_WINDOW_SECONDS": 3600.0,
    "HEALTH_MAX_NEW_DEAD_LETTERS": 0,
    "METRICS_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "CAMERA_HEALTH_DEBOUNCE_SECONDS": 5.0,
    "CAMERA_HEALTH_WEBHOOK_URL": None,
    "CAMERA_HEALTH_WEBHOOK_SECRET": "",
    # Outbound requests (webhooks)
    "OUTBOUND_ALLOWED_NETWORKS": [],
}

# Settings holding dotted paths; they are imported when read.
IMPORT_STRINGS = {
    "CAMERA_CONTROL_BACKEND",
    "API_PERMISSION_CLASSES",
    "CAMERA_QUERYSET_HOOK",
    "FRAME_SOURCE",
    "DETECTOR_BACKEND",
    "TRACK_STAGES",
    "PLATE_READER",
    "EVENT_SINK",
    "METRICS_PERMISSION_CLASSES",
}

# Flat settings of the older integration, honoured when VIDEO_ANALYTICS does not set the key.
LEGACY_NAMES = {
    "STREAM_NAME": "REDIS_STREAM_NAME",
    "ANALYTICS_SERVICE_URL": "ANALYTICS_SERVICE_URL",
    "ANALYTICS_SERVICE_TIMEOUT": "ANALYTICS_SERVICE_TIMEOUT",
}


def perform_import(name, value):
    """Import a dotted path (or each path of a list) named by setting ``name``."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [perform_import(name, item) for item in value]
    if not isinstance(value, str):
        return value
    try:
        return import_string(value)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"{SETTINGS_NAME}['{name}'] = {value!r} cannot be imported: {exc}"
        ) from exc


def legacy_redis_url():
    """Build a URL from ``REDIS_HOST``/``REDIS_PORT``/``REDIS_DB`` when any is set."""
    names = ("REDIS_HOST", "REDIS_PORT", "REDIS_DB")
    if not any(hasattr(settings, name) for name in names):
        return None
    host = getattr(settings, "REDIS_HOST", "127.0.0.1")
    port = getattr(settings, "REDIS_PORT", 6379)
    db = getattr(settings, "REDIS_DB", 0)
    return f"redis://{host}:{port}/{db}"


class AnalyticsSettings:
    """Lazy view of the package settings; cached per attribute, cleared on change."""

    def __init__(self, defaults=None, import_strings=None):
        self.defaults = defaults or DEFAULTS
        self.import_strings = import_strings or IMPORT_STRINGS
        self._cached = set()

    @property
    def user_settings(self):
        value = getattr(settings, SETTINGS_NAME, {})
        if not isinstance(value, dict):
            raise ImproperlyConfigured(
                f"{SETTINGS_NAME} must be a dict, not {type(value).__name__}"
            )
        return value

    def raw(self, name):
        """The configured value of ``name`` before any import."""
        if name not in self.defaults:
            raise AttributeError(f"Invalid {SETTINGS_NAME} setting: {name!r}")
        if name in self.user_settings:
            return self.user_settings[name]
        legacy = LEGACY_NAMES.get(name)
        if legacy and hasattr(settings, legacy):
            return getattr(settings, legacy)
        if name == "REDIS_URL":
            return (
                getattr(settings, "REDIS_URL", None)
                or legacy_redis_url()
                or ("redis://127.0.0.1:6379/0")
            )
        return self.defaults[name]

    def __getattr__(self, name):
        value = self.raw(name)
        if name in self.import_strings:
            value = perform_import(name, value)
        self._cached.add(name)
        setattr(self, name, value)
        return value

    def reload(self):
        for name in self._cached:
            delattr(self, name)
        self._cached.clear()


analytics_settings = AnalyticsSettings()

RELOAD_ON = {SETTINGS_NAME, "REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_DB"} | set(
    LEGACY_NAMES.values()
)


def reload_analytics_settings(*args, setting, **kwargs):
    if setting in RELOAD_ON:
        analytics_settings.reload()
        from .connection import reset_connections

        reset_connections()


setting_changed.connect(reload_analytics_settings)
