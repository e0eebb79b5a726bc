"""One camera's loop: frames from the source, through the analyzer, out as events.

A runner touches no database: it reports its ``state`` and ``last_error`` and the worker
writes them to the Camera row from its own thread.
"""

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from redis import RedisError

from .. import metrics
from ..backoff import Backoff
from ..masking import mask_urls_in
from ..pipeline.analyzer import AnalyzerConfig, CameraAnalyzer, DetectionFailed
from ..pipeline.sources import SourceError
from ..pipeline.zones.stage import ZoneCountingStage
from .detectors import WorkerDetectors
from .encoder import ObservationEncoder
from .snapshots import SnapshotStore

logger = logging.getLogger(__name__)


class RunnerState:
    STARTING = "starting"
    STREAMING = "streaming"  # frames flow
    ERROR = "error"  # no frames, see last_error; the runner keeps retrying
    FAILED = "failed"  # cannot run (e.g. no weights), or in error past ``give_up_after``
    FINISHED = "finished"  # end of a file, or --max-frames reached


class RunnerStats:
    """Throughput since the last ``take()``: frames, inference time, lag behind capture."""

    def __init__(self):
        self.frames_total = 0
        self.window_started = time.monotonic()
        self.window_frames = 0
        self.window_lag_max = 0.0
        self.last_lag = 0.0  # seconds from capture to analysed, of the last live frame
        self.detector_mark = (0, 0.0)  # detector frames and seconds at the window start

    def frame_done(self, frame, is_live):
        self.frames_total += 1
        self.window_frames += 1
        if is_live:
            self.last_lag = (datetime.now(timezone.utc) - frame.timestamp).total_seconds()
            self.window_lag_max = max(self.window_lag_max, self.last_lag)

    def take(self, analyzer_stats):
        """The window's fps, mean inference ms and worst lag; then start a new window."""
        now = time.monotonic()
        detector_frames = analyzer_stats.detector_frames - self.detector_mark[0]
        inference_seconds = analyzer_stats.inference_seconds - self.detector_mark[1]
        figures = {
            "fps": self.window_frames / max(now - self.window_started, 1e-9),
            "inference_ms": 1000 * inference_seconds / detector_frames if detector_frames else 0.0,
            "detector_frames": detector_frames,
            "lag_max": self.window_lag_max,
        }
        self.window_started, self.window_frames, self.window_lag_max = now, 0, 0.0
        self.detector_mark = (analyzer_stats.detector_frames, analyzer_stats.inference_seconds)
        return figures


@dataclass(frozen=True)
class RunSummary:
    """What a runner has done so far (``analyze_video`` prints it)."""

    frames: int
    detector_frames: int  # frames the detector ran on
    events: Counter  # entries built, by event type
    classes_seen: Counter  # detections reported, by class name
    plates_read: list  # (license_plate, confidence) of each ANPR event, in order


