"""The camera worker: leases cameras, runs one ``CameraRunner`` thread per camera.

Every ``WORKER_POLL_SECONDS`` the worker reads the cameras it may run from the database
(``Camera.enabled`` is the start/stop switch), renews its Redis leases, starts, restarts
(configuration changed) or stops runners, and writes each camera's ``status``,
``last_error`` and ``last_active_at``. Only this thread touches the database.
"""

import logging
import math
import os
import socket
import time

from django.db import DatabaseError, close_old_connections
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from redis import RedisError

from ..connection import get_redis
from ..models import Camera
from ..operations.camera_health import HealthRecorder
from ..shutdown import Shutdown, exit_process_now
from .camera_runner import CameraRunner, RunnerState
from .config import CameraConfig, WorkerOptions
from .detectors import WorkerDetectors
from .leases import CameraLeases

# Runner states that say whether a camera is online (a file that ended is neither).
HEALTH_STATES = (RunnerState.STREAMING, RunnerState.ERROR, RunnerState.FAILED)

logger = logging.getLogger(__name__)

# How often the loop looks at its runners between two database polls.
TICK_SECONDS = 0.2
# How long a stopping runner may take to finish its frame and flush its tracks.
RUNNER_JOIN_SECONDS = 15.0
# In burst mode, how long a camera may stay in error without a frame before it is given up.
BURST_GIVE_UP_SECONDS = 30.0


