from datetime import datetime, timezone

import cv2
import numpy as np
import pytest
from django.core.files.storage import storages

from django_video_analytics.events import wire
from django_video_analytics.events.wire import parse_entry
from django_video_analytics.pipeline.analyzer import DetectionObservation, MotionObservation
from django_video_analytics.pipeline.stages import StageResult
from django_video_analytics.pipeline.types import Detection, Frame, MotionResult, PlateRead
from django_video_analytics.workers.encoder import ENCODERS, ObservationEncoder
from django_video_analytics.workers.snapshots import SnapshotStore
from testing_media.clips import asset_path

NOW = datetime(2026, 11, 27, 12, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def frame():
    return Frame(cv2.imread(str(asset_path("bus.jpg"))), 42, NOW)


@pytest.fixture
def memory_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "snapshots": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return storages["snapshots"]


def test_detections_become_a_wire_entry_with_tracks_and_snapshot(frame, memory_storage):
    encoder = ObservationEncoder("gate", SnapshotStore("snapshots"))
    observation = DetectionObservation(
        frame=frame,
        detections=(
            Detection("bus", 0.91234567, (0.1, 0.2, 0.5, 0.6), track_id=3),
            Detection("person", 0.8, (0.7, 0.3, 0.1, 0.4), track_id=4),
        ),
        model_type="yolov8n",
        model_version="8.4.0",
        reason="changed",
    )

    event = parse_entry(encoder.entries([observation])[0])

    assert (event.event_type, event.camera_id, event.frame_number) == ("detection", "gate", 42)
    assert event.timestamp == NOW
    assert (event.model_type, event.model_version) == ("yolov8n", "8.4.0")
    assert event.detections[0] == {
        "class_name": "bus",
        "confidence": 0.9123,
        "bounding_box": {"x": 0.1, "y": 0.2, "width": 0.5, "height": 0.6},
        "track_id": 3,
    }
    assert event.event_id  # a producer id: a redelivered entry never makes a second row
    assert event.snapshot.startswith("video_analytics/snapshots/gate/2026/11/27/42-")
    with memory_storage.open(event.snapshot) as handle:
        image = cv2.imdecode(np.frombuffer(handle.read(), np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == frame.image.shape
    assert encoder.counts["detection"] == 1 and encoder.classes_seen["person"] == 1


def test_motion_needs_no_snapshot(frame, memory_storage):
    encoder = ObservationEncoder("gate", SnapshotStore("snapshots"))
    motion = MotionObservation(frame=frame, motion=MotionResult(0.123456, 12.34567, True))

    event = parse_entry(encoder.entries([motion])[0])

    assert (event.motion_intensity, event.affected_area_percentage) == (0.1235, 12.346)
    assert event.snapshot is None


def test_a_plate_read_becomes_an_anpr_entry_and_its_crop_the_snapshot(frame, memory_storage):
    encoder = ObservationEncoder("gate", SnapshotStore("snapshots"))
    crop = frame.image[600:700, 100:400]
    result = StageResult(
        "anpr",
        track_id=7,
        frame=frame,
        payload=PlateRead(
            license_plate="AB12CDE",
            confidence=0.87,
            region="uk",
            candidates=[{"text": "AB12CDE", "confidence": 0.9}],
            crop=crop,
        ),
    )

    event = parse_entry(encoder.entries([result])[0])

    assert (event.license_plate, event.confidence, event.region) == ("AB12CDE", 0.87, "uk")
    assert event.candidates == ({"text": "AB12CDE", "confidence": 0.9},)
    assert event.snapshot.startswith("video_analytics/plates/gate/")
    assert memory_storage.size(event.snapshot) > 0


def test_without_snapshots_the_crop_is_dropped_and_unknown_payloads_skipped(frame, caplog):
    encoder = ObservationEncoder("gate")
    plate = StageResult("anpr", 1, frame, PlateRead("X1", 1.0, None, [], crop=frame.image))
    unknown = StageResult("colour", 1, frame, {"colour": "red"})
    untyped = StageResult("anpr", 2, frame, {"license_plate": "X2", "confidence": 1.0})

    entries = encoder.entries([plate, unknown, untyped])

    assert len(entries) == 1 and parse_entry(entries[0]).snapshot is None
    assert "no event type" in caplog.text


def test_the_encoder_covers_every_wire_event_type():
    assert set(ENCODERS) == set(wire.KINDS)
