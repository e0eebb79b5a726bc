"""System checks for the package settings (IDs documented in docs/checks.md)."""

import os
import re

from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .conf import DEFAULTS, IMPORT_STRINGS, SETTINGS_NAME, analytics_settings, perform_import

CHECK_PREFIX = "django_video_analytics"
HOST_NAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_-]{1,63})*\.?")

# Settings whose values must be of these types (None allowed where the default is None).
EXPECTED_TYPES = {
    "STREAM_NAME": str,
    "DEAD_LETTER_STREAM": str,
    "CONSUMER_GROUP": str,
    "STREAM_MAXLEN": int,
    "CONSUMER_BATCH_SIZE": int,
    "CONSUMER_BLOCK_MS": int,
    "CONSUMER_CLAIM_IDLE_MS": int,
    "CONSUMER_MAX_DELIVERIES": int,
    "CELERY_TASK_MAX_MESSAGES": int,
    "API_PAGE_SIZE": int,
    "API_MAX_PAGE_SIZE": int,
    "CACHE_TIMEOUT": (int, float),
    "CACHE_ALIAS": str,
    "HEARTBEAT_STALE_SECONDS": (int, float),
    "LIVE_REFRESH_SECONDS": (int, float),
    "ANALYTICS_SERVICE_TIMEOUT": (int, float),
    "ANALYTICS_SERVICE_RETRIES": int,
    "ANALYTICS_SERVICE_BACKOFF": (int, float),
    "STREAM_URL_SCHEMES": (list, tuple),
    "ALLOW_LOCAL_SOURCES": bool,
    "DETECTION_CLASS_NAMES": (list, tuple),
    "SNAPSHOTS": bool,
    "MOTION_REGIONS": bool,
    "MAX_FPS": (int, float),
    "DETECTOR_MODEL": str,
    "DETECTOR_INPUT_SIZE": int,
    "DETECTION_HEARTBEAT_SECONDS": (int, float),
    "MOTION_EVENT_INTERVAL_SECONDS": (int, float),
    "WORKER_LEASE_SECONDS": (int, float),
    "WORKER_POLL_SECONDS": (int, float),
    "RECONNECT_BACKOFF_MAX_SECONDS": (int, float),
    "SNAPSHOT_STORAGE": str,
    "PLATE_FORMAT": str,
    "WEBHOOK_TIMEOUT": (int, float),
    "WEBHOOK_MAX_ATTEMPTS": int,
    "WEBHOOK_RETRY_BACKOFF": (int, float),
    "RETENTION_DETECTION_DAYS": (int, float),
    "RETENTION_MOTION_DAYS": (int, float),
    "RETENTION_ANPR_DAYS": (int, float),
    "RETENTION_DEAD_LETTER_DAYS": (int, float),
    "RETENTION_SNAPSHOT_DAYS": (int, float),
    "RETENTION_BATCH_SIZE": int,
    "HEALTH_MAX_LAG_SECONDS": (int, float),
    "HEALTH_DEAD_LETTER_WINDOW_SECONDS": (int, float),
    "HEALTH_MAX_NEW_DEAD_LETTERS": int,
    "METRICS_PERMISSION_CLASSES": (list, tuple),
    "CAMERA_HEALTH_DEBOUNCE_SECONDS": (int, float),
    "CAMERA_HEALTH_WEBHOOK_URL": str,
    "CAMERA_HEALTH_WEBHOOK_SECRET": str,
    "OUTBOUND_ALLOWED_NETWORKS": (list, tuple),
}

CHOICES = {
    "UNKNOWN_CAMERA_POLICY": ("create", "dead_letter"),
    "DETECTION_MODE": ("motion", "always"),
    "WEBHOOK_DELIVERY": ("consumer", "thread", "celery"),
}


def check_id(number, level="E"):
    return f"{CHECK_PREFIX}.{level}{number:03d}"


@register(Tags.compatibility)
def check_settings_shape(app_configs=None, **kwargs):
    """E001: the dict itself; E002: unknown keys; E003: wrong types; E004: bad choices."""
    from django.conf import settings

    user = getattr(settings, SETTINGS_NAME, {})
    if not isinstance(user, dict):
        return [
            Error(
                f"{SETTINGS_NAME} must be a dict.",
                hint=f"Got {type(user).__name__}.",
                id=check_id(1),
            )
        ]
    errors = []
    for name in sorted(set(user) - set(DEFAULTS)):
        errors.append(
            Error(
                f"{SETTINGS_NAME}[{name!r}] is not a known setting.",
                hint="See docs/configuration.md for the list of settings.",
                id=check_id(2),
            )
        )
    for name, expected in EXPECTED_TYPES.items():
        value = analytics_settings.raw(name)
        if value is None and DEFAULTS[name] is None:
            continue
        # bool is an int subclass; True is no valid batch size.
        is_bool_for_number = isinstance(value, bool) and bool not in _as_tuple(expected)
        if not isinstance(value, expected) or is_bool_for_number:
            errors.append(
                Error(
                    f"{SETTINGS_NAME}[{name!r}] has the wrong type.",
                    hint=f"Expected {_type_names(expected)}, got {type(value).__name__}.",
                    id=check_id(3),
                )
            )
    for name, choices in CHOICES.items():
        value = analytics_settings.raw(name)
        if value not in choices:
            errors.append(
                Error(
                    f"{SETTINGS_NAME}[{name!r}] = {value!r} is not one of {choices}.",
                    id=check_id(4),
                )
            )
    return errors


