"""What a worker needs to know, read once from the database rows and the settings."""

import logging
from dataclasses import dataclass, field, fields
from typing import Any

from ..conf import analytics_settings
from ..pipeline.zones import SpecError

logger = logging.getLogger(__name__)

# The built-in plate stage: workers add it to the cameras with ``enable_anpr`` themselves.
PLATE_STAGE = "django_video_analytics.pipeline.anpr.stage.PlateReadingStage"


def option(setting):
    """A ``WorkerOptions`` field holding the value of the setting named ``setting``."""
    return field(metadata={"setting": setting})


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
    """The worker settings, imported and validated once when a worker starts.

    Each field names its setting (``option``); the settings table in ``conf.py`` marks the
    worker-only dotted paths, and every one of them is a field here (tested).
    """

    frame_source: Any = option("FRAME_SOURCE")
    detector_backend: Any = option("DETECTOR_BACKEND")
    detector_model: str | None = option("DETECTOR_MODEL")
    detector_input_size: int = option("DETECTOR_INPUT_SIZE")
    inference_batch_size: int = option("INFERENCE_BATCH_SIZE")
    detection_mode: str = option("DETECTION_MODE")
    motion_regions: bool = option("MOTION_REGIONS")
    max_fps: float = option("MAX_FPS")
    analysis_fps: float | None = option("ANALYSIS_FPS")
    heartbeat_seconds: float = option("DETECTION_HEARTBEAT_SECONDS")
    motion_event_interval: float = option("MOTION_EVENT_INTERVAL_SECONDS")
    track_stages: tuple = option("TRACK_STAGES")
    plate_reader: Any = option("PLATE_READER")
    event_sink: Any = option("EVENT_SINK")
    snapshots: bool = option("SNAPSHOTS")
    snapshot_storage: str = option("SNAPSHOT_STORAGE")
    plate_format: str = option("PLATE_FORMAT")
    allow_local_sources: bool = option("ALLOW_LOCAL_SOURCES")
    lease_seconds: float = option("WORKER_LEASE_SECONDS")
    poll_seconds: float = option("WORKER_POLL_SECONDS")
    reconnect_backoff_max: float = option("RECONNECT_BACKOFF_MAX_SECONDS")

    def build_detector(self) -> Any:
        """The detector backend, handed the settings it declares (``Detector.SETTINGS``)."""
        declared = getattr(self.detector_backend, "SETTINGS", {})
        return self.detector_backend(
            model_path=self.detector_model,
            input_size=self.detector_input_size,
            **{keyword: getattr(analytics_settings, name) for keyword, name in declared.items()},
        )

    @classmethod
    def from_settings(cls):
        """Read the settings; raise ImproperlyConfigured naming a path that cannot load."""
        values = {f.name: getattr(analytics_settings, f.metadata["setting"]) for f in fields(cls)}
        values["track_stages"] = extra_stages(values["track_stages"] or ())
        return cls(**values)


def extra_stages(stage_classes):
    """``TRACK_STAGES`` without the plate stage, which ``enable_anpr`` adds (listed or not)."""
    return tuple(
        cls for cls in stage_classes if f"{cls.__module__}.{cls.__qualname__}" != PLATE_STAGE
    )
