import io
import re

import pytest
from django.core.management import CommandError, call_command

from django_video_analytics.models import Camera
from django_video_analytics.pipeline import clips
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
        str(clips.objects_clip()),
        "--camera",
        "unknown-cam",
        "--create-camera",
        "--dry-run",
        "--max-frames",
        "60",
    )

    table = summary(stdout)
    assert table["Events"] == "not published (--dry-run)"
    assert table["Frames"] == "60"
    assert published(redis_client, stream_names["STREAM_NAME"]) == []
    assert not Camera.objects.filter(camera_id="unknown-cam").exists()  # dry run: no row


def test_an_unknown_camera_is_refused_unless_asked_to_create_it(stream_names, redis_client):
    clip = str(clips.static_clip(seconds=2))
    with pytest.raises(CommandError, match="Unknown camera 'street-9'.*--create-camera"):
        analyze(clip, "--camera", "street-9")
    assert published(redis_client, stream_names["STREAM_NAME"]) == []

    _, stderr = analyze(clip, "--camera", "street-9", "--create-camera")

    assert "Created camera 'street-9'" in stderr
    camera = Camera.objects.get(camera_id="street-9")
    assert not camera.enabled and camera.stream_url.endswith(".mp4")


@pytest.mark.inference
@pytest.mark.slow
def test_dry_run_prints_the_plates_it_read(settings, stream_names, redis_client):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "TRACK_STAGES": ["django_video_analytics.pipeline.anpr.stage.PlateReadingStage"],
    }
    camera = make_camera("", enable_anpr=True, plate_format="uk")

    stdout, _ = analyze(str(clips.plates_clip()), "--camera", camera.camera_id, "--dry-run")

    table = summary(stdout)
    assert table["anpr"] != "0"
    assert "Plates read" in table
    assert float(table["AB12CDE"]) > 0.3 and float(table["GX19WHN"]) > 0.3
    assert published(redis_client, stream_names["STREAM_NAME"]) == []


def test_refuses_what_is_not_a_video_file(stream_names):
    with pytest.raises(CommandError, match="no such video file"):
        analyze("/no/such/clip.mp4", "--camera", "c", "--create-camera")
    with MjpegServer(bus_jpeg()) as server:
        with pytest.raises(CommandError, match="not a video file"):
            analyze(server.url, "--camera", "c", "--create-camera")
    assert not Camera.objects.filter(camera_id="c").exists()
