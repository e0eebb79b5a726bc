import logging

import pytest
from django.core.management import CommandError, call_command

from testing_media import clips
from tests.workers.helpers import camera_row, make_camera

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_polls(settings, stream_names):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "WORKER_POLL_SECONDS": 0.2}


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "--camera ID"),
        (["--all", "--camera", "x"], "--camera ID"),
        (["--camera", "no-such-camera"], "Unknown camera id(s): no-such-camera"),
        (["--all", "--max-frames", "0"], "at least 1"),
    ],
)
def test_bad_arguments_are_refused(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("run_camera_worker", *args)


@pytest.mark.parametrize(
    "name, value",
    [
        ("FRAME_SOURCE", "no.such.open_source"),
        ("DETECTOR_BACKEND", "django_video_analytics.pipeline.detectors.NoSuchDetector"),
        ("TRACK_STAGES", ["no.such.Stage"]),
        ("PLATE_READER", "no.such.Reader"),
        ("EVENT_SINK", "no.such.Sink"),
    ],
)
def test_worker_side_dotted_paths_are_validated_at_start(settings, name, value):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, name: value}
    with pytest.raises(CommandError, match=f"VIDEO_ANALYTICS\\['{name}'\\]"):
        call_command("run_camera_worker", "--all")


def test_burst_with_max_frames_stops_after_that_many_frames(fast_polls, caplog):
    camera = make_camera(clips.static_clip(seconds=4), enable_object_detection=False)
    caplog.set_level(logging.INFO, logger="django_video_analytics")

    call_command("run_camera_worker", "--all", "--burst", "--max-frames", "10", verbosity=1)

    assert f"{camera.camera_id}: stopped after 10 frames" in caplog.text
    assert camera_row(camera).last_active_at is not None
