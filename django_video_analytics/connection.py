"""The one place that opens Redis connections (``REDIS_URL`` or the older flat settings)."""

import redis

from .conf import analytics_settings

_clients: dict[str, redis.Redis] = {}


def get_redis():
    """A shared client for the configured ``REDIS_URL`` (connection-pooled, thread-safe)."""
    url = analytics_settings.REDIS_URL
    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, health_check_interval=30)
        _clients[url] = client
    return client


def reset_connections():
    """Drop cached clients, e.g. after settings change or a fork."""
    for client in _clients.values():
        client.close()
    _clients.clear()


def as_text(value):
    """A Redis reply (bytes) as str; undecodable bytes (bad input) become U+FFFD."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
