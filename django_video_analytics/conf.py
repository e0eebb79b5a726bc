"""The package's settings: one table, read through one lazy object over ``VIDEO_ANALYTICS``.

Read settings as ``from django_video_analytics.conf import analytics_settings`` then
``analytics_settings.STREAM_NAME``. Values come from ``settings.VIDEO_ANALYTICS``, then from
the flat names older integrations used (``REDIS_HOST``, ``REDIS_STREAM_NAME`` ...), then
from the default. ``SETTINGS`` below is the one place a setting is declared: the checks
(``checks.py``), the worker's options (``workers/config.py``) and the test that keeps
docs/configuration.md in step all read it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from .pipeline.schemes import LIVE_SCHEMES
from .pipeline.types import DETECTION_MODES

SETTINGS_NAME = "VIDEO_ANALYTICS"

NUMBER = (int, float)
LIST = (list, tuple)


@dataclass(frozen=True)
class Setting:
    """One package setting: its default and what the checks, the worker and the docs need."""

    name: str
    default: Any
    types: type | tuple[type, ...] | None = None  # what a set value must be (check E003)
    choices: tuple[str, ...] = ()  # the only values allowed (check E004)
    import_string: bool = False  # a dotted path, or a list of them, imported when read
    required: bool = False  # an import string that may not be None
    worker_only: bool = False  # imported only on analysis machines, when a worker starts
    # The older flat setting used when VIDEO_ANALYTICS lacks the key: its name, or a function
    # composing several (None when none is set).
    legacy: str | Callable[[], Any] | None = None
    positive: bool = False  # must be above zero when set (check E070)


REDIS_URL_PARTS = ("REDIS_HOST", "REDIS_PORT", "REDIS_DB")


def legacy_redis_url() -> str | None:
    """The flat ``REDIS_URL``, else one built from ``REDIS_HOST``/``REDIS_PORT``/``REDIS_DB``."""
    if getattr(settings, "REDIS_URL", None):
        return settings.REDIS_URL
    if not any(hasattr(settings, name) for name in REDIS_URL_PARTS):
        return None
    host = getattr(settings, "REDIS_HOST", "127.0.0.1")
    port = getattr(settings, "REDIS_PORT", 6379)
    db = getattr(settings, "REDIS_DB", 0)
    return f"redis://{host}:{port}/{db}"


# Adding a setting is adding its row here (and its section in docs/configuration.md).
SETTINGS = (
    # Redis and the event stream
    Setting("REDIS_URL", "redis://127.0.0.1:6379/0", str, legacy=legacy_redis_url),
    Setting("STREAM_NAME", "stream:events", str, legacy="REDIS_STREAM_NAME"),
    Setting("STREAM_MAXLEN", 1_000_000, int, positive=True),
    Setting("DEAD_LETTER_STREAM", "stream:events:dead-letter", str),
    Setting("CONSUMER_GROUP", "video_analytics", str),
    Setting("CONSUMER_BATCH_SIZE", 1000, int, positive=True),
    Setting("CONSUMER_BLOCK_MS", 2000, int, positive=True),
    Setting("CONSUMER_CLAIM_IDLE_MS", 60_000, int, positive=True),
    Setting("CONSUMER_MAX_DELIVERIES", 5, int, positive=True),
    Setting("CONSUMER_LIVENESS_TTL_SECONDS", 30, NUMBER, positive=True),
    Setting("MAX_FUTURE_SKEW_SECONDS", 300, NUMBER),
    Setting("CELERY_TASK_MAX_MESSAGES", 5000, int, positive=True),
    Setting("UNKNOWN_CAMERA_POLICY", "create", choices=("create", "dead_letter")),
    # Camera control
    Setting(
        "CAMERA_CONTROL_BACKEND",
        "django_video_analytics.control.local.LocalControlBackend",
        import_string=True,
    ),
    Setting("ANALYTICS_SERVICE_URL", None, str, legacy="ANALYTICS_SERVICE_URL"),
    Setting(
        "ANALYTICS_SERVICE_TIMEOUT", 10.0, NUMBER, legacy="ANALYTICS_SERVICE_TIMEOUT", positive=True
    ),
    Setting("ANALYTICS_SERVICE_RETRIES", 2, int),
    Setting("ANALYTICS_SERVICE_BACKOFF", 0.5, NUMBER),
    # HTTP API
    Setting(
        "API_PERMISSION_CLASSES",
        [
            "rest_framework.permissions.IsAuthenticated",
            "django_video_analytics.api.permissions.DjangoModelPermissions",
        ],
        LIST,
        import_string=True,
    ),
    Setting("CAMERA_QUERYSET_HOOK", None, import_string=True),
    Setting("API_PAGE_SIZE", 50, int, positive=True),
    Setting("API_MAX_PAGE_SIZE", 500, int, positive=True),
    Setting("PLATE_SEARCH_MIN_LENGTH", 3, int, positive=True),
    Setting("STREAM_URL_SCHEMES", list(LIVE_SCHEMES), LIST),
    Setting("ALLOW_LOCAL_SOURCES", False, bool),
    Setting("DETECTION_CLASS_NAMES", None, LIST),
    # Template tags and live widgets
    Setting("CACHE_ALIAS", "default", str),
    Setting("CACHE_TIMEOUT", 15, NUMBER),
    Setting("HEARTBEAT_STALE_SECONDS", 60, NUMBER, positive=True),
    Setting("LIVE_REFRESH_SECONDS", 5, NUMBER, positive=True),
    # Analysis workers
    Setting(
        "FRAME_SOURCE",
        "django_video_analytics.pipeline.sources.open_source",
        import_string=True,
        required=True,
        worker_only=True,
    ),
    Setting(
        "DETECTOR_BACKEND",
        "django_video_analytics.pipeline.detectors.UltralyticsDetector",
        import_string=True,
        required=True,
        worker_only=True,
    ),
    Setting("DETECTOR_MODEL", None, str),
    Setting("DETECTOR_INPUT_SIZE", 320, int, positive=True),
    Setting("DEVICE", "auto", str),
    Setting("INFERENCE_URL", None, str),
    Setting("INFERENCE_PROTOCOL", "grpc", choices=("http", "grpc")),
    Setting("INFERENCE_MODEL", "yolov8n", str),
    Setting("INFERENCE_MODEL_VERSION", "", (str, int)),
    Setting("INFERENCE_TIMEOUT", 5.0, NUMBER, positive=True),
    Setting("INFERENCE_HTTP_BINARY", True, bool),
    Setting("INFERENCE_FALLBACK", False, bool),
    Setting("INFERENCE_BATCH_SIZE", 8, int, positive=True),
    Setting("DETECTION_MODE", "motion", choices=DETECTION_MODES),
    Setting("MOTION_REGIONS", False, bool),
    Setting("MAX_FPS", 5.0, NUMBER, positive=True),
    Setting("ANALYSIS_FPS", 10.0, NUMBER, positive=True),
    Setting("DETECTION_HEARTBEAT_SECONDS", 30.0, NUMBER, positive=True),
    Setting("MOTION_EVENT_INTERVAL_SECONDS", 10.0, NUMBER, positive=True),
    Setting("TRACK_STAGES", [], LIST, import_string=True, worker_only=True),
    Setting(
        "PLATE_READER",
        "django_video_analytics.pipeline.anpr.reader.EasyOCRPlateReader",
        import_string=True,
        worker_only=True,
    ),
    Setting("PLATE_FORMAT", "eu", str),
    Setting(
        "EVENT_SINK",
        "django_video_analytics.events.publisher.EventPublisher",
        import_string=True,
        required=True,
        worker_only=True,
    ),
    Setting("SNAPSHOTS", False, bool),
    Setting("SNAPSHOT_STORAGE", "default", str),
    Setting("WORKER_LEASE_SECONDS", 20, NUMBER, positive=True),
    Setting("WORKER_POLL_SECONDS", 2.0, NUMBER, positive=True),
    Setting("RECONNECT_BACKOFF_MAX_SECONDS", 30.0, NUMBER, positive=True),
    # Plate watchlist alerts
    Setting("WEBHOOK_DELIVERY", "consumer", choices=("consumer", "thread", "celery")),
    Setting("WEBHOOK_TIMEOUT", 5.0, NUMBER, positive=True),
    Setting("WEBHOOK_MAX_ATTEMPTS", 5, int, positive=True),
    Setting("WEBHOOK_RETRY_BACKOFF", 2.0, NUMBER),
    # Operations: retention (days; None keeps forever), health, metrics, camera health
    Setting("RETENTION_DETECTION_DAYS", None, NUMBER, positive=True),
    Setting("RETENTION_MOTION_DAYS", None, NUMBER, positive=True),
    Setting("RETENTION_ANPR_DAYS", None, NUMBER, positive=True),
    Setting("RETENTION_LINE_CROSSING_DAYS", None, NUMBER, positive=True),
    Setting("RETENTION_ZONE_VISIT_DAYS", None, NUMBER, positive=True),
    Setting("RETENTION_DEAD_LETTER_DAYS", None, NUMBER, positive=True),
    Setting("RETENTION_SNAPSHOT_DAYS", None, NUMBER, positive=True),
    Setting("RETENTION_BATCH_SIZE", 2000, int, positive=True),
    Setting("HEALTH_MAX_LAG_SECONDS", 60.0, NUMBER, positive=True),
    Setting("HEALTH_DEAD_LETTER_WINDOW_SECONDS", 3600.0, NUMBER, positive=True),
    Setting("HEALTH_MAX_NEW_DEAD_LETTERS", 0, int),
    Setting(
        "METRICS_PERMISSION_CLASSES",
        ["rest_framework.permissions.IsAdminUser"],
        LIST,
        import_string=True,
    ),
    Setting("CAMERA_HEALTH_DEBOUNCE_SECONDS", 5.0, NUMBER),
    Setting("CAMERA_HEALTH_WEBHOOK_URL", None, str),
    Setting("CAMERA_HEALTH_WEBHOOK_SECRET", "", str),
    # Outbound requests (webhooks)
    Setting("OUTBOUND_ALLOWED_NETWORKS", [], LIST),
)

DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


def perform_import(name: str, value: Any) -> Any:
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


UNSET = object()


def legacy_value(setting: Setting) -> Any:
    """The value of the older flat setting standing in for ``setting``, or ``UNSET``."""
    if callable(setting.legacy):
        value = setting.legacy()
        return UNSET if value is None else value
    if setting.legacy is not None and hasattr(settings, setting.legacy):
        return getattr(settings, setting.legacy)
    return UNSET


class AnalyticsSettings:
    """Lazy view of the package settings; cached per attribute, cleared on change."""

    def __init__(self, table: Iterable[Setting] = SETTINGS) -> None:
        self.table = {setting.name: setting for setting in table}
        self._cached: set[str] = set()

    @property
    def user_settings(self) -> dict[str, Any]:
        value = getattr(settings, SETTINGS_NAME, {})
        if not isinstance(value, dict):
            raise ImproperlyConfigured(
                f"{SETTINGS_NAME} must be a dict, not {type(value).__name__}"
            )
        return value

    def setting(self, name: str) -> Setting:
        """The table row of ``name``; AttributeError for a name that is no setting."""
        try:
            return self.table[name]
        except KeyError:
            raise AttributeError(f"Invalid {SETTINGS_NAME} setting: {name!r}") from None

    def raw(self, name: str) -> Any:
        """The configured value of ``name`` before any import."""
        setting = self.setting(name)
        if name in self.user_settings:
            return self.user_settings[name]
        value = legacy_value(setting)
        return setting.default if value is UNSET else value

    def __getattr__(self, name: str) -> Any:
        value = self.raw(name)
        setting = self.table[name]
        if value is None and setting.required:
            raise ImproperlyConfigured(f"{SETTINGS_NAME}[{name!r}] must be a dotted path.")
        if setting.import_string:
            value = perform_import(name, value)
        self._cached.add(name)
        setattr(self, name, value)
        return value

    def reload(self) -> None:
        for name in self._cached:
            delattr(self, name)
        self._cached.clear()


analytics_settings = AnalyticsSettings()

RELOAD_ON = {SETTINGS_NAME, "REDIS_URL", *REDIS_URL_PARTS} | {
    setting.legacy for setting in SETTINGS if isinstance(setting.legacy, str)
}


def reload_analytics_settings(*args: Any, setting: str, **kwargs: Any) -> None:
    if setting in RELOAD_ON:
        analytics_settings.reload()
        from .connection import reset_connections

        reset_connections()


setting_changed.connect(reload_analytics_settings)
