import logging
import re

import cv2
import numpy as np
import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from django_video_analytics.control.local import LocalControlBackend
from django_video_analytics.models import Camera
from django_video_analytics.pipeline import clips
from django_video_analytics.workers.leases import CameraLeases

from .helpers import camera_row, make_camera, published, wait_for, worker_thread
from .streams import MjpegServer, RtspStream, bus_jpeg, requires_rtsp_tools

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_settings(settings, stream_names, tmp_path):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "WORKER_POLL_SECONDS": 0.2,
        "RECONNECT_BACKOFF_MAX_SECONDS": 1.0,
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings


def read_jpeg(name):
    with storages["default"].open(name) as handle:
        return cv2.imdecode(np.frombuffer(handle.read(), np.uint8), cv2.IMREAD_COLOR)


@pytest.mark.inference
def test_burst_over_a_clip_publishes_tracked_bus_and_person(
    worker_settings, stream_names, redis_client
):
    worker_settings.VIDEO_ANALYTICS = {
        **worker_settings.VIDEO_ANALYTICS,
        "SNAPSHOTS": True,
        "TRACK_STAGES": ["tests.workers.stages.VehicleTrackStage"],
    }
    camera = make_camera(clips.objects_clip())

    call_command("run_camera_worker", "--camera", camera.camera_id, "--burst", verbosity=0)

    stream = stream_names["STREAM_NAME"]
    detections = published(redis_client, stream, "detection")
    classes = {item["class_name"] for event in detections for item in event.detections}
    assert {"bus", "person"} <= classes
    assert all("track_id" in item for event in detections for item in event.detections)
    frames = 150
    assert 1 < len(detections) < frames / 5  # on changes of the tracked set, not per frame
    assert {event.camera_id for event in detections} == {camera.camera_id}
    motion = published(redis_client, stream, "motion")
    assert 1 <= len(motion) < frames / 10  # throttled
    # Snapshots: a JPEG of the whole frame, referenced by its storage name.
    assert all(read_jpeg(event.snapshot).shape == (360, 640, 3) for event in detections)
    # The per-track stage hook: one result per vehicle track, with the crop saved.
    plates = published(redis_client, stream, "anpr")
    assert plates and all(event.license_plate.startswith("TRACK") for event in plates)
    assert all(event.snapshot.startswith("video_analytics/plates/") for event in plates)
    assert all(read_jpeg(event.snapshot).size > 0 for event in plates)
    camera = camera_row(camera)
    assert camera.status == Camera.Status.INACTIVE and camera.last_active_at is not None
    assert redis_client.get(CameraLeases.key(camera.camera_id)) is None  # released


@pytest.mark.inference
def test_a_static_clip_publishes_nothing(worker_settings, stream_names, redis_client):
    camera = make_camera(clips.static_clip(seconds=4))

    call_command("run_camera_worker", "--camera", camera.camera_id, "--burst", verbosity=0)

    assert published(redis_client, stream_names["STREAM_NAME"]) == []
    assert camera_row(camera).last_active_at is not None  # it was analysed


def test_start_stop_and_configuration_changes_are_picked_up(worker_settings, redis_client, caplog):
    caplog.set_level(logging.INFO, logger="django_video_analytics")
    with MjpegServer(bus_jpeg(), fps=10) as server:
        camera = make_camera(server.url, enabled=False, enable_object_detection=False)
        with worker_thread(camera.camera_id) as (worker, _):
            assert not wait_for(lambda: worker.runners, timeout=1)
            waiting = f"{camera.camera_id} is not enabled (waiting until it is started): POST "
            assert caplog.text.count(waiting) == 1  # said once, not at every poll
            LocalControlBackend().start(camera)
            assert wait_for(lambda: camera_row(camera).status == Camera.Status.ACTIVE, 10)
            assert worker.leases.holders([camera.camera_id]) == {
                camera.camera_id: worker.leases.token
            }
            first_runner = worker.runners[camera.camera_id]

            Camera.objects.filter(pk=camera.pk).update(motion_threshold=2.0)
            restarted = wait_for(
                lambda: worker.runners.get(camera.camera_id) not in (None, first_runner), 5
            )
            assert restarted and worker.runners[camera.camera_id].camera.motion_threshold == 2.0
            assert not first_runner.is_alive()

            LocalControlBackend().stop(camera_row(camera))
            assert wait_for(lambda: not worker.runners, 5)
            assert worker.leases.holders([camera.camera_id]) == {camera.camera_id: None}
            assert camera_row(camera).status == Camera.Status.INACTIVE


