"""Turn the analyzer's observations into wire entries for the event sink."""

import logging
import uuid
from collections import Counter

from ..events import wire
from ..pipeline.analyzer import DetectionObservation, MotionObservation
from ..pipeline.stages import StageResult

logger = logging.getLogger(__name__)

# A stage result's kind names the wire builder its payload is passed to.
STAGE_BUILDERS = {"anpr": wire.build_anpr}


class ObservationEncoder:
    """Builds the wire entries of one camera, saving snapshots when a store is given."""

    def __init__(self, camera_id, snapshots=None):
        self.camera_id = camera_id
        self.snapshots = snapshots
        self.counts = Counter()  # entries built, by event type
        self.classes_seen = Counter()  # detections reported, by class name
        self.plates_read = []  # (license_plate, confidence) of each ANPR event, in order

    def entries(self, observations):
        """The wire entries for ``observations`` (those of unknown kinds are logged, skipped)."""
        entries = []
        for observation in observations:
            entry = self.encode(observation)
            if entry is not None:
                entries.append(entry)
        return entries

    def encode(self, observation):
        if isinstance(observation, DetectionObservation):
            event_type, entry = "detection", self.detection(observation)
        elif isinstance(observation, MotionObservation):
            event_type, entry = "motion", self.motion(observation)
        elif isinstance(observation, StageResult) and observation.kind in STAGE_BUILDERS:
            event_type, entry = observation.kind, self.stage_result(observation)
        else:
            logger.warning("%s: no event type for %r; skipped", self.camera_id, observation)
            return None
        self.counts[event_type] += 1
        return entry

    def detection(self, observation):
        frame = observation.frame
        self.classes_seen.update(d.class_name for d in observation.detections)
        return wire.build_detection(
            self.camera_id,
            frame.timestamp,
            frame.index,
            [detection_item(d) for d in observation.detections],
            observation.model_type,
            observation.model_version,
            event_id=uuid.uuid4().hex,
            reason=observation.reason,
            **self.snapshot_extra(frame.image, "detection", frame),
        )

    def motion(self, observation):
        frame, motion = observation.frame, observation.motion
        return wire.build_motion(
            self.camera_id,
            frame.timestamp,
            frame.index,
            round(motion.intensity, 4),
            round(motion.area_percentage, 3),
            event_id=uuid.uuid4().hex,
        )

    def stage_result(self, result):
        payload = dict(result.payload)
        if result.kind == "anpr":
            self.plates_read.append((payload["license_plate"], payload["confidence"]))
        crop = payload.pop("crop", None)
        extra = {} if crop is None else self.snapshot_extra(crop, result.kind, result.frame)
        return STAGE_BUILDERS[result.kind](
            self.camera_id,
            result.frame.timestamp,
            result.frame.index,
            event_id=uuid.uuid4().hex,
            track_id=result.track_id,
            **payload,
            **extra,
        )

    def snapshot_extra(self, image, event_type, frame):
        """``{"snapshot": name}`` when snapshots are on, else nothing."""
        if self.snapshots is None:
            return {}
        try:
            return {"snapshot": self.snapshots.save(image, self.camera_id, event_type, frame)}
        except Exception:
            # A full disk or an unreachable bucket must not cost the event itself.
            logger.exception("%s: snapshot not saved", self.camera_id)
            return {}


def detection_item(detection):
    x, y, width, height = detection.box
    item = {
        "class_name": detection.class_name,
        "confidence": round(float(detection.confidence), 4),
        "bounding_box": {
            "x": round(x, 5),
            "y": round(y, 5),
            "width": round(width, 5),
            "height": round(height, 5),
        },
    }
    if detection.track_id is not None:
        item["track_id"] = int(detection.track_id)
    return item
