"""What a worker needs to know, read once from the database rows and the settings."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from ..conf import analytics_settings

# Dotted-path settings only analysis machines import; checked when a worker starts.
WORKER_IMPORT_STRINGS = (
    "FRAME_SOURCE",
    "DETECTOR_BACKEND",
    "TRACK_STAGES",
    "PLATE_READER",
    "EVENT_SINK",
)


@dataclass(frozen=True)
class CameraConfig:
    """A snapshot of one Camera row; two snapshots differ when the analysis must restart.

    Per-track stages (``TRACK_STAGES``) are built as ``Stage(camera_config)``.
    """

    camera_id: str
    stream_url: str
    enable_object_detection: bool
    enable_motion_detection: bool
    enable_anpr: bool
    confidence_threshold: float
    detection_classes: tuple
    roi_zones: tuple
    motion_threshold: float
    frame_skip: int
    max_fps: float | None
    plate_format: str
    substream_url: str = ""  # analysed instead of stream_url when set

    @property
    def analysis_url(self):
        """The stream the worker decodes: the substream when there is one."""
        return self.substream_url or self.stream_url

    @classmethod
    def from_camera(cls, camera, default_plate_format=""):
        return cls(
            camera_id=camera.camera_id,
            stream_url=camera.stream_url,
            substream_url=camera.substream_url,
            enable_object_detection=camera.enable_object_detection,
            enable_motion_detection=camera.enable_motion_detection,
            enable_anpr=camera.enable_anpr,
            confidence_threshold=camera.confidence_threshold,
            detection_classes=tuple(camera.detection_classes or ()),
            roi_zones=tuple(camera.roi_zones or ()),
            motion_threshold=camera.motion_threshold,
            frame_skip=camera.frame_skip,
            max_fps=camera.max_fps,
            plate_format=camera.plate_format or default_plate_format,
        )


@dataclass(frozen=True)
class WorkerOptions:
    """The worker settings, imported and validated once when a worker starts."""

    frame_source: Any
    detector_backend: Any
    detector_model: str | None
    detector_input_size: int
    detection_mode: str
    motion_regions: bool
    max_fps: float
    heartbeat_seconds: float
    motion_event_interval: float
    track_stages: tuple
    event_sink: Any
    snapshots: bool
    snapshot_storage: str
    plate_format: str
    allow_local_sources: bool
    lease_seconds: float
    poll_seconds: float
    reconnect_backoff_max: float

    @classmethod
    def from_settings(cls):
        """Read the settings; raise ImproperlyConfigured naming a path that cannot load."""
        imported = {name: getattr(analytics_settings, name) for name in WORKER_IMPORT_STRINGS}
        for name in ("FRAME_SOURCE", "DETECTOR_BACKEND", "EVENT_SINK"):
            if imported[name] is None:
                raise ImproperlyConfigured(f"VIDEO_ANALYTICS[{name!r}] must be a dotted path.")
        return cls(
            frame_source=imported["FRAME_SOURCE"],
            detector_backend=imported["DETECTOR_BACKEND"],
            detector_model=analytics_settings.DETECTOR_MODEL,
            detector_input_size=analytics_settings.DETECTOR_INPUT_SIZE,
            detection_mode=analytics_settings.DETECTION_MODE,
            motion_regions=analytics_settings.MOTION_REGIONS,
            max_fps=analytics_settings.MAX_FPS,
            heartbeat_seconds=analytics_settings.DETECTION_HEARTBEAT_SECONDS,
            motion_event_interval=analytics_settings.MOTION_EVENT_INTERVAL_SECONDS,
            track_stages=tuple(imported["TRACK_STAGES"] or ()),
            event_sink=imported["EVENT_SINK"],
            snapshots=analytics_settings.SNAPSHOTS,
            snapshot_storage=analytics_settings.SNAPSHOT_STORAGE,
            plate_format=analytics_settings.PLATE_FORMAT,
            allow_local_sources=analytics_settings.ALLOW_LOCAL_SOURCES,
            lease_seconds=analytics_settings.WORKER_LEASE_SECONDS,
            poll_seconds=analytics_settings.WORKER_POLL_SECONDS,
            reconnect_backoff_max=analytics_settings.RECONNECT_BACKOFF_MAX_SECONDS,
        )
