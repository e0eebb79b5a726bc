"""The per-track stage hook: extra analysis (plate reading ...) on tracked objects.

The analyzer calls every stage for each tracked detection of an analysed frame that the
stage ``wants``, then ``finish(track_id)`` once the track has ended, and ``flush()`` when
the camera stops. ``update`` may already return a track's result when it is certain (a
decisive vote); the stage then reports nothing more for that track. A stage returns
``StageResult``s; the worker publishes those whose ``kind`` names an event type and whose
``payload`` is what its encoder takes (``"anpr"``: a ``types.PlateRead``), and logs the others.
"""

from dataclasses import dataclass
from typing import Any

from .types import Detection, Frame


@dataclass(frozen=True, eq=False)
class StageResult:
    """What a stage found for one track in ``frame``: ``kind`` names it, ``payload`` holds it."""

    kind: str
    track_id: int
    frame: Frame
    payload: Any = None


class TrackStage:
    """Base class of per-track stages; subclasses override ``update`` and ``finish``."""

    def wants(self, detection: Detection) -> bool:
        """Whether ``update`` should see this detection (e.g. only vehicles)."""
        return True

    def update(self, detection: Detection, frame: Frame) -> list[StageResult]:
        """Look at one tracked detection in one analysed frame; return results ready early."""
        raise NotImplementedError

    def finish(self, track_id: int) -> list[StageResult]:
        """The track has ended: return its results and forget it."""
        return []

    def flush(self) -> list[StageResult]:
        """The camera stops: finish every open track."""
        return []
