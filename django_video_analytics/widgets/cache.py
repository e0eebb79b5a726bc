"""Short-lived widget cache, invalidated when the consumer stores a batch of events.

Every cached value is stored beside the version token of its scope (a camera id, or
``OVERALL``). ``events_stored`` replaces the tokens of the cameras in the batch and of
``OVERALL`` with a fresh one, so stale values are ignored at the next read: one
``set_many``, no key scans. Values also expire after ``CACHE_TIMEOUT`` seconds.
"""

import logging
import uuid

from django.core.cache import caches
from django.dispatch import receiver

from ..conf import analytics_settings
from ..signals import events_stored

logger = logging.getLogger(__name__)

KEY_PREFIX = "django_video_analytics:widgets"
OVERALL = "*"
# Tokens outlive values; a token that expires anyway only causes a recomputation.
VERSION_TIMEOUT = 24 * 3600


def widget_cache():
    return caches[analytics_settings.CACHE_ALIAS]


def scope_of(camera_id):
    """The cache scope of a camera id; None (all cameras) is ``OVERALL``."""
    return OVERALL if camera_id is None else camera_id


def version_key(scope):
    return f"{KEY_PREFIX}:version:{scope}"


def value_key(scope, name):
    return f"{KEY_PREFIX}:value:{scope}:{name}"


def cached(scope, name, compute):
    """The cached value ``name`` of ``scope``, else ``compute()`` stored for next time."""
    return cached_many([scope], name, lambda missing: {scope: compute()})[scope]


def cached_many(scopes, name, compute_missing):
    """``{scope: value}`` from one cache round trip; ``compute_missing(scopes)`` fills misses."""
    return cached_each({scope: (scope, name) for scope in scopes}, compute_missing)


def cached_each(keys, compute_missing):
    """``{item: value}`` for ``keys`` = ``{item: (scope, name)}``, from one cache round trip.

    ``compute_missing(items)`` returns ``{item: value}`` of the items not cached (or stale).
    """
    cache = widget_cache()
    versions = {item: version_key(scope) for item, (scope, _) in keys.items()}
    values = {item: value_key(scope, name) for item, (scope, name) in keys.items()}
    # A set: the items of one scope share its version key.
    found = cache.get_many({*versions.values(), *values.values()})
    result, missing = {}, []
    for item in keys:
        entry = found.get(values[item])
        # The token is read before computing: data committed meanwhile gets a newer token.
        if entry is not None and entry[0] == found.get(versions[item]):
            result[item] = entry[1]
        else:
            missing.append(item)
    if missing:
        computed = compute_missing(missing)
        cache.set_many(
            {values[item]: (found.get(versions[item]), computed[item]) for item in missing},
            timeout=analytics_settings.CACHE_TIMEOUT,
        )
        result.update(computed)
    return result


def invalidate(camera_ids):
    """Make every cached value of these cameras and of ``OVERALL`` stale."""
    token = uuid.uuid4().hex
    scopes = [*camera_ids, OVERALL]
    widget_cache().set_many({version_key(s): token for s in scopes}, timeout=VERSION_TIMEOUT)


@receiver(events_stored, dispatch_uid="django_video_analytics.widgets.invalidate")
def invalidate_on_events_stored(sender, camera_ids=(), **kwargs):
    # The events are committed; a cache outage must not fail the consumer, and the
    # values expire after CACHE_TIMEOUT anyway.
    try:
        invalidate(camera_ids)
    except Exception:
        logger.warning("Could not invalidate the widget cache", exc_info=True)
