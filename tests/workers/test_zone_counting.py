"""The worker counts a camera's enabled Zone rows and publishes the results as wire entries."""

from datetime import datetime, timedelta, timezone

import pytest

from django_video_analytics.events.wire import LineCrossingWireEvent, parse_entry
from django_video_analytics.models import Zone
from django_video_analytics.pipeline.stages import StageResult
from django_video_analytics.pipeline.types import Frame
from django_video_analytics.pipeline.zones import LineSpec
from django_video_analytics.pipeline.zones.stage import ZoneCountingStage
from django_video_analytics.workers.camera_runner import build_stages
from django_video_analytics.workers.config import CameraConfig, WorkerOptions
from django_video_analytics.workers.encoder import ObservationEncoder

from .helpers import make_camera

NOW = datetime(2026, 11, 27, 12, 30, tzinfo=timezone.utc)
LINE = [[0.5, 0.2], [0.5, 0.9]]
SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]


@pytest.mark.django_db
def test_enabled_valid_zones_reach_the_counting_stage():
    camera = make_camera("rtsp://example.com/stream")
    gate = Zone.objects.create(camera=camera, name="gate", kind="line", points=LINE)
    Zone.objects.create(camera=camera, name="off", kind="line", points=LINE, enabled=False)
    # A row saved around clean(): the worker leaves it out instead of failing the camera.
    Zone.objects.create(camera=camera, name="broken", kind="line", points=[[0.1, 0.1]])
    config = CameraConfig.from_camera(camera)
    assert config.zones == (LineSpec("gate", ((0.5, 0.2), (0.5, 0.9))),)
    assert config.zone_ids == (("gate", gate.pk),)

    stages = build_stages(config, WorkerOptions.from_settings())
    (stage,) = [s for s in stages if isinstance(s, ZoneCountingStage)]
    assert stage.counter.lines == [config.zones[0]]

    plain = CameraConfig.from_camera(make_camera("rtsp://example.com/other"))
    assert plain.zones == ()
    assert not any(
        isinstance(s, ZoneCountingStage) for s in build_stages(plain, WorkerOptions.from_settings())
    )


@pytest.mark.django_db
def test_a_zone_change_restarts_the_analysis():
    """The worker compares configs to restart a camera's runner: zones are part of them."""
    camera = make_camera("rtsp://example.com/stream")
    before = CameraConfig.from_camera(camera)
    Zone.objects.create(camera=camera, name="gate", kind="line", points=LINE)
    assert CameraConfig.from_camera(camera) != before


def test_counting_results_become_version_2_entries():
    encoder = ObservationEncoder("gate-cam", zone_ids={"gate": 7, "kiosk": 8})
    frame = Frame(None, 42, NOW)
    crossing = StageResult(
        "line_crossing", 3, frame, {"zone": "gate", "class_name": "person", "direction": "in"}
    )
    visit = StageResult(
        "zone_visit",
        3,
        frame,
        {
            "zone": "kiosk",
            "class_name": "person",
            "entered": NOW - timedelta(seconds=12),
            "exited": NOW,
            "dwell_seconds": 12.0,
            "loitered": False,
            "occupancy": 1,
        },
    )
    unknown = StageResult(
        "line_crossing", 4, frame, {"zone": "gone", "class_name": "person", "direction": "in"}
    )
    entries = encoder.entries([crossing, visit, unknown])
    first, second = (parse_entry(entry) for entry in entries)
    assert isinstance(first, LineCrossingWireEvent)
    assert (first.camera_id, first.zone_id, first.track_id, first.timestamp) == (
        "gate-cam",
        7,
        3,
        NOW,
    )
    assert (first.frame_number, first.direction) == (42, "in")
    assert first.event_id  # a redelivered entry is found by it
    assert (second.zone_id, second.entered, second.exited, second.occupancy) == (
        8, NOW - timedelta(seconds=12), NOW, 1,
    )  # fmt: skip
    assert encoder.counts == {"line_crossing": 1, "zone_visit": 1}


@pytest.mark.django_db
def test_zones_without_object_detection_are_warned_about(caplog):
    camera = make_camera("rtsp://example.com/stream", enable_object_detection=False)
    Zone.objects.create(camera=camera, name="gate", kind="line", points=LINE)
    build_stages(CameraConfig.from_camera(camera), WorkerOptions.from_settings())
    assert "has zones but object detection is off" in caplog.text
