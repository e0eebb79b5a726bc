from collections import defaultdict
from itertools import pairwise

import pytest

from django_video_analytics.pipeline.analyzer import (
    AnalyzerConfig,
    CameraAnalyzer,
    DetectionObservation,
    MotionObservation,
)
from django_video_analytics.pipeline.detectors import OnnxRuntimeDetector, UltralyticsDetector
from django_video_analytics.pipeline.stages import StageResult, TrackStage
from testing_media.clips import FPS, clip_frames

pytestmark = pytest.mark.inference

TOP_STRIP = [[0, 0], [1, 0], [1, 0.1], [0, 0.1]]


def analyse(path, config=None, detector=None, stages=()):
    """Run a clip through an analyzer; return the observations (with close()'s) and it."""
    analyzer = CameraAnalyzer(config or AnalyzerConfig(), detector, stages)
    observations = []
    for frame in clip_frames(path):
        observations += analyzer.process(frame)
    observations += analyzer.close()
    return observations, analyzer


def of_type(observations, kind):
    return [item for item in observations if isinstance(item, kind)]


@pytest.mark.parametrize("backend", [UltralyticsDetector, OnnxRuntimeDetector])
def test_bus_clip_reports_tracked_bus_and_people_not_every_frame(objects_clip, backend):
    observations, analyzer = analyse(objects_clip, detector=backend())
    detections = of_type(observations, DetectionObservation)
    frames = analyzer.stats.frames
    assert frames == 10 * FPS
    names = {d.class_name for o in detections for d in o.detections}
    assert {"bus", "person"} <= names
    assert 0 < len(detections) <= frames / 10
    assert all(o.reason == "changed" and o.model_type == "yolov8n" for o in detections)
    # One bus drives through: one track id for it in every observation.
    bus_ids = {d.track_id for o in detections for d in o.detections if d.class_name == "bus"}
    assert len(bus_ids) == 1
    # Detection ran on motion only, at no more than max_fps (5 of the clip's 15 fps).
    assert analyzer.stats.detector_frames <= frames / 3 + 1
    motion = of_type(observations, MotionObservation)
    assert len(motion) == 1 and motion[0].frame.index == FPS + 1  # the start only


def test_still_clip_yields_no_motion_and_no_detections(still_clip):
    observations, analyzer = analyse(still_clip, detector=UltralyticsDetector())
    assert observations == []
    assert analyzer.stats.detector_frames == 0  # no motion: the detector never ran


def test_always_mode_detects_still_objects_and_sends_heartbeats(still_clip):
    config = AnalyzerConfig(detection_mode="always", heartbeat_seconds=2, max_fps=2)
    observations, _ = analyse(still_clip, config, UltralyticsDetector())
    detections = of_type(observations, DetectionObservation)
    assert {d.class_name for d in detections[0].detections} >= {"bus", "person"}
    reasons = [o.reason for o in detections]
    assert reasons[0] == "changed" and reasons.count("heartbeat") >= 2
    times = [o.frame.timestamp for o in detections if o.reason == "heartbeat"]
    assert all((b - a).total_seconds() >= 2 for a, b in pairwise(times))


def test_roi_zones_mask_detections(still_clip):
    config = AnalyzerConfig(detection_mode="always", roi_zones=(TOP_STRIP,), max_fps=2)
    observations, analyzer = analyse(still_clip, config, UltralyticsDetector())
    assert analyzer.stats.detector_frames > 0  # the detector ran ...
    assert of_type(observations, DetectionObservation) == []  # ... nothing centred in the zone


def test_camera_classes_are_honoured(objects_clip):
    config = AnalyzerConfig(classes=("bus",))
    observations, _ = analyse(objects_clip, config, UltralyticsDetector())
    names = {
        d.class_name for o in of_type(observations, DetectionObservation) for d in o.detections
    }
    assert names == {"bus"}


def test_motion_events_are_throttled(objects_clip):
    config = AnalyzerConfig(detect_objects=False, motion_event_interval=2.0)
    observations, analyzer = analyse(objects_clip, config)
    assert analyzer.stats.detector_frames == 0
    motion = of_type(observations, MotionObservation)
    gaps = [b.frame.index - a.frame.index for a, b in pairwise(motion)]
    # Motion lasts from ~1 s to ~9.5 s: a start event, then one every 2 s, not 120.
    assert 4 <= len(motion) <= 6
    assert all(gap >= 2 * FPS for gap in gaps)
    assert all(o.motion.moving and 0 < o.motion.area_percentage <= 100 for o in motion)


def test_motion_can_be_off_while_it_still_gates_detection(objects_clip):
    config = AnalyzerConfig(detect_motion=False)
    observations, analyzer = analyse(objects_clip, config, OnnxRuntimeDetector())
    assert of_type(observations, MotionObservation) == []
    assert of_type(observations, DetectionObservation)
    assert 0 < analyzer.stats.detector_frames < analyzer.stats.frames / 3 + 1


class RecordingStage(TrackStage):
    """Counts what it is shown per track; reports the count when the track ends."""

    def __init__(self):
        self.updates = defaultdict(list)
        self.finished = []

    def wants(self, detection):
        return detection.class_name == "bus"

    def update(self, detection, frame):
        self.updates[detection.track_id].append((detection.class_name, frame.index))

    def finish(self, track_id):
        self.finished.append(track_id)
        seen = self.updates.get(track_id)
        if not seen:
            return []
        return [StageResult("test", track_id, None, {"frames": len(seen)})]


def test_stage_gets_updates_and_one_finish_per_track(objects_clip):
    stage = RecordingStage()
    observations, _ = analyse(objects_clip, detector=UltralyticsDetector(), stages=[stage])
    assert len(stage.updates) == 1  # the bus only
    ((bus_track, seen),) = stage.updates.items()
    assert {name for name, _ in seen} == {"bus"} and len(seen) >= 5
    frames = [index for _, index in seen]
    assert frames == sorted(frames)
    assert stage.finished.count(bus_track) == 1
    assert len(stage.finished) == len(set(stage.finished))  # every track ends once
    results = of_type(observations, StageResult)
    assert [(r.kind, r.track_id, r.payload) for r in results] == [
        ("test", bus_track, {"frames": len(seen)})
    ]


class BrokenStage(TrackStage):
    def update(self, detection, frame):
        raise RuntimeError("plate reader crashed")

    def finish(self, track_id):
        raise RuntimeError("plate reader crashed again")


def test_a_failing_stage_is_logged_and_detection_goes_on(objects_clip, caplog):
    recording = RecordingStage()
    observations, _ = analyse(
        objects_clip, detector=UltralyticsDetector(), stages=[BrokenStage(), recording]
    )
    assert of_type(observations, DetectionObservation)
    assert recording.finished and of_type(observations, StageResult)  # the next stage ran
    failures = [r for r in caplog.records if "BrokenStage failed" in r.getMessage()]
    assert failures and all(r.exc_info for r in failures)
