"""WorkerOptions reads the settings the table in conf.py declares for the worker."""

from dataclasses import fields

import pytest
from django.core.exceptions import ImproperlyConfigured

from django_video_analytics.conf import SETTINGS
from django_video_analytics.workers.config import WorkerOptions
from django_video_analytics.workers.sinks import NullSink


def option_settings():
    return {f.metadata["setting"] for f in fields(WorkerOptions)}


def test_every_worker_only_setting_is_read_when_a_worker_starts():
    worker_only = {setting.name for setting in SETTINGS if setting.worker_only}
    assert worker_only <= option_settings()


def test_every_option_is_a_setting_of_the_table():
    assert option_settings() <= {setting.name for setting in SETTINGS}


def test_options_carry_their_settings(settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "DETECTOR_INPUT_SIZE": 640,
        "DETECTION_HEARTBEAT_SECONDS": 7.0,
        "WORKER_LEASE_SECONDS": 11,
        "RECONNECT_BACKOFF_MAX_SECONDS": 4.0,
        "EVENT_SINK": "django_video_analytics.workers.sinks.NullSink",
    }
    options = WorkerOptions.from_settings()

    assert options.detector_input_size == 640
    assert options.heartbeat_seconds == 7.0
    assert options.lease_seconds == 11
    assert options.reconnect_backoff_max == 4.0
    assert options.event_sink is NullSink


@pytest.mark.parametrize(
    "name", [setting.name for setting in SETTINGS if setting.required and setting.worker_only]
)
def test_a_required_path_set_to_none_stops_the_worker_naming_it(settings, name):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, name: None}
    with pytest.raises(ImproperlyConfigured, match=rf"VIDEO_ANALYTICS\['{name}'\] must be"):
        WorkerOptions.from_settings()
