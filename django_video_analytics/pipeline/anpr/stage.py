"""``PlateReadingStage``: read the plates of vehicle tracks, one ``PlateRead`` per vehicle.

Workers run it on every camera with ``enable_anpr`` set, with the ``PLATE_READER`` they load.
"""

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from ..stages import StageResult, TrackStage
from ..types import Detection, Frame, PlateRead
from .formats import get_format
from .localize import build_localizers, plate_characters
from .normalize import normalize
from .reader import EasyOCRPlateReader
from .voting import PlateCandidate, PlateVoter

logger = logging.getLogger(__name__)

VEHICLE_CLASSES = ("car", "truck", "bus", "motorcycle")

# The order the benchmark measured as most accurate per millisecond (docs/anpr.md).
DEFAULT_LOCALIZERS = ("cascade", "text")

# Detector boxes are loose, and plates stick out of the back of motorcycles.
VEHICLE_MARGIN = 0.05


@dataclass
class _TrackReads:
    voter: PlateVoter = field(default_factory=PlateVoter)
    attempts: int = 0
    reported: bool = False


class PlateReadingStage(TrackStage):
    """Crop each vehicle, localise and read its plate, normalise it, vote per track."""

    classes = VEHICLE_CLASSES
    localizer_names = DEFAULT_LOCALIZERS
    min_vehicle_height = 64  # pixels; smaller vehicles carry no legible plate
    max_reads = 12  # OCR attempts per track; a vehicle that never reads stops costing
    boxes_per_localizer = 3
    min_read_confidence = 0.1  # OCR confidence below which a read is noise
    confident_read = 0.5  # a read this good ends the search on this frame
    min_result_confidence = 0.15

    def __init__(
        self,
        camera: Any = None,
        *,
        reader: Any = None,
        plate_format: str | None = None,
        localizers: list[Any] | None = None,
    ) -> None:
        self.enabled = getattr(camera, "enable_anpr", True)
        self.plate_format = get_format(plate_format or getattr(camera, "plate_format", "") or "eu")
        self.reader = reader or EasyOCRPlateReader()
        self.localizers = localizers or build_localizers(self.localizer_names, self.reader)
        self.tracks: dict[int, _TrackReads] = {}

    def wants(self, detection: Detection) -> bool:
        return self.enabled and detection.class_name in self.classes

    def update(self, detection: Detection, frame: Frame) -> list[StageResult]:
        """Read the vehicle's plate; the result comes as soon as the vote is decisive."""
        if detection.track_id is None:
            return []  # untracked: no votes to gather
        track = self.tracks.setdefault(detection.track_id, _TrackReads())
        if track.reported or track.attempts >= self.max_reads:
            return []
        crop = vehicle_crop(frame.image, detection.box)
        if crop.shape[0] < self.min_vehicle_height:
            return []
        track.attempts += 1
        # Candidates outlive the frame: keep its time and index, not its pixels.
        candidate = self.read_vehicle(crop, replace(frame, image=None))
        if candidate is None:
            return []
        track.voter.add(candidate)
        if not track.voter.decisive:
            return []
        track.reported = True
        return self.result(detection.track_id, track)

    def read_vehicle(self, crop, frame):
        """The most confident format-valid read on one vehicle crop, or None.

        Localisers run in order; the next one runs only while no read is confident.
        """
        best = None
        for localizer in self.localizers:
            for box in localizer.locate(crop)[: self.boxes_per_localizer]:
                candidate = self.read_box(crop, box, frame)
                if candidate is not None and (best is None or candidate.weight > best.weight):
                    best = candidate
            if best is not None and best.weight >= self.confident_read:
                break
        if best is None or best.confidence < self.min_read_confidence:
            return None
        return best

    def read_box(self, crop, box, frame):
        """The format-valid read of one localised box, or None."""
        # Localisers cut edge characters off: widen, then plate_characters tightens.
        x1, y1, x2, y2 = box
        margin_x, margin_y = int((y2 - y1) * 0.5), int((y2 - y1) * 0.2)
        x1, y1 = max(0, x1 - margin_x), max(0, y1 - margin_y)
        x2, y2 = min(crop.shape[1], x2 + margin_x), min(crop.shape[0], y2 + margin_y)
        plate = crop[y1:y2, x1:x2]
        characters = plate_characters(plate) if plate.size else None
        reads = self.reader.read(plate if characters is None else characters)
        normalized = normalize(reads[0].text, self.plate_format) if reads else None
        if normalized is None:
            return None
        return PlateCandidate(
            text=normalized.text,
            raw=reads[0].text,
            confidence=reads[0].confidence,
            region=normalized.region,
            corrections=normalized.corrections,
            frame=frame,
            crop=plate.copy(),  # a view would keep the whole frame alive
        )

    def finish(self, track_id: int) -> list[StageResult]:
        track = self.tracks.pop(track_id, None)
        if track is None or track.reported:
            return []
        return self.result(track_id, track)

    def result(self, track_id, track):
        """The track's winning plate as a one-item list, or [] when no read is good enough."""
        vote = track.voter.result()
        if vote is None or vote.confidence < self.min_result_confidence:
            return []
        read = PlateRead(
            license_plate=vote.text,
            confidence=round(vote.confidence, 4),
            region=vote.region,
            candidates=track.voter.audit(),
            crop=vote.best.crop,
        )
        logger.debug("track %s: plate %s (%d votes)", track_id, vote.text, vote.votes)
        return [StageResult("anpr", track_id, vote.best.frame, read)]

    def flush(self) -> list[StageResult]:
        return [result for track_id in list(self.tracks) for result in self.finish(track_id)]


def vehicle_crop(image, box, margin=VEHICLE_MARGIN):
    """The pixels of a normalised ``(x, y, w, h)`` box, widened by ``margin`` of its size."""
    height, width = image.shape[:2]
    x, y, w, h = box
    x, y, w, h = x - w * margin, y - h * margin, w * (1 + 2 * margin), h * (1 + 2 * margin)
    x1, y1 = max(0, int(x * width)), max(0, int(y * height))
    x2, y2 = min(width, int((x + w) * width)), min(height, int((y + h) * height))
    return image[y1:y2, x1:x2]