class CameraRunner:
    """Runs one camera until stopped, finished (file end, ``max_frames``) or failed.

    ``give_up_after``: seconds a camera may stay in error without a frame before the runner
    gives up (``FAILED``); None retries for ever (a live worker waits for the camera).
    """

    def __init__(
        self,
        camera,
        options,
        sink,
        *,
        max_frames=None,
        detectors=None,
        on_frame=None,
        give_up_after=None,
    ):
        self.camera = camera
        self.options = options
        self.sink = sink
        self.max_frames = max_frames
        self.own_detectors = detectors is None  # then closed with the analysis
        self.detectors = detectors or WorkerDetectors(options)
        self.on_frame = on_frame
        self.give_up_after = give_up_after
        self.last_frame_at = time.monotonic()  # or when the runner started
        self.state = RunnerState.STARTING
        self.last_error = None
        self.source = None
        self.analyzer = None
        self.stats = RunnerStats()
        snapshots = SnapshotStore(options.snapshot_storage) if options.snapshots else None
        self.encoder = ObservationEncoder(camera.camera_id, snapshots, dict(camera.zone_ids))
        self.stopping = threading.Event()
        self.thread = None
        self.dropped_mark = 0  # the source's drop count already reported to the metrics

    @property
    def camera_id(self):
        return self.camera.camera_id

    @property
    def done(self):
        return self.state in (RunnerState.FINISHED, RunnerState.FAILED)

    def summary(self):
        return RunSummary(
            frames=self.stats.frames_total,
            detector_frames=self.analyzer.stats.detector_frames if self.analyzer else 0,
            events=Counter(self.encoder.counts),
            classes_seen=Counter(self.encoder.classes_seen),
            plates_read=list(self.encoder.plates_read),
        )

    def start(self):
        self.thread = threading.Thread(
            target=self.run, name=f"camera {self.camera_id}", daemon=True
        )
        self.thread.start()

    def stop(self):
        """Ask the loop to stop after the current frame."""
        self.stopping.set()

    def join(self, timeout=None):
        if self.thread is not None:
            self.thread.join(timeout)

    def is_alive(self):
        return self.thread is not None and self.thread.is_alive()

    def throughput(self):
        """Figures since the last call (fps, inference ms, lag, dropped), or None."""
        if self.analyzer is None:
            return None
        figures = self.stats.take(self.analyzer.stats)
        figures["dropped"] = getattr(self.source, "dropped", 0)
        return figures

    def run(self):
        """The camera loop; returns when stopped, finished or failed, never raises."""
        try:
            self.analyzer = self.build_analyzer()
        except Exception as exc:
            logger.exception("%s: cannot start the analysis", self.camera_id)
            self.set_state(RunnerState.FAILED, f"cannot start the analysis: {exc}")
            return
        backoff = Backoff(maximum=self.options.reconnect_backoff_max)
        opened = 0
        try:
            while not self.stopping.is_set() and not self.done:
                if opened:
                    metrics.record_reconnect(self.camera_id)
                opened += 1
                if self.run_source():
                    backoff.reset()
                elif not self.gave_up():
                    self.stopping.wait(backoff.next_delay())
        finally:
            self.close_analyzer()
        logger.info("%s: stopped after %d frames", self.camera_id, self.stats.frames_total)

    def analyse_source(self, source):
        """Analyse an open source to its end in the calling thread (errors propagate)."""
        self.analyzer = self.build_analyzer()
        self.source = source
        try:
            self.analyse(source)
        finally:
            source.close()
            self.close_analyzer()

    def close_analyzer(self):
        """End the open tracks and publish what the stages still hold."""
        try:
            self.publish(self.analyzer.close())
        except Exception:
            logger.exception("%s: closing the analysis failed", self.camera_id)
        if self.own_detectors:
            self.detectors.close()

    def build_analyzer(self):
        camera, options = self.camera, self.options
        config = AnalyzerConfig(
            detect_objects=camera.enable_object_detection,
            detect_motion=camera.enable_motion_detection,
            classes=camera.detection_classes,
            confidence=camera.confidence_threshold,
            roi_zones=camera.roi_zones,
            motion_threshold=camera.motion_threshold,
            detection_mode=options.detection_mode,
            motion_regions=options.motion_regions,
            max_fps=camera.max_fps or options.max_fps,
            frame_skip=camera.frame_skip,
            heartbeat_seconds=options.heartbeat_seconds,
            motion_event_interval=options.motion_event_interval,
        )
        detector = None
        if camera.enable_object_detection:
            detector = self.detectors.for_camera()
        return CameraAnalyzer(config, detector, build_stages(camera, options))

    @property
    def analysis_fps(self):
        """Frames per second a live source hands out: ``ANALYSIS_FPS``, or more for the detector."""
        if not self.options.analysis_fps:
            return None
        return max(self.options.analysis_fps, self.camera.max_fps or self.options.max_fps)

    def run_source(self):
        """Open the source and analyse its frames; False when it failed before any frame."""
        try:
            self.source = self.options.frame_source(
                self.camera.analysis_url,
                allow_local=self.options.allow_local_sources,
                backoff_max=self.options.reconnect_backoff_max,
                max_fps=self.analysis_fps,
            )
        except SourceError as exc:
            self.set_state(RunnerState.ERROR, str(exc))
            return False
        frames_before = self.stats.frames_total
        try:
            self.analyse(self.source)
        except Exception as exc:
            # A broken source must not take the other cameras down: reopen it.
            logger.exception("%s: the source failed; reopening it", self.camera_id)
            self.set_state(RunnerState.ERROR, f"source failed: {type(exc).__name__}: {exc}")
        finally:
            self.source.close()
        return self.stats.frames_total > frames_before

    def analyse(self, source):
        while not self.stopping.is_set():
            frame = source.read(timeout=1.0)
            if frame is None:
                if source.exhausted:
                    self.set_state(RunnerState.FINISHED)
                    return
                if source.last_error:
                    self.set_state(RunnerState.ERROR, source.last_error)
                if self.gave_up():
                    return
                continue
            self.last_frame_at = time.monotonic()
            self.analyse_frame(frame)
            self.stats.frame_done(frame, source.is_live)
            if self.on_frame is not None:
                self.on_frame(self)
            if self.max_frames and self.stats.frames_total >= self.max_frames:
                self.set_state(RunnerState.FINISHED)
                return

    def gave_up(self):
        """Give up (``FAILED``) once in error without a frame for ``give_up_after`` seconds."""
        if self.give_up_after is None or self.state != RunnerState.ERROR:
            return False
        waited = time.monotonic() - self.last_frame_at
        if waited < self.give_up_after:
            return False
        self.set_state(
            RunnerState.FAILED, f"gave up after {waited:.0f} s without frames: {self.last_error}"
        )
        return True

    def analyse_frame(self, frame):
        """Analyse one frame and publish its events; an error costs this frame only."""
        stats = self.analyzer.stats
        detector_frames, inference_seconds = stats.detector_frames, stats.inference_seconds
        try:
            observations = self.analyzer.process(frame)
        except DetectionFailed as failed:
            self.publish(failed.observations)  # the frame's motion outlives its detection
            self.report_failure(frame, "detection", failed.__cause__)
            return
        except Exception as exc:
            self.report_failure(frame, "analysis", exc)
            return
        self.set_state(RunnerState.STREAMING)
        analysed = stats.detector_frames > detector_frames
        metrics.record_frame(self.camera_id, analysed=analysed, dropped=self.take_dropped())
        if analysed:
            metrics.record_inference(self.camera_id, stats.inference_seconds - inference_seconds)
        self.publish(observations)

    def report_failure(self, frame, step, exc):
        """The camera is in error because ``step`` failed on ``frame``; logged once per message."""
        message = f"{step} failed: {type(exc).__name__}: {exc}"
        if message != self.last_error:
            logger.error("%s: frame %d: %s", self.camera_id, frame.index, message, exc_info=exc)
        self.set_state(RunnerState.ERROR, message)

    def take_dropped(self):
        """Frames the source dropped since the last call."""
        dropped = getattr(self.source, "dropped", 0)
        new, self.dropped_mark = dropped - self.dropped_mark, dropped
        return max(new, 0)  # a reopened source counts from zero again

    def publish(self, observations):
        """Publish the observations' entries, retrying while the sink is unreachable."""
        counts_before = Counter(self.encoder.counts)
        entries = self.encoder.entries(observations)
        backoff = Backoff(maximum=self.options.reconnect_backoff_max)
        while entries:
            try:
                self.sink.publish_many(entries)
                metrics.record_published(self.camera_id, self.encoder.counts - counts_before)
                return
            except RedisError as exc:
                self.set_state(RunnerState.ERROR, f"cannot publish events: {exc}")
                if self.stopping.wait(backoff.next_delay()):
                    logger.error("%s: %d events lost at shutdown", self.camera_id, len(entries))
                    return

    def set_state(self, state, error=None):
        error = mask_urls_in(error) if error else error  # exception texts may quote the URL
        if state != self.state or error != self.last_error:
            log = logger.warning if error else logger.info
            log("%s: %s%s", self.camera_id, state, f" ({error})" if error else "")
        self.state, self.last_error = state, error


def build_stages(camera, options):
    """The camera's track stages: ``TRACK_STAGES``, plates (``enable_anpr``), counting (zones)."""
    stages = [stage_class(camera) for stage_class in options.track_stages]
    if camera.zones and ZoneCountingStage not in options.track_stages:
        stages.append(ZoneCountingStage(camera))
    if camera.zones and not camera.enable_object_detection:
        logger.warning(
            "%s: it has zones but object detection is off: nothing will be counted",
            camera.camera_id,
        )
    if camera.enable_anpr:
        from ..pipeline.anpr.stage import VEHICLE_CLASSES, PlateReadingStage  # OCR loads here

        reader = options.plate_reader() if options.plate_reader is not None else None
        stages.append(PlateReadingStage(camera, reader=reader))
        tracked = set(camera.detection_classes or VEHICLE_CLASSES)
        if not camera.enable_object_detection or not tracked & set(VEHICLE_CLASSES):
            logger.warning(
                "%s: enable_anpr is set but no plate will be read: plates are read on tracked "
                "vehicles, which needs object detection on and detection_classes empty or "
                "naming one of %s",
                camera.camera_id,
                ", ".join(VEHICLE_CLASSES),
            )
    return stages