# Dotted paths that only analysis machines import (the [inference] extra); the worker
# validates them when it starts, so web servers without torch pass their checks.
WORKER_PATHS = {"FRAME_SOURCE", "DETECTOR_BACKEND", "TRACK_STAGES", "PLATE_READER", "EVENT_SINK"}


@register(Tags.compatibility)
def check_import_strings(app_configs=None, **kwargs):
    """E005: a dotted-path setting that cannot be imported."""
    errors = []
    for name in sorted(IMPORT_STRINGS - WORKER_PATHS):
        try:
            perform_import(name, analytics_settings.raw(name))
        except ImproperlyConfigured as exc:
            errors.append(Error(str(exc), id=check_id(5)))
    return errors


@register(Tags.database)
def check_redis_reachable(app_configs=None, databases=None, **kwargs):
    """W001: Redis cannot be reached (a warning: web pages still work without it)."""
    if not databases:
        return []  # Like database checks, only run when asked (migrate, check --database).
    import redis

    from .connection import get_redis
    from .masking import mask_url

    try:
        get_redis().ping()
    except redis.RedisError as exc:
        return [
            Warning(
                f"Redis at {mask_url(analytics_settings.REDIS_URL)} is unreachable: {exc}",
                hint="Set VIDEO_ANALYTICS['REDIS_URL'] (or REDIS_URL) to a running server.",
                id=check_id(1, "W"),
            )
        ]
    return []


@register(Tags.compatibility)
def check_detector_weights(app_configs=None, **kwargs):
    """W002: the detector weights are missing on a machine that has the inference stack."""
    model = analytics_settings.raw("DETECTOR_MODEL")
    if not inference_stack_installed() or not isinstance(model, (str, type(None))):
        return []  # web servers never load weights; a wrong type is E003
    from .pipeline.weights import WeightsNotFound, resolve_detector_weights

    try:
        resolve_detector_weights(model)
    except WeightsNotFound as exc:
        return [
            Warning(
                str(exc),
                hint="run_camera_worker cannot detect objects without them.",
                id=check_id(2, "W"),
            )
        ]
    return []


@register(Tags.security)
def check_stream_url_schemes(app_configs=None, **kwargs):
    """E010: STREAM_URL_SCHEMES lists a scheme that is no network stream."""
    from .validators import FORBIDDEN_SCHEMES, LOCAL_SCHEMES

    schemes = analytics_settings.raw("STREAM_URL_SCHEMES")
    if not isinstance(schemes, (list, tuple)):
        return []  # E003
    listed = {str(scheme).lower() for scheme in schemes}
    wrong = sorted(listed & (FORBIDDEN_SCHEMES | LOCAL_SCHEMES))
    if not wrong:
        return []
    return [
        Error(
            f"{SETTINGS_NAME}['STREAM_URL_SCHEMES'] lists {', '.join(map(repr, wrong))}, "
            "which is no network stream.",
            hint="Remove it; local files and devices are allowed by ALLOW_LOCAL_SOURCES, "
            "script and data URLs never.",
            id=check_id(10),
        )
    ]


def inference_stack_installed():
    """Whether this machine can run the analysis (OpenCV and a detector runtime)."""
    from importlib.util import find_spec

    runtimes = ("ultralytics", "onnxruntime")
    return find_spec("cv2") is not None and any(find_spec(name) for name in runtimes)


def _as_tuple(expected):
    return expected if isinstance(expected, tuple) else (expected,)


def _type_names(expected):
    return " or ".join(t.__name__ for t in _as_tuple(expected))


# Operations settings that must be positive when set (None keeps data forever).
POSITIVE_SETTINGS = (
    "RETENTION_DETECTION_DAYS",
    "RETENTION_MOTION_DAYS",
    "RETENTION_ANPR_DAYS",
    "RETENTION_DEAD_LETTER_DAYS",
    "RETENTION_SNAPSHOT_DAYS",
    "RETENTION_BATCH_SIZE",
    "HEALTH_MAX_LAG_SECONDS",
    "HEALTH_DEAD_LETTER_WINDOW_SECONDS",
)


