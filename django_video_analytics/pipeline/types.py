"""The values that travel through the analysis pipeline."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# (x, y, width, height), x/y the top-left corner, all normalised to 0..1 of the frame.
Box = tuple[float, float, float, float]

# When the detector runs: only while there is motion, or on every analysed frame.
DETECTION_MODES = ("motion", "always")


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded BGR image (``numpy`` HxWx3 uint8) with its position in the source."""

    image: Any
    index: int
    timestamp: datetime  # aware datetime of capture (video time for files)


@dataclass(frozen=True)
class Detection:
    """One object found in a frame; ``track_id`` is None when the detector does not track."""

    class_name: str
    confidence: float
    box: Box
    track_id: int | None = None

    @property
    def centre(self) -> tuple[float, float]:
        x, y, width, height = self.box
        return x + width / 2, y + height / 2


@dataclass(frozen=True)
class MotionResult:
    """Motion in one frame: ``intensity`` 0..1, ``area_percentage`` 0..100.

    ``boxes``: where it moves (normalised), filled when ``moving``.
    """

    intensity: float
    area_percentage: float
    moving: bool
    boxes: tuple[Box, ...] = ()


@dataclass(frozen=True, eq=False)
class PlateRead:
    """The plate the plate stage voted for on one vehicle track (an ANPR event to be)."""

    license_plate: str  # normalised: upper case, no separators
    confidence: float  # 0..1
    region: str | None  # the plate format's region, e.g. "UK"
    candidates: list[dict[str, Any]]  # the vote's audit trail, stored with the event
    crop: Any = None  # the plate's pixels (numpy BGR): saved as the snapshot, never sent
