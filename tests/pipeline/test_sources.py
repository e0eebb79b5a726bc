import logging
import time
from datetime import timedelta

import pytest

from django_video_analytics.pipeline import clips
from django_video_analytics.pipeline.sources import (
    FileSource,
    LiveSource,
    SourceError,
    open_source,
)
from tests.workers.streams import MjpegServer, bus_jpeg, free_port


@pytest.fixture(scope="module")
def static_clip(tmp_path_factory):
    return clips.static_clip(tmp_path_factory.mktemp("clips"), seconds=2)


def read_until(source, predicate, timeout):
    """Read frames until ``predicate(frame)``; the frames read, or [] on timeout."""
    frames = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = source.read(timeout=0.5)
        if frame is not None:
            frames.append(frame)
            if predicate(frame):
                return frames
    return []


def test_file_source_reads_every_frame_in_order(static_clip):
    import cv2

    expected = int(cv2.VideoCapture(str(static_clip)).get(cv2.CAP_PROP_FRAME_COUNT))
    with open_source(str(static_clip), allow_local=True) as source:
        assert isinstance(source, FileSource) and not source.is_live
        frames = list(source)
    assert [frame.index for frame in frames] == list(range(expected))
    # Video time: one frame period apart, whatever the reading speed.
    assert frames[-1].timestamp - frames[0].timestamp == timedelta(
        seconds=(expected - 1) / source.fps
    )
    assert source.exhausted and source.read() is None


def test_file_url_played_as_live(static_clip):
    with open_source(f"file://{static_clip}?live=1", allow_local=True) as source:
        started = time.monotonic()
        frames = [source.read() for _ in range(8)]
        elapsed = time.monotonic() - started
    assert [frame.index for frame in frames] == list(range(8))
    assert elapsed >= 7 / source.fps * 0.9  # played at its own rate, not as fast as possible


@pytest.mark.parametrize(
    "url, message",
    [
        ("/no/such/clip.mp4", "no such video file"),
        ("ftp://user:secret@cam/x", "unsupported stream URL scheme"),
        ("", "no stream URL"),
    ],
)
def test_unusable_urls_raise_source_error(url, message):
    with pytest.raises(SourceError, match=message) as excinfo:
        open_source(url, allow_local=True)
    assert "secret" not in str(excinfo.value)


def test_live_source_keeps_only_the_newest_frame():
    with MjpegServer(bus_jpeg(), fps=50) as server, open_source(server.url) as source:
        assert isinstance(source, LiveSource) and source.is_live
        assert read_until(source, lambda frame: True, timeout=10)
        indexes = []
        for _ in range(5):
            time.sleep(0.3)  # a slow analysis
            indexes.append(source.read(timeout=2).index)
    gaps = [b - a for a, b in zip(indexes, indexes[1:], strict=False)]
    assert min(gaps) > 1, indexes  # stale frames were dropped, not queued
    assert source.dropped > 0


def test_dead_url_reports_a_masked_error_and_keeps_retrying(caplog):
    url = f"rtsp://admin:secret@127.0.0.1:{free_port()}/x"
    caplog.set_level(logging.DEBUG, logger="django_video_analytics")
    with open_source(url, backoff_max=0.5) as source:
        assert source.read(timeout=2) is None
        assert source.last_error == f"cannot open {url.replace('admin:secret', '***:***')}"
        attempts = source.backoff.attempt
        time.sleep(1.5)
        assert source.backoff.attempt > attempts  # still retrying
        assert source.thread.is_alive()
    assert "secret" not in caplog.text
    assert "***:***" in caplog.text


def test_live_source_reconnects_when_the_stream_comes_back():
    server = MjpegServer(bus_jpeg(), fps=20).start()
    source = open_source(server.url, backoff_max=1.0)
    try:
        first = read_until(source, lambda frame: True, timeout=10)[-1]
        server.stop()
        deadline = time.monotonic() + 10
        while source.last_error is None and time.monotonic() < deadline:
            source.read(timeout=0.5)
        assert "ended or stalled" in source.last_error or "cannot open" in source.last_error
        server.start()
        frames = read_until(source, lambda frame: True, timeout=15)
        assert frames and frames[-1].index > first.index  # numbering goes on
        assert source.last_error is None
    finally:
        source.close()
        if server.serving.is_set():
            server.stop()
