"""The versioned widget cache on the real Redis cache of the test settings."""

from django.test import override_settings

from django_video_analytics.signals import events_stored
from django_video_analytics.widgets import cache


class Recorder:
    """A compute function that counts which scopes it was asked for."""

    def __init__(self, value):
        self.value = value
        self.asked = []

    def __call__(self, scopes):
        self.asked.append(list(scopes))
        return {scope: f"{self.value}:{scope}" for scope in scopes}


def test_only_missing_scopes_are_computed():
    first, second = Recorder("v1"), Recorder("v2")
    assert cache.cached_many(["a"], "n", first) == {"a": "v1:a"}
    assert cache.cached_many(["a", "b"], "n", second) == {"a": "v1:a", "b": "v2:b"}
    assert second.asked == [["b"]]


def test_invalidation_bumps_the_cameras_and_overall_only():
    cache.cached_many(["a", "b", cache.OVERALL], "n", Recorder("old"))
    cache.invalidate({"a"})
    fresh = Recorder("new")
    values = cache.cached_many(["a", "b", cache.OVERALL], "n", fresh)
    assert values == {"a": "new:a", "b": "old:b", cache.OVERALL: f"new:{cache.OVERALL}"}
    assert fresh.asked == [["a", cache.OVERALL]]


def test_values_expire_after_cache_timeout(settings):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "CACHE_TIMEOUT": 1}
    cache.cached("a", "n", lambda: "old")
    key = cache.widget_cache().make_key(cache.value_key("a", "n"))
    assert 0 < cache.widget_cache().client.get_client().pttl(key) <= 1000


def test_signal_receiver_is_connected():
    cache.cached("cam-9", "n", lambda: "old")
    events_stored.send(sender=None, camera_ids={"cam-9"}, counts={}, events=[])
    assert cache.cached("cam-9", "n", lambda: "new") == "new"


def test_cache_outage_does_not_fail_the_sender(caplog):
    unreachable = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    with override_settings(CACHES=unreachable):
        responses = events_stored.send(sender=None, camera_ids={"cam-1"}, counts={}, events=[])
    assert responses  # the receiver ran and returned
    assert "Could not invalidate the widget cache" in caplog.text
