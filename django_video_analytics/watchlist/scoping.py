"""Who sees which watchlist entries, and on which cameras an entry fires (``CAMERA_QUERYSET_HOOK``).

- A user sees an entry when every camera it names is one the hook shows them. A camera-less
  entry ("every camera") is seen by its creator and by users who see every camera.
- An entry fires only on cameras its creator sees, so a camera-less entry of a scoped user
  never alerts (or calls its webhook) for cameras hidden from that user. Entries without a
  creator (made in the shell, older rows, a deleted user) fire on every camera.
- Without a hook everyone sees every entry and entries fire everywhere, as before.
"""

import logging

from django.db.models import Q
from django.http import HttpRequest

from ..api.permissions import visible_cameras
from ..conf import analytics_settings
from ..models import Camera

logger = logging.getLogger(__name__)


def visible_entries(request, queryset):
    """``queryset`` of watchlist entries limited to what ``request.user`` may see."""
    if analytics_settings.CAMERA_QUERYSET_HOOK is None:
        return queryset
    shown = visible_cameras(request, Camera.objects.all()).values("pk")
    hidden = Camera.objects.exclude(pk__in=shown)
    queryset = queryset.exclude(cameras__in=hidden)
    if not hidden.exists():
        return queryset
    named_cameras = Q(pk__in=queryset.filter(cameras__isnull=False).values("pk"))
    if not request.user.is_authenticated:
        return queryset.filter(named_cameras)
    return queryset.filter(named_cameras | Q(created_by=request.user.pk))


def request_of(user):
    """A request carrying only ``user``: what the hook gets when no request is at hand."""
    request = HttpRequest()
    request.user = user
    return request


def cameras_of_owner(user):
    """The camera pks ``user``'s entries fire on; None for every camera."""
    if analytics_settings.CAMERA_QUERYSET_HOOK is None or user is None:
        return None
    try:
        cameras = visible_cameras(request_of(user), Camera.objects.all())
        return set(cameras.values_list("pk", flat=True))
    except Exception:
        # A hook that needs more than request.user: fail closed, the entry fires nowhere.
        logger.exception("CAMERA_QUERYSET_HOOK failed for the owner of watchlist entries")
        return set()
