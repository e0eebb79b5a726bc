"""The health checks as django-health-check (4.x) checks: the ``[health]`` extra.

path("health/", HealthCheckView.as_view(checks=[
    "health_check.checks.Database",
    *django_video_analytics.operations.health_checks.CHECKS,
]))
"""

import dataclasses

try:
    from health_check.base import HealthCheck
    from health_check.exceptions import ServiceUnavailable
except ImportError as exc:  # the optional extra is not installed
    raise ImportError(
        "django_video_analytics.operations.health_checks needs django-health-check: "
        'pip install "django-video-analytics[health]"'
    ) from exc

from . import health


def _as_health_check(name, check):
    """A django-health-check class that raises ServiceUnavailable when ``check`` fails."""

    def run(self):
        result = check()
        if not result.healthy:
            raise ServiceUnavailable(result.message)

    cls = type(name, (HealthCheck,), {"run": run, "__doc__": check.__doc__})
    cls.__module__ = __name__
    return dataclasses.dataclass(cls)


Redis = _as_health_check("Redis", health.check_redis)
Database = _as_health_check("Database", health.check_database)
StreamLag = _as_health_check("StreamLag", health.check_stream_lag)
DeadLetters = _as_health_check("DeadLetters", health.check_dead_letters)
Workers = _as_health_check("Workers", health.check_workers)

CHECKS = tuple(
    f"{__name__}.{cls.__name__}" for cls in (Redis, Database, StreamLag, DeadLetters, Workers)
)