@register(Tags.compatibility)
def check_operations_settings(app_configs=None, **kwargs):
    """E070: a retention or health setting is not positive; E071: a bad metrics directory."""
    import os

    errors = []
    for name in POSITIVE_SETTINGS:
        value = analytics_settings.raw(name)
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if is_number and value <= 0:  # other types are E003
            errors.append(
                Error(
                    f"{SETTINGS_NAME}[{name!r}] = {value!r} must be positive.",
                    hint="Use None to keep data forever." if "RETENTION_" in name else None,
                    id=check_id(70),
                )
            )
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory and not (os.path.isdir(directory) and os.access(directory, os.W_OK)):
        errors.append(
            Error(
                f"PROMETHEUS_MULTIPROC_DIR={directory!r} is not a writable directory.",
                hint="Create it (empty) before the processes start, or unset it.",
                id=check_id(71),
            )
        )
    return errors


@register(Tags.compatibility)
def check_snapshot_storage(app_configs=None, **kwargs):
    """W050-W052: with SNAPSHOTS on, the snapshot storage must exist and serve its files."""
    from django.core.files.storage import FileSystemStorage, InvalidStorageError, storages

    alias = analytics_settings.raw("SNAPSHOT_STORAGE")
    if analytics_settings.raw("SNAPSHOTS") is not True or not isinstance(alias, str):
        return []  # off, or a wrong type (E003)
    try:
        storage = storages[alias]
    except InvalidStorageError:
        return [
            Warning(
                f"SNAPSHOT_STORAGE {alias!r} is not a storage in STORAGES; snapshots are not "
                "saved.",
                hint="Name an alias of STORAGES (default: 'default').",
                id=check_id(52, "W"),
            )
        ]
    warnings = []
    if not _serves_urls(storage):
        warnings.append(
            Warning(
                f"The snapshot storage {alias!r} gives its files no URL of their own "
                "(MEDIA_URL is not set): the API's snapshot links answer 404.",
                hint="Set MEDIA_URL (e.g. '/media/') and serve it; see docs/installation.md.",
                id=check_id(50, "W"),
            )
        )
    if isinstance(storage, FileSystemStorage) and not os.path.isabs(str(storage.base_location)):
        warnings.append(
            Warning(
                f"The snapshot storage {alias!r} writes relative to each process's working "
                f"directory (here {storage.location}): MEDIA_ROOT is not set.",
                hint="Set MEDIA_ROOT to an absolute directory the web server serves.",
                id=check_id(51, "W"),
            )
        )
    return warnings


def _serves_urls(storage):
    """Whether the storage gives its files URLs of their own (not the site's root)."""
    from django.core.files.storage import FileSystemStorage

    try:
        url = storage.url("video_analytics/snapshots/check.jpg")
    except (NotImplementedError, ValueError):
        return False
    if isinstance(storage, FileSystemStorage) and storage.base_url in ("", "/"):
        return False  # MEDIA_URL unset: Django makes it "/", where the URLconf answers 404
    return url.startswith("/") or "://" in url


@register(Tags.compatibility)
def check_webhook_delivery(app_configs=None, **kwargs):
    """W020: webhooks go through Celery, but no Celery broker is configured."""
    if analytics_settings.raw("WEBHOOK_DELIVERY") != "celery":
        return []
    from celery import current_app

    conf = current_app.conf
    if conf.broker_url or conf.broker_write_url or conf.task_always_eager:
        return []
    return [
        Warning(
            "WEBHOOK_DELIVERY is 'celery' but the current Celery app has no broker: tasks "
            "would go to Celery's default amqp://localhost and webhooks wait for the "
            "consumer's overdue sweep.",
            hint="Configure your Celery app (CELERY_BROKER_URL), or set "
            "VIDEO_ANALYTICS['WEBHOOK_DELIVERY'] to 'consumer' (the default) or 'thread'.",
            id=check_id(20, "W"),
        )
    ]


@register(Tags.compatibility)
def check_outbound_allowed_networks(app_configs=None, **kwargs):
    """W021: an OUTBOUND_ALLOWED_NETWORKS item is neither a network nor a host name."""
    import ipaddress

    value = analytics_settings.raw("OUTBOUND_ALLOWED_NETWORKS")
    if not isinstance(value, (list, tuple)):
        return []  # E003
    warnings = []
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
            continue
        except (TypeError, ValueError):
            pass
        if not isinstance(item, str) or not HOST_NAME.fullmatch(item):
            warnings.append(
                Warning(
                    f"OUTBOUND_ALLOWED_NETWORKS item {item!r} is neither a network "
                    "(10.0.0.0/8, 192.168.1.20) nor a host name; it allows nothing.",
                    id=check_id(21, "W"),
                )
            )
    return warnings
