"""Stream entries for the event tests, and a recount of the statistics from the event rows."""

import json
import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

from django_video_analytics.events import wire
from django_video_analytics.models import (
    ANPREvent,
    DetectionEvent,
    EventStatistics,
    MotionEvent,
)
from django_video_analytics.statistics import COUNTERS, class_counter

T0 = datetime(2026, 11, 20, 23, 59, 58, tzinfo=timezone.utc)

# Exactly what the analytics services already in the field publish (SPEC.md): ``Z``
# timestamps, default json.dumps spacing, no event id, and ``region`` left out.
SEED_DETECTION = {
    "event_type": "detection",
    "camera_id": "cam-1",
    "timestamp": "2026-11-20T12:00:00.250000Z",
    "frame_number": 1200,
    "detections": [
        {
            "class_name": "person",
            "confidence": 0.91,
            "bounding_box": {"x": 0.1, "y": 0.2, "width": 0.15, "height": 0.5},
        },
        {
            "class_name": "car",
            "confidence": 0.84,
            "bounding_box": {"x": 0.5, "y": 0.55, "width": 0.3, "height": 0.25},
        },
    ],
    "model_info": {"model_type": "yolov8n", "version": "8.1.0"},
}
SEED_MOTION = {
    "event_type": "motion",
    "camera_id": "cam-1",
    "timestamp": "2026-11-20T12:00:01Z",
    "frame_number": 1225,
    "motion_intensity": 0.37,
    "affected_area_percentage": 12.5,
}
SEED_ANPR = {
    "event_type": "anpr",
    "camera_id": "cam-2",
    "timestamp": "2026-11-20T12:00:02Z",
    "frame_number": 1250,
    "anpr_result": {"license_plate": "AB12CDE", "confidence": 0.88},
}


def seed_entry(payload):
    return {"data": json.dumps(payload)}


def mixed_entries(count, cameras=5, seed=1, start=T0):
    """``count`` builder-made entries: 70 % detection, 25 % motion, 5 % anpr.

    Timestamps start two seconds before midnight, so statistics span two dates.
    """
    rng = random.Random(seed)
    classes = ("person", "car", "truck", "bus", "bicycle")
    entries = []
    for index in range(count):
        camera_id = f"cam-{index % cameras}"
        timestamp = start + timedelta(milliseconds=10 * index)
        roll = rng.random()
        if roll < 0.70:
            detections = [
                {
                    "class_name": rng.choice(classes),
                    "confidence": round(rng.uniform(0.3, 1.0), 3),
                    "bounding_box": {"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4},
                    "track_id": rng.randint(1, 50),
                }
                for _ in range(rng.randint(1, 5))
            ]
            entry = wire.build_detection(
                camera_id, timestamp, index, detections, "yolov8n", "8.1.0"
            )
        elif roll < 0.95:
            intensity, area = rng.random(), rng.uniform(0, 100)
            entry = wire.build_motion(camera_id, timestamp, index, intensity, area)
        else:
            entry = wire.build_anpr(camera_id, timestamp, index, f"AB{index:05d}", 0.9)
        entries.append(entry)
    return entries


def recount_statistics():
    """The statistics as the event rows say they should be: {(camera pk, date): Counter}."""
    expected = defaultdict(Counter)
    for camera, timestamp, detections in DetectionEvent.objects.values_list(
        "camera_id", "timestamp", "detections"
    ):
        counters = expected[camera, timestamp.astimezone(timezone.utc).date()]
        counters["detection_count"] += 1
        for item in detections:
            counters[class_counter(item["class_name"])] += 1
    for model, counter in ((MotionEvent, "motion_count"), (ANPREvent, "anpr_count")):
        for camera, timestamp in model.objects.values_list("camera_id", "timestamp"):
            expected[camera, timestamp.astimezone(timezone.utc).date()][counter] += 1
    return dict(expected)


def stored_statistics():
    stored = {}
    for row in EventStatistics.objects.all():
        counters = Counter({name: getattr(row, name) for name in COUNTERS})
        stored[row.camera_id, row.date] = +counters  # drop zeros
    return stored


def stored_row_count():
    return sum(model.objects.count() for model in (DetectionEvent, MotionEvent, ANPREvent))