class CameraWorker:
    """Runs the enabled cameras among ``camera_ids`` (or all of them) until stopped.

    ``burst``: return once every camera this worker leased is done (files read to the end,
    ``max_frames`` reached, or in error without a frame for ``give_up_after`` seconds)
    instead of waiting for more work. ``failed`` then maps the cameras that failed to why.
    """

    stats_interval = 30.0

    def __init__(
        self,
        camera_ids=(),
        *,
        all_cameras=False,
        burst=False,
        max_frames=None,
        give_up_after=BURST_GIVE_UP_SECONDS,
        options=None,
        redis_client=None,
    ):
        if not camera_ids and not all_cameras:
            raise ValueError("name the cameras to run or pass all_cameras=True")
        self.camera_ids = tuple(camera_ids)
        self.all_cameras = all_cameras
        self.burst = burst
        self.max_frames = max_frames
        self.give_up_after = give_up_after if burst else None
        self.options = options or WorkerOptions.from_settings()
        self.sink = self.options.event_sink()
        self.leases = CameraLeases(redis_client or get_redis(), self.options.lease_seconds)
        self.shutdown = Shutdown(
            "the current frames and releasing the cameras", force=exit_process_now
        )
        self.detectors = WorkerDetectors(self.options)  # shared by the cameras' runners
        self.runners = {}  # camera_id -> CameraRunner, running or done, lease held
        self.heartbeat_marks = {}  # camera_id -> frames_total at the last heartbeat
        self.free_since = {}  # camera_id -> when this worker first saw it without a lease
        self.overflow = set()  # cameras taken beyond the fair share: never handed over
        self.skipped = set()  # cameras of the scope already reported as skipped
        self.failed = {}  # camera_id -> why, for the cameras a burst gave up
        self.polled = False
        self.stats_logged_at = time.monotonic()
        self.health = HealthRecorder()  # online/offline periods as this worker sees them

    @property
    def name(self):
        return f"{socket.gethostname()}:{os.getpid()}:{self.leases.token[:8]}"

    def run(self):
        """The worker loop; returns after a stop request or, in burst mode, when done."""
        scope = "all cameras" if self.all_cameras else ", ".join(self.camera_ids)
        logger.info("worker %s starting for %s", self.name, scope)
        self.shutdown.install()
        next_poll = 0.0
        try:
            while not self.shutdown.requested:
                if time.monotonic() >= next_poll:
                    self.safe_poll()
                    next_poll = time.monotonic() + self.options.poll_seconds
                if (
                    self.burst
                    and self.polled
                    and not any(r.is_alive() for r in self.runners.values())
                ):
                    self.failed = self.failures()
                    logger.info(
                        "worker %s: burst done: %d camera(s) run, %d failed, %d skipped",
                        self.name,
                        len(self.runners),
                        len(self.failed),
                        len(self.skipped),
                    )
                    break
                self.log_stats_if_due()
                self.shutdown.wait(TICK_SECONDS)
        finally:
            self.stop_all()
            self.shutdown.restore()
        logger.info("worker %s stopped", self.name)

    def safe_poll(self):
        """Poll, surviving a database or Redis outage (the next poll retries)."""
        close_old_connections()
        try:
            self.poll()
            self.polled = True
        except (DatabaseError, RedisError) as exc:
            logger.warning("worker %s: poll failed, retrying: %s", self.name, exc)

    def poll(self):
        self.renew_leases()  # first: a database outage must not cost the leases
        configs = {
            camera.camera_id: CameraConfig.from_camera(camera, self.options.plate_format)
            for camera in self.wanted_cameras()
        }
        share = math.ceil(len(configs) / self.leases.announce())
        for camera_id, runner in list(self.runners.items()):
            config = configs.get(camera_id)
            if config is None:
                logger.info("%s: stopped or deleted; releasing it", camera_id)
                self.retire(camera_id, release=True)
            elif config != runner.camera:
                logger.info("%s: configuration changed; restarting its analysis", camera_id)
                self.retire(camera_id, release=False)
                self.start_runner(config)
        self.hand_over_excess(share)
        self.take_free_cameras(configs, share)
        self.report_skipped(configs)
        self.write_status()

    def report_skipped(self, configs):
        """Log, once each, the cameras of the scope this worker does not run, and why."""
        disabled = Camera.objects.filter(enabled=False)
        if not self.all_cameras:
            disabled = disabled.filter(camera_id__in=self.camera_ids)
        waits = "skipped" if self.burst else "waiting until it is started"
        reasons = {
            camera_id: f"is not enabled ({waits}): POST {start_url(camera_id)}"
            for camera_id in disabled.values_list("camera_id", flat=True)
        }
        if self.burst:
            # A burst ends without the cameras other workers hold: say so, it looks like idling.
            holders = self.leases.holders(set(configs) - set(self.runners))
            reasons.update(
                (camera_id, "is run by another worker (skipped)")
                for camera_id, holder in holders.items()
                if holder is not None
            )
        # Cameras asked for by name, or a burst that ends without them, deserve a warning.
        log = logger.warning if self.burst or not self.all_cameras else logger.info
        for camera_id, reason in sorted(reasons.items()):
            if camera_id not in self.skipped:
                log("%s %s", camera_id, reason)
        self.skipped = set(reasons)

    def renew_leases(self):
        for camera_id in list(self.runners):
            if not self.leases.renew(camera_id):
                logger.warning("%s: lease lost to another worker", camera_id)
                self.retire(camera_id, release=False)

    def hand_over_excess(self, share):
        """Release one camera beyond this worker's fair share, for a newcomer to take."""
        if len(self.runners) <= share:
            return
        movable = [
            runner
            for camera_id, runner in self.runners.items()
            if not runner.done and camera_id not in self.overflow
        ]
        if movable:
            newest = movable[-1]  # the least progress lost
            logger.info("%s: handed over to balance the workers", newest.camera_id)
            self.retire(newest.camera_id, release=True)

    def take_free_cameras(self, configs, share):
        """Lease free cameras up to the fair share, and any camera left free for a lease."""
        now = time.monotonic()
        for camera_id in set(self.free_since) - set(configs):
            del self.free_since[camera_id]
        holders = self.leases.holders(set(configs) - set(self.runners))
        for camera_id, config in configs.items():
            if camera_id in self.runners or holders[camera_id] is not None:
                self.free_since.pop(camera_id, None)
                continue
            free_since = self.free_since.setdefault(camera_id, now)
            # No worker with room wants it (other scopes): take it beyond the share.
            neglected = now - free_since >= self.options.lease_seconds
            if (len(self.runners) < share or neglected) and self.leases.acquire(camera_id):
                if len(self.runners) >= share:
                    self.overflow.add(camera_id)
                self.free_since.pop(camera_id, None)
                self.start_runner(config)

    def wanted_cameras(self):
        cameras = Camera.objects.filter(enabled=True).prefetch_related("zones")
        if not self.all_cameras:
            cameras = cameras.filter(camera_id__in=self.camera_ids)
        return list(cameras)

    def start_runner(self, config):
        logger.info("%s: leased; starting its analysis", config.camera_id)
        runner = CameraRunner(
            config,
            self.options,
            self.sink,
            max_frames=self.max_frames,
            detectors=self.detectors,
            give_up_after=self.give_up_after,
        )
        self.runners[config.camera_id] = runner
        self.heartbeat_marks[config.camera_id] = 0
        runner.start()

    def retire(self, camera_id, *, release):
        """Stop a camera's runner after its current frame; release its lease if asked."""
        runner = self.runners[camera_id]
        runner.stop()
        runner.join(RUNNER_JOIN_SECONDS)
        if release:
            self.leases.release(camera_id)
        del self.runners[camera_id]
        self.heartbeat_marks.pop(camera_id, None)
        self.health.forget(camera_id)
        self.overflow.discard(camera_id)

    def write_status(self):
        """Mirror each runner's state into its Camera row and beat the heart of the live ones."""
        now = timezone.now()
        beating = []
        for camera_id, runner in self.runners.items():
            if runner.stats.frames_total > self.heartbeat_marks[camera_id]:
                self.heartbeat_marks[camera_id] = runner.stats.frames_total
                beating.append(camera_id)
            if runner.state in HEALTH_STATES:
                online = runner.state == RunnerState.STREAMING
                self.health.observe(camera_id, online, reason=runner.last_error or runner.state)
            status = observed_status(runner)
            if status is not None:
                # enabled=True: a stop that just happened must not be overwritten.
                Camera.objects.filter(camera_id=camera_id, enabled=True).exclude(
                    status=status[0], last_error=status[1]
                ).update(status=status[0], last_error=status[1])
        if beating:
            Camera.objects.filter(camera_id__in=beating).update(last_active_at=now)

    def log_stats_if_due(self):
        if time.monotonic() - self.stats_logged_at < self.stats_interval:
            return
        self.stats_logged_at = time.monotonic()
        for camera_id, runner in self.runners.items():
            figures = runner.throughput()
            if figures is None or runner.done:
                continue
            logger.info(
                "%s: %.1f fps, inference %.1f ms over %d frames, lag %.2f s, %d dropped",
                camera_id,
                figures["fps"],
                figures["inference_ms"],
                figures["detector_frames"],
                figures["lag_max"],
                figures["dropped"],
            )
        sizes = self.detectors.batch_sizes()
        if sizes:
            logger.info(
                "worker %s: frames per inference call (size: calls): %s",
                self.name,
                ", ".join(f"{size}: {calls}" for size, calls in sorted(sizes.items())),
            )

    def failures(self):
        """The cameras whose runner failed (gave up or could not start), and why."""
        return {
            camera_id: runner.last_error or "failed"
            for camera_id, runner in self.runners.items()
            if runner.state == RunnerState.FAILED
        }

    def stop_all(self):
        """Stop every runner after its current frame, release the leases, record the end."""
        for runner in self.runners.values():
            runner.stop()
        for runner in self.runners.values():
            runner.join(RUNNER_JOIN_SECONDS)
        self.detectors.close()
        camera_ids = list(self.runners)
        # A failed camera keeps its `error` status and reason; the others end `inactive`.
        stopped = [camera_id for camera_id in camera_ids if camera_id not in self.failures()]
        try:
            self.write_status()
            Camera.objects.filter(camera_id__in=stopped).update(status=Camera.Status.INACTIVE)
        except DatabaseError as exc:
            logger.warning("worker %s: final status not written: %s", self.name, exc)
        for camera_id in camera_ids:
            try:
                self.leases.release(camera_id)
            except RedisError as exc:
                logger.warning("%s: lease not released (it expires): %s", camera_id, exc)
        self.runners.clear()
        try:
            self.leases.retire()
        except RedisError as exc:
            logger.debug("worker %s: not unregistered (its entry expires): %s", self.name, exc)
        close_old_connections()


def start_url(camera_id):
    """The API path that starts a camera (``.../cameras/<id>/start/`` if not routed)."""
    try:
        return reverse("django_video_analytics:camera-start", args=[camera_id])
    except NoReverseMatch:
        return f".../cameras/{camera_id}/start/"


def observed_status(runner):
    """The (status, last_error) a runner's state shows, or None to leave the row as is."""
    if runner.state == RunnerState.STREAMING:
        return Camera.Status.ACTIVE, ""
    if runner.state in (RunnerState.ERROR, RunnerState.FAILED):
        return Camera.Status.ERROR, runner.last_error or ""
    return None
