"""What a worker needs to know, read once from the database rows and the settings."""

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from ..conf import analytics_settings
from ..pipeline.zones import SpecError

logger = logging.getLogger(__name__)

# The built-in plate stage: workers add it to the cameras with ``enable_anpr`` themselves.
PLATE_STAGE = "django_video_analytics.pipeline.anpr.stage.PlateReadingStage"

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

    Per-track stages (``TRACK_STAGES``) are built as ``Stage(camera_config)``; the plate
    stage joins them on cameras with ``enable_anpr``, the counting stage on cameras with
    enabled ``Zone`` rows (``zones``: their specs; ``zone_ids``: (name, pk) pairs).
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
    zones: tuple = ()
    zone_ids: tuple = ()

    @classmethod
    def from_camera(cls, camera, default_plate_format=""):
        return cls(
            camera_id=camera.camera_id,
            stream_url=camera.stream_url,
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
            **zone_fields(camera),
        )


def zone_fields(camera):
    """``zones`` and ``zone_ids`` of the camera's enabled, valid ``Zone`` rows."""
    if camera.pk is None:  # a camera analyze_video made up: no zones
        return {}
    specs, ids = [], []
    for zone in camera.zones.all():  # prefetched by the worker
        if not zone.enabled:
            continue
        try:
            specs.append(zone.spec())
        except SpecError as exc:
            logger.warning(
                "%s: zone %r is not valid, not counted: %s", camera.camera_id, zone.name, exc
            )
            continue
        ids.append((zone.name, zone.pk))
    return {"zones": tuple(specs), "zone_ids": tuple(ids)}


@dataclass(frozen=True)
class WorkerOptions:
    """The worker settings, imported and validated once when a worker starts."""

    frame_source: Any
    detector_backend: Any
    detector_model: str | None
    detector_input_size: int
    detection_mode: str
    max_fps: float
    heartbeat_seconds: float
    motion_event_interval: float
    track_stages: tuple
    plate_reader: Any
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
            max_fps=analytics_settings.MAX_FPS,
            heartbeat_seconds=analytics_settings.DETECTION_HEARTBEAT_SECONDS,
            motion_event_interval=analytics_settings.MOTION_EVENT_INTERVAL_SECONDS,
            track_stages=extra_stages(imported["TRACK_STAGES"] or ()),
            plate_reader=imported["PLATE_READER"],
            event_sink=imported["EVENT_SINK"],
            snapshots=analytics_settings.SNAPSHOTS,
            snapshot_storage=analytics_settings.SNAPSHOT_STORAGE,
            plate_format=analytics_settings.PLATE_FORMAT,
            allow_local_sources=analytics_settings.ALLOW_LOCAL_SOURCES,
            lease_seconds=analytics_settings.WORKER_LEASE_SECONDS,
            poll_seconds=analytics_settings.WORKER_POLL_SECONDS,
            reconnect_backoff_max=analytics_settings.RECONNECT_BACKOFF_MAX_SECONDS,
        )


def extra_stages(stage_classes):
    """``TRACK_STAGES`` without the plate stage, which ``enable_anpr`` adds (listed or not)."""
    return tuple(
        cls for cls in stage_classes if f"{cls.__module__}.{cls.__qualname__}" != PLATE_STAGE
    )
