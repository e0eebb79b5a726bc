"""Camera health as data: online/offline periods, with debounce, a sweep and uptime.

Two writers keep the periods: the camera worker reports what its runners see through
``HealthRecorder.observe()`` (frames flow or not), debounced so that a glitch shorter than
``CAMERA_HEALTH_DEBOUNCE_SECONDS`` leaves no row; and ``sweep()``, run every minute by
beat, marks offline the enabled cameras whose worker lease expired or whose heartbeat is
older than ``HEARTBEAT_STALE_SECONDS``, so a dead worker is noticed without its help.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import webhook_outbox
from ..conf import analytics_settings
from ..models import Camera, CameraHealth, PendingHealthWebhook
from ..signals import camera_health_changed

logger = logging.getLogger(__name__)

ONLINE, OFFLINE = CameraHealth.State.ONLINE, CameraHealth.State.OFFLINE


def current_state(camera_id):
    """The state of the camera's open period, or None before its first one."""
    return (
        CameraHealth.objects.filter(camera__camera_id=camera_id, until=None)
        .values_list("state", flat=True)
        .first()
    )


def record_change(camera, state, since, reason=""):
    """Close the open period and open one in ``state``; False when already in that state."""
    with transaction.atomic():
        # The camera row's lock serialises the worker's recorder and the sweep.
        Camera.objects.select_for_update().filter(pk=camera.pk).first()
        open_period = CameraHealth.objects.filter(camera=camera, until=None).first()
        if open_period is not None and open_period.state == state:
            return False
        previous = None
        if open_period is not None:
            previous = open_period.state
            since = max(since, open_period.since)  # periods never overlap
            open_period.until = since
            open_period.save(update_fields=["until"])
        period = CameraHealth.objects.create(camera=camera, state=state, since=since, reason=reason)
        if analytics_settings.CAMERA_HEALTH_WEBHOOK_URL:
            # Same transaction: never a recorded change without its POST owed.
            row = webhook_outbox.owe(PendingHealthWebhook, period=period, previous=previous or "")
            transaction.on_commit(partial(webhook_outbox.start_runner_quietly, row.subject()))
        transaction.on_commit(
            lambda: camera_health_changed.send(
                sender=CameraHealth,
                camera=camera,
                state=state,
                previous=previous,
                since=since,
                reason=reason,
            )
        )
    log = logger.warning if state == OFFLINE else logger.info
    detail = f": {reason}" if reason else ""
    log("Camera %s is %s since %s%s", camera.camera_id, state, since, detail)
    return True


@dataclass
class _Pending:
    state: str
    first_seen: datetime
    reason: str


class HealthRecorder:
    """Records what a worker observes, once a new state has lasted the debounce time."""

    def __init__(self, debounce_seconds=None):
        if debounce_seconds is None:
            debounce_seconds = analytics_settings.CAMERA_HEALTH_DEBOUNCE_SECONDS
        self.debounce = timedelta(seconds=debounce_seconds)
        self.recorded = {}  # camera_id -> state last recorded (or read)
        self.pending = {}  # camera_id -> _Pending

    def observe(self, camera_id, online, reason="", at=None):
        """Report a camera's state now; returns True when a change was recorded."""
        at = at or timezone.now()
        state = ONLINE if online else OFFLINE
        if camera_id not in self.recorded:
            self.recorded[camera_id] = current_state(camera_id)
        if state == self.recorded[camera_id]:
            self.pending.pop(camera_id, None)  # a glitch that ended in time
            return False
        pending = self.pending.get(camera_id)
        if pending is None or pending.state != state:
            pending = self.pending[camera_id] = _Pending(state, at, reason)
        if at - pending.first_seen < self.debounce:
            return False
        del self.pending[camera_id]
        self.recorded[camera_id] = state
        camera = Camera.objects.filter(camera_id=camera_id).first()
        if camera is None:  # deleted meanwhile
            return False
        # Dated from when the new state began, not from when the debounce ended.
        return record_change(camera, state, pending.first_seen, pending.reason or reason)

    def forget(self, camera_id):
        """Drop what is held for a camera this worker no longer runs."""
        self.recorded.pop(camera_id, None)
        self.pending.pop(camera_id, None)


def sweep(now=None):
    """Bring the recorded states in line with leases and heartbeats; returns changed ids.

    An enabled camera is offline when no worker holds its lease or its heartbeat
    (``last_active_at``) is older than ``HEARTBEAT_STALE_SECONDS``, online when a worker
    holds it and the heartbeat is fresh; a stopped camera that was online becomes offline.
    The worker's recorder reports changes within seconds; the sweep catches what a dead
    worker cannot report, within a minute.
    """
    import redis

    from ..connection import get_redis
    from ..workers.leases import CameraLeases

    now = now or timezone.now()
    stale_before = now - timedelta(seconds=analytics_settings.HEARTBEAT_STALE_SECONDS)
    online = Camera.objects.filter(health__until=None, health__state=ONLINE)
    candidates = Camera.objects.filter(Q(enabled=True) | Q(pk__in=online.values("pk")))
    cameras = {camera.camera_id: camera for camera in candidates}
    try:
        leases = CameraLeases(get_redis(), analytics_settings.WORKER_LEASE_SECONDS)
        holders = leases.holders(cameras)
    except redis.RedisError as exc:
        # Without Redis the leases are unknown: the heartbeat alone decides.
        logger.warning("Camera health sweep without leases: %s", type(exc).__name__)
        holders = None
    changed = []
    for camera_id, camera in sorted(cameras.items()):
        reason = _offline_reason(camera, holders, stale_before)
        state = ONLINE if reason is None else OFFLINE
        if current_state(camera_id) == state:
            continue
        # Offline since the last heartbeat (when there was one), online since now.
        since = min(camera.last_active_at or now, now) if state == OFFLINE else now
        if record_change(camera, state, since, reason or ""):
            changed.append(camera_id)
    return changed


def _offline_reason(camera, holders, stale_before):
    if not camera.enabled:
        return "stopped"
    if holders is not None and holders.get(camera.camera_id) is None:
        return "no worker holds the camera's lease"
    if camera.last_active_at is None or camera.last_active_at < stale_before:
        return "no heartbeat"
    return None


def daily_uptime(camera, days=7, now=None):
    """``[(date, percent or None)]`` for the last ``days`` UTC days, oldest first.

    The percentage is of the time covered by health periods (None when none covers
    the day), so days before the first record do not count as downtime.
    """
    now = now or timezone.now()
    today = now.astimezone(dt_timezone.utc).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=dt_timezone.utc)
    periods = list(
        CameraHealth.objects.filter(camera=camera, since__lt=now)
        .filter(Q(until=None) | Q(until__gt=start))
        .values_list("state", "since", "until")
    )
    result = []
    for offset in range(days):
        day_start = start + timedelta(days=offset)
        day_end = min(day_start + timedelta(days=1), now)
        covered = up = 0.0
        for state, since, until in periods:
            overlap = (min(until or now, day_end) - max(since, day_start)).total_seconds()
            if overlap > 0:
                covered += overlap
                up += overlap if state == ONLINE else 0.0
        result.append((day_start.date(), round(100 * up / covered, 1) if covered else None))
    return result
