"""One camera's analysis: motion, motion-gated detection, tracking and per-track stages.

``CameraAnalyzer.process(frame)`` returns what is worth an event, never one per frame:
a ``MotionObservation`` when motion starts and then every ``motion_event_interval``
seconds while it goes on, a ``DetectionObservation`` when the set of tracked objects
changes or every ``heartbeat_seconds`` while it does not, and the stages' ``StageResult``s.
All timing uses the frames' timestamps, so a file analysed at full speed behaves like
the same video watched live.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from .motion import MotionDetector
from .regions import RegionTracker
from .roi import centre_in_zones
from .stages import StageResult, TrackStage
from .tracking import TrackBook
from .types import DETECTION_MODES, Detection, Frame, MotionResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalyzerConfig:
    """What to look for on one camera (the worker builds it from the Camera row)."""

    detect_objects: bool = True
    detect_motion: bool = True
    classes: tuple[str, ...] = ()  # empty: every class the model knows
    confidence: float = 0.5
    roi_zones: tuple = ()  # polygons of normalised (x, y) points; empty: the whole frame
    motion_threshold: float = 0.5  # percent of the (ROI) area that must change
    detection_mode: str = "motion"
    max_fps: float | None = 5.0  # most detector frames per second (None: every frame)
    frame_skip: int = 0  # ignore this many frames after each one looked at
    heartbeat_seconds: float = 30.0
    motion_event_interval: float = 10.0
    # Motion within this many seconds belongs to the same episode, and detection goes on
    # this long after motion stops so that tracks end cleanly.
    linger_seconds: float = 3.0
    # A track unseen for this long has ended.
    track_timeout_seconds: float = 2.0
    # Detect on crops around motion and tracked objects (``regions.py``), not the whole frame.
    motion_regions: bool = False

    def __post_init__(self):
        if self.detection_mode not in DETECTION_MODES:
            raise ValueError(f"detection_mode must be one of {DETECTION_MODES}")
        if self.max_fps is not None and self.max_fps <= 0:
            raise ValueError("max_fps must be positive (or None for every frame)")


@dataclass(frozen=True, eq=False)
class MotionObservation:
    """Motion worth an event: its start, or a periodic reminder while it goes on."""

    kind: ClassVar[str] = "motion"  # like ``StageResult.kind``: the event it becomes
    frame: Frame
    motion: MotionResult


@dataclass(frozen=True, eq=False)
class DetectionObservation:
    """The tracked objects, sent when their set changed or as a heartbeat."""

    kind: ClassVar[str] = "detection"
    frame: Frame
    detections: tuple[Detection, ...]
    model_type: str
    model_version: str
    reason: str  # "changed" or "heartbeat"


class DetectionFailed(Exception):
    """The detector failed on a frame; ``observations`` are what the frame gave before it.

    The frame's motion is not lost with its detection: the caller publishes
    ``observations`` and reports the failure (``__cause__``) as the camera's error.
    """

    def __init__(self, observations: list):
        super().__init__("the detector failed")
        self.observations = observations


@dataclass
class _Clock:
    """When something last happened, on the frames' time line."""

    last: datetime | None = None

    def due(self, now: datetime, interval: float) -> bool:
        return self.last is None or now - self.last >= timedelta(seconds=interval)


class _Pace(_Clock):
    """At most one run per ``interval`` on average, whatever the frames' jitter.

    A live camera's frames arrive on a jittery grid: "0.2 s since the last run" would skip
    the frame at 0.1995 s and wait for the next one, so 5 runs a second would become 3 to 4.
    Runs are due a little early (``SLACK``) and counted from when they were due, not from
    the frame that ran; a long pause earns one early run at most, never a burst.
    """

    SLACK = 0.1  # share of the interval a run may come early

    def due(self, now: datetime, interval: float) -> bool:
        return super().due(now, interval * (1 - self.SLACK))

    def ran(self, now: datetime, interval: float) -> None:
        step = timedelta(seconds=interval)
        self.last = now if self.last is None else max(self.last + step, now - step)


@dataclass
class AnalyzerStats:
    """Counters a worker logs: frames looked at, frames and seconds of the detector."""

    frames: int = 0
    detector_frames: int = 0
    inference_seconds: float = 0.0


