"""What a camera's status badge shows: its status, or a stale heartbeat."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from ..conf import analytics_settings
from ..masking import mask_urls_in
from ..models import Camera


@dataclass(frozen=True)
class CameraState:
    key: str  # active, inactive, error or stale: the badge's CSS modifier
    label: str
    detail: str


def camera_state(camera, now=None):
    """The badge state of ``camera``; active but silent for too long is ``stale``."""
    if camera.status == Camera.Status.ERROR:
        return CameraState("error", camera.get_status_display(), mask_urls_in(camera.last_error))
    if camera.status != Camera.Status.ACTIVE:
        return CameraState(camera.status, camera.get_status_display(), "")
    if camera.last_active_at is None:
        return CameraState("stale", _("Stale"), _("No heartbeat yet"))
    now = now or timezone.now()
    stale_after = datetime.timedelta(seconds=analytics_settings.HEARTBEAT_STALE_SECONDS)
    if now - camera.last_active_at > stale_after:
        ago = timesince(camera.last_active_at, now)
        return CameraState("stale", _("Stale"), _("Last heartbeat %(ago)s ago") % {"ago": ago})
    return CameraState("active", camera.get_status_display(), "")
