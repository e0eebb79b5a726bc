"""System checks for the package settings (IDs documented in docs/checks.md)."""

from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .conf import DEFAULTS, IMPORT_STRINGS, SETTINGS_NAME, analytics_settings, perform_import

CHECK_PREFIX = "django_video_analytics"

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
    "CONSUMER_LIVENESS_TTL_SECONDS": (int, float),
    "MAX_FUTURE_SKEW_SECONDS": (int, float),
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
}

CHOICES = {
    "UNKNOWN_CAMERA_POLICY": ("create", "dead_letter"),
    "DETECTION_MODE": ("motion", "always"),
    "WEBHOOK_DELIVERY": ("celery", "thread"),
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
    from .masking import mask_stream_url

    try:
        get_redis().ping()
    except redis.RedisError as exc:
        return [
            Warning(
                f"Redis at {mask_stream_url(analytics_settings.REDIS_URL)} is unreachable: {exc}",
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


def inference_stack_installed():
    """Whether this machine can run the analysis (OpenCV and a detector runtime)."""
    from importlib.util import find_spec

    runtimes = ("ultralytics", "onnxruntime")
    return find_spec("cv2") is not None and any(find_spec(name) for name in runtimes)


def _as_tuple(expected):
    return expected if isinstance(expected, tuple) else (expected,)


def _type_names(expected):
    return " or ".join(t.__name__ for t in _as_tuple(expected))
