import logging

import pytest
from django.core.management import CommandError, call_command

from django_video_analytics.models import Camera
from django_video_analytics.workers.leases import CameraLeases
from testing_media import clips
from tests.workers.helpers import camera_row, make_camera
from tests.workers.streams import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def allow_local_sources(settings):
    """The cameras of these tests play local clips."""
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "ALLOW_LOCAL_SOURCES": True}


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


def test_burst_says_which_named_cameras_are_skipped_and_how_to_start_them(fast_polls, caplog):
    stopped = make_camera(clips.static_clip(seconds=4), enabled=False)
    caplog.set_level(logging.INFO, logger="django_video_analytics")

    call_command("run_camera_worker", "--camera", stopped.camera_id, "--burst", verbosity=1)

    start = f"/api/v1/analytics/cameras/{stopped.camera_id}/start/"
    assert f"{stopped.camera_id} is not enabled (skipped): POST {start}" in caplog.text


def test_burst_over_all_cameras_names_the_disabled_ones(fast_polls, caplog):
    running = make_camera(clips.static_clip(seconds=4), enable_object_detection=False)
    stopped = make_camera(clips.static_clip(seconds=4), enabled=False)
    caplog.set_level(logging.INFO, logger="django_video_analytics")

    call_command("run_camera_worker", "--all", "--burst", "--max-frames", "5", verbosity=1)

    assert f"{stopped.camera_id} is not enabled (skipped)" in caplog.text
    assert f"{running.camera_id} is not enabled" not in caplog.text
    assert f"{running.camera_id}: stopped after 5 frames" in caplog.text
    assert "burst done: 1 camera(s) run, 0 failed, 1 skipped" in caplog.text


def test_burst_gives_up_a_dead_camera_ends_and_exits_non_zero(fast_polls, caplog):
    good = make_camera(clips.static_clip(seconds=2), enable_object_detection=False)
    dead = make_camera(f"rtsp://127.0.0.1:{free_port()}/dead", enable_object_detection=False)
    caplog.set_level(logging.INFO, logger="django_video_analytics")

    with pytest.raises(CommandError, match=f"1 camera\\(s\\) failed: {dead.camera_id}: ") as error:
        call_command("run_camera_worker", "--all", "--burst", "--give-up-after", "2")

    assert error.value.returncode == 3
    assert f"{good.camera_id}: finished" in caplog.text
    dead_row = camera_row(dead)
    assert dead_row.status == Camera.Status.ERROR
    assert dead_row.last_error.startswith("gave up after")
    assert camera_row(good).status == Camera.Status.INACTIVE


def test_give_up_after_must_be_positive():
    with pytest.raises(CommandError, match="--give-up-after must be positive"):
        call_command("run_camera_worker", "--all", "--give-up-after", "0")


def test_burst_names_a_camera_another_worker_holds(fast_polls, redis_client, caplog):
    camera = make_camera(clips.static_clip(seconds=4), enable_object_detection=False)
    other_worker = CameraLeases(redis_client, ttl_seconds=30)
    assert other_worker.acquire(camera.camera_id)
    caplog.set_level(logging.INFO, logger="django_video_analytics")
    try:
        call_command("run_camera_worker", "--camera", camera.camera_id, "--burst", verbosity=1)
    finally:
        other_worker.release(camera.camera_id)

    assert f"{camera.camera_id} is run by another worker (skipped)" in caplog.text
    assert "burst done: 0 camera(s) run, 0 failed, 1 skipped" in caplog.text


def test_a_real_run_feeds_the_metrics_and_records_the_camera_online(fast_polls, settings):
    from prometheus_client import generate_latest

    from django_video_analytics import metrics
    from django_video_analytics.models import CameraHealth

    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "CAMERA_HEALTH_DEBOUNCE_SECONDS": 0}
    camera = make_camera(clips.objects_clip())

    call_command("run_camera_worker", "--camera", camera.camera_id, "--burst", verbosity=0)

    text = generate_latest(metrics.registry()).decode()
    label = f'camera="{camera.camera_id}"'
    for series in ("frames_read_total", "frames_analysed_total", "inference_seconds_count"):
        line = next(line for line in text.splitlines() if series in line and label in line)
        assert float(line.split()[-1]) > 0, line
    published = [line for line in text.splitlines() if "events_published_total" in line]
    assert any(label in line and 'event_type="detection"' in line for line in published)
    assert CameraHealth.objects.filter(camera=camera, state="online").exists()
