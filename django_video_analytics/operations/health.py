"""Health of an installation: Redis, database, stream lag, dead letters, live workers.

Each check is a function returning a ``HealthResult``; ``manage.py analytics_health`` runs
them all, and ``operations.health_checks`` wraps them for django-health-check. Messages
never carry credentials.
"""

import logging
from dataclasses import dataclass

import redis
from django.db import DatabaseError, connections

from ..conf import analytics_settings
from ..masking import mask_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthResult:
    name: str
    healthy: bool
    message: str


def check_redis():
    """Redis answers a PING."""
    from ..connection import get_redis

    try:
        get_redis().ping()
    except redis.RedisError as exc:
        return _redis_down("redis", exc)
    return HealthResult("redis", True, "answers")


def check_database():
    """The database events are written to answers a query."""
    from ..events.ingest import events_database

    alias = events_database()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return HealthResult("database", False, f"{alias}: {type(exc).__name__}")
    return HealthResult("database", True, f"{alias} answers")


def check_stream_lag():
    """The oldest event not stored yet is younger than ``HEALTH_MAX_LAG_SECONDS``."""
    from ..connection import get_redis
    from .stream_state import stream_state

    limit = analytics_settings.HEALTH_MAX_LAG_SECONDS
    try:
        state = stream_state(
            get_redis(), analytics_settings.STREAM_NAME, analytics_settings.CONSUMER_GROUP
        )
    except redis.RedisError as exc:
        return _redis_down("stream lag", exc)
    message = f"{state.lag_seconds:.1f} s behind, {state.pending} pending, {state.length} in stream"
    if state.lag_seconds > limit:
        if not state.group_exists:
            message += " (no consumer group yet: is a consumer running?)"
        return HealthResult("stream lag", False, f"{message} (limit {limit} s)")
    return HealthResult("stream lag", True, message)


def check_dead_letters():
    """At most ``HEALTH_MAX_NEW_DEAD_LETTERS`` dead letters in the last window."""
    from ..connection import get_redis

    window = analytics_settings.HEALTH_DEAD_LETTER_WINDOW_SECONDS
    limit = analytics_settings.HEALTH_MAX_NEW_DEAD_LETTERS
    client = get_redis()
    try:
        seconds, microseconds = client.time()
        since_ms = int(seconds * 1000 + microseconds // 1000 - window * 1000)
        recent = client.xrange(
            analytics_settings.DEAD_LETTER_STREAM, min=f"{since_ms}-0", count=limit + 1
        )
    except redis.RedisError as exc:
        return _redis_down("dead letters", exc)
    if len(recent) > limit:
        return HealthResult(
            "dead letters",
            False,
            f"more than {limit} new in the last {window:g} s (manage.py dead_letters list)",
        )
    return HealthResult("dead letters", True, f"{len(recent)} new in the last {window:g} s")


def check_workers():
    """Every enabled camera's lease is held by a live worker."""
    from ..connection import get_redis
    from ..models import Camera
    from ..workers.leases import CameraLeases

    enabled = list(Camera.objects.filter(enabled=True).values_list("camera_id", flat=True))
    if not enabled:
        return HealthResult("workers", True, "no enabled camera")
    leases = CameraLeases(get_redis(), analytics_settings.WORKER_LEASE_SECONDS)
    try:
        holders = leases.holders(enabled)
    except redis.RedisError as exc:
        return _redis_down("workers", exc)
    orphaned = sorted(camera_id for camera_id, token in holders.items() if token is None)
    if orphaned:
        shown = ", ".join(orphaned[:10]) + (" ..." if len(orphaned) > 10 else "")
        return HealthResult(
            "workers", False, f"no live worker for {len(orphaned)} enabled camera(s): {shown}"
        )
    return HealthResult("workers", True, f"{len(enabled)} enabled camera(s) leased")


CHECKS = (check_redis, check_database, check_stream_lag, check_dead_letters, check_workers)


def run_checks(checks=CHECKS):
    """Run ``checks``; a check that fails unexpectedly counts as unhealthy."""
    results = []
    for check in checks:
        try:
            results.append(check())
        except Exception as exc:  # one broken check must not hide the others
            logger.exception("Health check %s failed", check.__name__)
            name = check.__name__.removeprefix("check_").replace("_", " ")
            results.append(HealthResult(name, False, f"check failed: {type(exc).__name__}"))
    return results


def _redis_down(name, exc):
    url = mask_url(analytics_settings.REDIS_URL)
    return HealthResult(name, False, f"Redis at {url} unavailable: {type(exc).__name__}")
