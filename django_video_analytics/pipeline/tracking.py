"""Track bookkeeping for the analyzer, and a small IoU tracker for detectors without one."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import count

from .types import Box, Detection


@dataclass
class _Track:
    last: Detection
    seen_at: datetime
    # class name -> summed confidence
    votes: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    class_name: str = ""

    def vote(self, detection: Detection) -> None:
        """Add one frame's class, weighted by its confidence, like the plate votes.

        The class with the most confidence over the track's frames wins, so one frame calling
        a bus a truck changes nothing, and a sure ``bus`` outweighs an unsure ``truck``; a tie
        keeps the class already reported.
        """
        self.votes[detection.class_name] += float(detection.confidence)
        if not self.class_name or self.votes[detection.class_name] > self.votes[self.class_name]:
            self.class_name = detection.class_name


class TrackBook:
    """The live tracks of one camera: which appeared, which changed class, which ended."""

    def __init__(self, timeout: timedelta):
        self.timeout = timeout
        self._tracks: dict[int, _Track] = {}
        self._changed = False

    def update(self, detections: list[Detection], now: datetime) -> list[int]:
        """Record one analysed frame's tracked detections; return the ids that ended."""
        for detection in detections:
            if detection.track_id is None:
                continue  # an untracked detection has no track to follow
            track = self._tracks.get(detection.track_id)
            if track is None:
                track = self._tracks[detection.track_id] = _Track(detection, now)
                self._changed = True
            before = track.class_name
            track.vote(detection)
            track.last, track.seen_at = detection, now
            if before and before != track.class_name:
                self._changed = True
        ended = [tid for tid, track in self._tracks.items() if now - track.seen_at > self.timeout]
        return self._forget(ended)

    def close_all(self) -> list[int]:
        """End every track (detection stopped)."""
        return self._forget(list(self._tracks))

    def live_detections(self) -> list[Detection]:
        """The latest detection of each live track, named by the track's voted class."""
        return [
            replace(track.last, class_name=track.class_name)
            for _, track in sorted(self._tracks.items())
        ]

    def pop_changed(self) -> bool:
        """Whether the set of (track id, class) changed since the last call."""
        changed, self._changed = self._changed, False
        return changed

    def _forget(self, track_ids: list[int]) -> list[int]:
        for track_id in track_ids:
            del self._tracks[track_id]
        if track_ids:
            self._changed = True
        return track_ids


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    width = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    height = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    inter = width * height
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


@dataclass
class _IouTrack:
    track_id: int
    box: Box
    class_name: str
    hits: int = 1
    misses: int = 0


class IouTracker:
    """Greedy IoU matching per class: enough for slow scenes when ByteTrack is unavailable.

    A track is reported once matched ``min_hits`` times (a one-frame false positive never
    becomes an object) and dropped after ``max_misses`` frames without a match.
    """

    def __init__(self, iou_threshold: float = 0.3, min_hits: int = 2, max_misses: int = 30):
        self._ids = count(1)  # per camera, like ultralytics' ByteTrack
        self.iou_threshold = iou_threshold
        self.min_hits = min_hits
        self.max_misses = max_misses
        self._tracks: list[_IouTrack] = []

    def update(self, detections: list[Detection]) -> list[Detection]:
        """Match this frame's detections to tracks; return the confirmed ones with ids."""
        pairs = sorted(
            (
                (iou(track.box, detection.box), t, d)
                for t, track in enumerate(self._tracks)
                for d, detection in enumerate(detections)
                if track.class_name == detection.class_name
            ),
            reverse=True,
        )
        matched_tracks, matched_detections = set(), {}
        for overlap, t, d in pairs:
            if overlap < self.iou_threshold:
                break
            if t in matched_tracks or d in matched_detections:
                continue
            matched_tracks.add(t)
            matched_detections[d] = self._tracks[t]
        for t, track in enumerate(self._tracks):
            track.misses = 0 if t in matched_tracks else track.misses + 1
        self._tracks = [track for track in self._tracks if track.misses <= self.max_misses]
        tracked = []
        for d, detection in enumerate(detections):
            matched = matched_detections.get(d)
            if matched is None:
                matched = _IouTrack(next(self._ids), detection.box, detection.class_name)
                self._tracks.append(matched)
            else:
                matched.box, matched.hits = detection.box, matched.hits + 1
            if matched.hits >= self.min_hits:
                tracked.append(replace(detection, track_id=matched.track_id))
        return tracked