class CameraAnalyzer:
    """Turns one camera's frames into observations; ``detector`` may be None."""

    def __init__(self, config: AnalyzerConfig, detector=None, stages=()):
        self.config = config
        self.detector = detector if config.detect_objects else None
        self.stages = tuple(stages)
        self.motion_detector = MotionDetector(
            roi_zones=config.roi_zones, threshold=config.motion_threshold
        )
        self.tracks = TrackBook(timeout=timedelta(seconds=config.track_timeout_seconds))
        self.regions = (
            RegionTracker(self.detector)
            if self.detector is not None and config.motion_regions
            else None
        )
        self.stats = AnalyzerStats()
        self._motion_episode = _Clock()  # last frame with motion
        self._motion_event = _Clock()
        self._detect_until: datetime | None = None
        self._detector_run = _Pace()
        self._detection_event = _Clock()

    @property
    def needs_motion(self) -> bool:
        return self.config.detect_motion or (
            self.detector is not None and self.config.detection_mode == "motion"
        )

    def process(self, frame: Frame) -> list:
        """Analyse one frame; return the observations it produced (usually none).

        Raises ``DetectionFailed`` (carrying the frame's motion observations) when the
        detector fails.
        """
        if self.config.frame_skip and frame.index % (self.config.frame_skip + 1):
            return []
        self.stats.frames += 1
        observations = []
        motion = self.motion_detector.update(frame.image) if self.needs_motion else None
        if motion is not None:
            observations += self._motion_observations(frame, motion)
        if self.detector is not None:
            try:
                observations += self._detection_observations(frame, motion)
            except Exception as exc:
                raise DetectionFailed(observations) from exc
        return observations

    def close(self) -> list[StageResult]:
        """The camera stops: end every open track and flush the stages."""
        results = self._end_tracks(self.tracks.close_all())
        for stage in self.stages:
            results += _guarded(stage, stage.flush)
        return results

    def _motion_observations(self, frame: Frame, motion: MotionResult) -> list:
        if not motion.moving:
            return []
        starts = self._motion_episode.due(frame.timestamp, self.config.linger_seconds)
        self._motion_episode.last = frame.timestamp
        if not self.config.detect_motion:
            return []
        if starts or self._motion_event.due(frame.timestamp, self.config.motion_event_interval):
            self._motion_event.last = frame.timestamp
            return [MotionObservation(frame=frame, motion=motion)]
        return []

    def _detection_observations(self, frame: Frame, motion: MotionResult | None) -> list:
        now = frame.timestamp
        if self.config.detection_mode == "always" or (motion is not None and motion.moving):
            self._detect_until = now + timedelta(seconds=self.config.linger_seconds)
        if self._detect_until is None or now > self._detect_until:
            # Quiet: whatever was tracked has left (or stopped moving long enough).
            return self._changed(frame, self.tracks.close_all())
        if self.config.max_fps:
            if not self._detector_run.due(now, 1.0 / self.config.max_fps):
                return []
            self._detector_run.ran(now, 1.0 / self.config.max_fps)
        detections = self._detect(frame, motion)
        ended = self.tracks.update(detections, now)
        early = []  # results a stage is sure of before the track ends (a decisive vote)
        for detection in detections:
            for stage in self.stages:
                early += _guarded(stage, _feed, stage, detection, frame)
        return early + self._changed(frame, ended)

    def _detect(self, frame: Frame, motion: MotionResult | None) -> list[Detection]:
        started = time.perf_counter()
        assert self.detector is not None  # only called with a detector
        wanted = {"classes": self.config.classes or None, "confidence": self.config.confidence}
        if self.regions is None:
            detections = self.detector.track(frame.image, **wanted)
        else:
            # Around what moves now, and around the objects still tracked (they may have stopped).
            boxes = [*(motion.boxes if motion else ()), *self._tracked_boxes()]
            detections = self.regions.track(frame.image, boxes, **wanted)
        elapsed = time.perf_counter() - started
        self.stats.detector_frames += 1
        self.stats.inference_seconds += elapsed
        return [
            detection
            for detection in detections
            if detection.track_id is not None
            and centre_in_zones(detection.centre, self.config.roi_zones)
        ]

    def _tracked_boxes(self):
        return [detection.box for detection in self.tracks.live_detections()]

    def _changed(self, frame: Frame, ended: list[int]) -> list:
        """Stage results of ended tracks, then a DetectionObservation if one is due."""
        results: list = self._end_tracks(ended)
        live = self.tracks.live_detections()
        if self.tracks.pop_changed():
            reason = "changed"
        elif live and self._detection_event.due(frame.timestamp, self.config.heartbeat_seconds):
            reason = "heartbeat"
        else:
            return results
        if live:
            self._detection_event.last = frame.timestamp
            assert self.detector is not None  # tracks exist only with a detector
            model_type, model_version = self.detector.model_info
            results.append(
                DetectionObservation(
                    frame=frame,
                    detections=tuple(live),
                    model_type=model_type,
                    model_version=model_version,
                    reason=reason,
                )
            )
        return results

    def _end_tracks(self, track_ids: list[int]) -> list[StageResult]:
        results = []
        for track_id in track_ids:
            for stage in self.stages:
                results += _guarded(stage, stage.finish, track_id)
        return results


def _feed(stage: TrackStage, detection: Detection, frame: Frame) -> list[StageResult]:
    if stage.wants(detection):
        return stage.update(detection, frame)
    return []


def _guarded(stage: TrackStage, step, *args) -> list:
    """Run one stage step; a failing stage is logged and skipped, never fatal to detection."""
    try:
        return step(*args) or []
    except Exception:
        logger.exception("Track stage %s failed", type(stage).__name__)
        return []
