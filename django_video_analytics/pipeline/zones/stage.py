"""``ZoneCountingStage``: line crossings and zone visits of every track, as stage results.

Put ``"django_video_analytics.pipeline.zones.stage.ZoneCountingStage"`` into the
``TRACK_STAGES`` setting. It counts against the camera's ``zones`` (specs, or mappings
``spec_from_dict`` accepts). Results: ``"line_crossing"`` as soon as a crossing is sure,
``"zone_visit"`` when a visit ends and, once, when a visit passes its loitering threshold
(``exited`` None).
"""

from dataclasses import replace

from ..stages import StageResult, TrackStage
from .counting import LineCrossing, ZoneCounter
from .specs import LineSpec, ZoneSpec, spec_from_dict


class ZoneCountingStage(TrackStage):
    """Feeds a ``ZoneCounter`` with the analyzer's tracks; ``occupancy()`` is live."""

    def __init__(self, camera=None, *, zones=None):
        specs = getattr(camera, "zones", ()) if zones is None else zones
        self.counter = ZoneCounter([_spec(zone) for zone in specs or ()])
        specs = self.counter.lines + self.counter.zones
        # None: some line or zone counts every class.
        self.classes = (
            None
            if any(not s.classes for s in specs)
            else {name for s in specs for name in s.classes}
        )
        self.enabled = bool(specs)
        self._last_frames = {}  # track id -> its latest frame, without pixels

    def wants(self, detection):
        return self.enabled and (self.classes is None or detection.class_name in self.classes)

    def update(self, detection, frame):
        events = self.counter.observe(
            detection.track_id, detection.class_name, detection.box, frame.timestamp
        )
        # Visits end after the track has gone: keep its time and index, not its pixels.
        self._last_frames[detection.track_id] = replace(frame, image=None)
        return [_result(event, frame) for event in events]

    def finish(self, track_id):
        frame = self._last_frames.pop(track_id, None)
        return [_result(visit, frame) for visit in self.counter.end_track(track_id)]

    def flush(self):
        return [result for track_id in list(self._last_frames) for result in self.finish(track_id)]

    def occupancy(self):
        """The live ``Occupancy`` of every zone, per class."""
        return self.counter.occupancy()


def _spec(zone):
    return zone if isinstance(zone, LineSpec | ZoneSpec) else spec_from_dict(zone)


def _result(event, frame) -> StageResult:
    """The stage result of a crossing or a visit; ``payload`` is the wire builder's kwargs."""
    if isinstance(event, LineCrossing):
        payload = {"zone": event.zone, "class_name": event.class_name, "direction": event.direction}
        return StageResult("line_crossing", event.track_id, frame, payload)
    payload = {
        "zone": event.zone,
        "class_name": event.class_name,
        "entered": event.entered,
        "exited": event.exited,
        "dwell_seconds": round(event.dwell_seconds, 3),
        "loitered": event.loitered,
        "occupancy": event.occupancy_at_entry,
    }
    return StageResult("zone_visit", event.track_id, frame, payload)
