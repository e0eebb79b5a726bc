import io
import re

import pytest
from django.core.management import CommandError, call_command

from testing_media import clips
from tests.workers.helpers import make_camera, published
from tests.workers.streams import MjpegServer, bus_jpeg

pytestmark = pytest.mark.django_db


def analyze(*args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("analyze_video", *args, stdout=stdout, stderr=stderr, verbosity=0)
    return stdout.getvalue(), stderr.getvalue()


def summary(stdout):
    """The summary table as {label: value}."""
    rows = (re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in stdout.splitlines())
    return {row[0]: row[-1] for row in rows}


@pytest.mark.inference
def test_analyses_a_clip_and_publishes_its_events(stream_names, redis_client):
    camera = make_camera("", enabled=False)

    stdout, stderr = analyze(str(clips.objects_clip()), "--camera", camera.camera_id)

    assert "100% 150/150" in stderr  # the progress bar reached the end
    table = summary(stdout)
    assert table["Frames"] == "150"
    assert table["bus"].endswith("in events") and table["person"].endswith("in events")
    events = published(redis_client, stream_names["STREAM_NAME"])
    assert {event.camera_id for event in events} == {camera.camera_id}
    kinds = [event.event_type for event in events]
    assert table["detection"] == str(kinds.count("detection")) != "0"
    assert table["motion"] == str(kinds.count("motion"))


@pytest.mark.inference
def test_dry_run_publishes_nothing_and_uses_camera_defaults(stream_names, redis_client):
    stdout, _ = analyze(
        str(clips.objects_clip()), "--camera", "unknown-cam", "--dry-run", "--max-frames", "60"
    )

    table = summary(stdout)
    assert table["Events"] == "not published (--dry-run)"
    assert table["Frames"] == "60"
    assert published(redis_client, stream_names["STREAM_NAME"]) == []


def test_refuses_what_is_not_a_video_file(stream_names):
    with pytest.raises(CommandError, match="no such video file"):
        analyze("/no/such/clip.mp4", "--camera", "c")
    with MjpegServer(bus_jpeg()) as server:
        with pytest.raises(CommandError, match="not a video file"):
            analyze(server.url, "--camera", "c")