def test_a_bad_camera_leaves_the_others_running(worker_settings, caplog):
    caplog.set_level(logging.INFO, logger="django_video_analytics")
    with MjpegServer(bus_jpeg(), fps=10) as server:
        good = make_camera(server.url, enable_object_detection=False)
        bad = make_camera("/no/such/clip.mp4", enable_object_detection=False)
        with worker_thread(good.camera_id, bad.camera_id) as (worker, thread):
            assert wait_for(lambda: camera_row(bad).status == Camera.Status.ERROR, 10)
            assert "no such video file" in camera_row(bad).last_error
            assert wait_for(lambda: camera_row(good).status == Camera.Status.ACTIVE, 10)
            beat = camera_row(good).last_active_at
            assert wait_for(lambda: camera_row(good).last_active_at > beat, 5)  # heartbeats
            assert thread.is_alive()
            worker.stats_interval = 0.5
            figures = f"{good.camera_id}: " + r"\d+\.\d fps, inference 0\.0 ms over 0 frames"
            assert wait_for(lambda: re.search(figures, caplog.text), 5)


def test_missing_weights_fail_the_camera_with_the_fix(worker_settings, redis_client):
    worker_settings.VIDEO_ANALYTICS = {
        **worker_settings.VIDEO_ANALYTICS,
        "DETECTOR_BACKEND": "django_video_analytics.pipeline.detectors.OnnxRuntimeDetector",
        "DETECTOR_MODEL": "/no/such/weights.onnx",
    }
    camera = make_camera(clips.static_clip(seconds=4))

    with pytest.raises(CommandError, match="1 camera\\(s\\) failed") as error:
        call_command("run_camera_worker", "--camera", camera.camera_id, "--burst", verbosity=0)

    assert error.value.returncode == 3
    camera = camera_row(camera)
    assert camera.status == Camera.Status.ERROR
    assert "DETECTOR_MODEL" in camera.last_error and "/no/such/weights.onnx" in camera.last_error


def test_a_stage_that_cannot_start_fails_its_camera_only(worker_settings):
    worker_settings.VIDEO_ANALYTICS = {
        **worker_settings.VIDEO_ANALYTICS,
        "TRACK_STAGES": ["tests.workers.stages.BrokenStage"],
    }
    camera = make_camera(clips.static_clip(seconds=4), enable_object_detection=False)

    with pytest.raises(CommandError, match="cannot start the analysis"):
        call_command("run_camera_worker", "--camera", camera.camera_id, "--burst", verbosity=0)

    error = camera_row(camera).last_error
    assert error == f"cannot start the analysis: no plate model for {camera.camera_id}"


@requires_rtsp_tools
@pytest.mark.inference
def test_dead_rtsp_camera_errors_then_recovers_and_is_analysed(
    worker_settings, stream_names, redis_client, monkeypatch
):
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;udp")
    rtsp = RtspStream(video=clips.objects_clip())
    url = rtsp.url.replace("rtsp://", "rtsp://viewer:secret@")
    camera = make_camera(url, max_fps=5)
    with worker_thread(camera.camera_id) as (worker, thread):
        assert wait_for(lambda: camera_row(camera).status == Camera.Status.ERROR, 15)
        error = camera_row(camera).last_error
        assert "***:***@127.0.0.1" in error and "secret" not in error
        assert thread.is_alive()
        with rtsp:
            assert wait_for(lambda: camera_row(camera).status == Camera.Status.ACTIVE, 30)
            assert camera_row(camera).last_error == ""

            def classes_seen():
                events = published(redis_client, stream_names["STREAM_NAME"], "detection")
                return {item["class_name"] for event in events for item in event.detections}

            wait_for(lambda: classes_seen() >= {"bus", "person"}, 40)
            assert {"bus", "person"} <= classes_seen()
