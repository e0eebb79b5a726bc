"""ALLOW_LOCAL_SOURCES holds where sources are opened, not only where URLs are entered."""

import threading

import pytest

pytest.importorskip("cv2")

from django_video_analytics.events.publisher import EventPublisher  # noqa: E402
from django_video_analytics.pipeline import clips  # noqa: E402
from django_video_analytics.pipeline.sources import SourceError, open_source  # noqa: E402
from django_video_analytics.workers.camera_runner import CameraRunner, RunnerState  # noqa: E402
from django_video_analytics.workers.config import CameraConfig, WorkerOptions  # noqa: E402
from tests.workers.helpers import wait_for  # noqa: E402


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return clips.static_clip(tmp_path_factory.mktemp("clips"), seconds=1)


def local_urls(clip):
    return [str(clip), f"file://{clip}", f"file://{clip}?live=1", "0", "device:0"]


def test_local_sources_are_refused_unless_allowed(clip):
    for url in local_urls(clip):
        with pytest.raises(SourceError, match="set ALLOW_LOCAL_SOURCES to allow it"):
            open_source(url)
    with open_source(str(clip), allow_local=True) as source:
        assert source.read() is not None


def config_for(url):
    return CameraConfig(
        camera_id="policy-test",
        stream_url=url,
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


def test_worker_refuses_a_stored_local_path_when_local_sources_are_off(
    settings, stream_names, redis_client, clip
):
    """A row saved before the validation existed (or by a raw query) still opens nothing."""
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "ALLOW_LOCAL_SOURCES": False}
    sink = EventPublisher(stream_name=stream_names["STREAM_NAME"])
    runner = CameraRunner(config_for(str(clip)), WorkerOptions.from_settings(), sink)
    thread = threading.Thread(target=runner.run)
    thread.start()
    try:
        assert wait_for(lambda: runner.state == RunnerState.ERROR, 10)
        assert "ALLOW_LOCAL_SOURCES" in runner.last_error
    finally:
        runner.stop()
        thread.join(10)
    assert runner.stats.frames_total == 0
    assert redis_client.xlen(stream_names["STREAM_NAME"]) == 0
