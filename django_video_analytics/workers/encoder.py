"""Turn the analyzer's observations into wire entries for the event sink."""

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from ..events import wire
from ..pipeline.analyzer import DetectionObservation, MotionObservation
from ..pipeline.stages import StageResult
from ..pipeline.types import Detection, Frame, PlateRead
from .snapshots import SnapshotStore

# A stream entry as the wire builders return it.
Entry = dict[str, str]

logger = logging.getLogger(__name__)


class ObservationEncoder:
    """Builds the wire entries of one camera, saving snapshots when a store is given."""

    def __init__(
        self,
        camera_id: str,
        snapshots: SnapshotStore | None = None,
        zone_ids: dict[str, int] | None = None,
    ) -> None:
        self.camera_id = camera_id
        self.snapshots = snapshots
        self.zone_ids = zone_ids or {}  # zone name -> Zone pk, for the counting results
        self.counts: Counter[str] = Counter()  # entries built, by event type
        self.classes_seen: Counter[str] = Counter()  # detections reported, by class name
        # (license_plate, confidence) of each ANPR event, in order
        self.plates_read: list[tuple[str, float]] = []

    def entries(self, observations: Iterable[object]) -> list[Entry]:
        """The wire entries for ``observations`` (those of unknown kinds are logged, skipped)."""
        entries: list[Entry] = []
        for observation in observations:
            entry = self.encode(observation)
            if entry is not None:
                entries.append(entry)
        return entries

    def encode(self, observation: object) -> Entry | None:
        """The entry of one observation; its ``kind`` names the event type (``ENCODERS``)."""
        kind: str = getattr(observation, "kind", "")
        encoder = ENCODERS.get(kind)
        subject = observation.payload if isinstance(observation, StageResult) else observation
        if encoder is None or not isinstance(subject, encoder[0]):
            logger.warning("%s: no event type for %r; skipped", self.camera_id, observation)
            return None
        entry = encoder[1](self, observation)
        if entry is not None:
            self.counts[kind] += 1
        return entry

    def detection(self, observation: DetectionObservation) -> Entry:
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

    def motion(self, observation: MotionObservation) -> Entry:
        frame, motion = observation.frame, observation.motion
        return wire.build_motion(
            self.camera_id,
            frame.timestamp,
            frame.index,
            round(motion.intensity, 4),
            round(motion.area_percentage, 3),
            event_id=uuid.uuid4().hex,
        )

    def plate(self, result: StageResult) -> Entry:
        """The ANPR entry of a ``PlateRead``; its crop becomes the snapshot."""
        read: PlateRead = result.payload
        frame = result.frame
        self.plates_read.append((read.license_plate, read.confidence))
        extra = {} if read.crop is None else self.snapshot_extra(read.crop, "anpr", frame)
        return wire.build_anpr(
            self.camera_id,
            frame.timestamp,
            frame.index,
            read.license_plate,
            read.confidence,
            region=read.region,
            candidates=read.candidates,
            event_id=uuid.uuid4().hex,
            track_id=result.track_id,
            **extra,
        )

    def zone_event(self, result: StageResult) -> Entry | None:
        """The ``line_crossing`` or ``zone_visit`` entry of a counting result."""
        payload = result.payload
        zone_id = self.zone_ids.get(payload["zone"])
        if zone_id is None:
            logger.warning(
                "%s: no Zone row named %r; result skipped", self.camera_id, payload["zone"]
            )
            return None
        return wire.KINDS[result.kind].build(
            self.camera_id,
            result.frame.timestamp,
            result.frame.index,
            zone_id=zone_id,
            track_id=int(result.track_id),
            event_id=uuid.uuid4().hex,
            **payload,
        )

    def snapshot_extra(self, image: Any, event_type: str, frame: Frame) -> dict[str, str]:
        """``{"snapshot": name}`` when snapshots are on, else nothing."""
        if self.snapshots is None:
            return {}
        try:
            return {"snapshot": self.snapshots.save(image, self.camera_id, event_type, frame)}
        except Exception:
            # A full disk or an unreachable bucket must not cost the event itself.
            logger.exception("%s: snapshot not saved", self.camera_id)
            return {}


# Event type -> (what the observation, or a stage result's payload, must be; its encoder).
# Keyed like ``wire.KINDS``; a test keeps them in step.
ENCODERS: dict[str, tuple[type, Callable[[ObservationEncoder, Any], Entry | None]]] = {
    "detection": (DetectionObservation, ObservationEncoder.detection),
    "motion": (MotionObservation, ObservationEncoder.motion),
    "anpr": (PlateRead, ObservationEncoder.plate),
    "line_crossing": (dict, ObservationEncoder.zone_event),  # the builder's keywords
    "zone_visit": (dict, ObservationEncoder.zone_event),
}


def detection_item(detection: Detection) -> dict[str, Any]:
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
