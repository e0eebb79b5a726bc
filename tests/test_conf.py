import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_video_analytics.conf import DEFAULTS, analytics_settings
from django_video_analytics.control.local import LocalControlBackend


def test_defaults_apply_when_unset():
    with override_settings(VIDEO_ANALYTICS={}):
        assert analytics_settings.STREAM_NAME == DEFAULTS["STREAM_NAME"]
        assert analytics_settings.CONSUMER_BATCH_SIZE == DEFAULTS["CONSUMER_BATCH_SIZE"]


def test_user_value_wins_and_reloads_on_setting_changed():
    with override_settings(VIDEO_ANALYTICS={"STREAM_NAME": "custom"}):
        assert analytics_settings.STREAM_NAME == "custom"
    assert analytics_settings.STREAM_NAME == DEFAULTS["STREAM_NAME"]


def test_legacy_flat_names_are_fallbacks():
    with override_settings(
        VIDEO_ANALYTICS={},
        REDIS_STREAM_NAME="legacy:events",
        ANALYTICS_SERVICE_URL="http://analytics:8001",
        ANALYTICS_SERVICE_TIMEOUT=3,
    ):
        assert analytics_settings.STREAM_NAME == "legacy:events"
        assert analytics_settings.ANALYTICS_SERVICE_URL == "http://analytics:8001"
        assert analytics_settings.ANALYTICS_SERVICE_TIMEOUT == 3


def test_package_dict_beats_legacy_name():
    with override_settings(VIDEO_ANALYTICS={"STREAM_NAME": "new"}, REDIS_STREAM_NAME="old"):
        assert analytics_settings.STREAM_NAME == "new"


def test_redis_url_from_legacy_host_port_db(settings):
    del settings.REDIS_URL
    with override_settings(
        VIDEO_ANALYTICS={}, REDIS_HOST="redis.local", REDIS_PORT=6380, REDIS_DB=2
    ):
        assert analytics_settings.REDIS_URL == "redis://redis.local:6380/2"


def test_redis_url_default_is_local_server(settings):
    del settings.REDIS_URL
    with override_settings(VIDEO_ANALYTICS={}):
        assert analytics_settings.REDIS_URL == "redis://127.0.0.1:6379/0"


def test_import_strings_are_imported():
    path = "django_video_analytics.control.local.LocalControlBackend"
    with override_settings(VIDEO_ANALYTICS={"CAMERA_CONTROL_BACKEND": path}):
        assert analytics_settings.CAMERA_CONTROL_BACKEND is LocalControlBackend


def test_unimportable_path_names_the_setting():
    with override_settings(VIDEO_ANALYTICS={"CAMERA_CONTROL_BACKEND": "nowhere.Backend"}):
        with pytest.raises(ImproperlyConfigured, match=r"CAMERA_CONTROL_BACKEND"):
            getattr(analytics_settings, "CAMERA_CONTROL_BACKEND")  # noqa: B009


def test_unknown_setting_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NOT_A_SETTING"):
        getattr(analytics_settings, "NOT_A_SETTING")  # noqa: B009


def test_non_dict_setting_is_rejected():
    with override_settings(VIDEO_ANALYTICS=["not", "a", "dict"]):
        with pytest.raises(ImproperlyConfigured, match="must be a dict"):
            getattr(analytics_settings, "STREAM_NAME")  # noqa: B009
