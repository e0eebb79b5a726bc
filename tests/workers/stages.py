"""A real per-track stage for the tests: reports each vehicle track once, when it ends."""

from django_video_analytics.pipeline.stages import StageResult, TrackStage
from django_video_analytics.pipeline.types import PlateRead

VEHICLES = {"bus", "truck", "car"}


class VehicleTrackStage(TrackStage):
    """Emits a ``PlateRead`` per vehicle track, with the vehicle crop, like the plate stage."""

    def __init__(self, camera):
        self.camera = camera
        self.last_seen = {}  # track_id -> (detection, frame)
        self.updates = 0

    def wants(self, detection):
        return detection.class_name in VEHICLES

    def update(self, detection, frame):
        self.updates += 1
        self.last_seen[detection.track_id] = (detection, frame)

    def finish(self, track_id):
        seen = self.last_seen.pop(track_id, None)
        if seen is None:
            return []
        detection, frame = seen
        height, width = frame.image.shape[:2]
        x, y, w, h = detection.box
        crop = frame.image[
            int(y * height) : int((y + h) * height), int(x * width) : int((x + w) * width)
        ]
        read = PlateRead(
            license_plate=f"TRACK{track_id}",
            confidence=round(detection.confidence, 3),
            region=None,
            candidates=[{"text": f"TRACK{track_id}", "updates": self.updates}],
            crop=crop,
        )
        return [StageResult("anpr", track_id, frame, read)]

    def flush(self):
        return [result for track_id in list(self.last_seen) for result in self.finish(track_id)]


class BrokenStage(TrackStage):
    """A stage that cannot be built: its camera must fail alone, with the reason."""

    def __init__(self, camera):
        raise ValueError(f"no plate model for {camera.camera_id}")
