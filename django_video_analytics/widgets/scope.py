"""What a tag may show: one camera, or all cameras, of those ``CAMERA_QUERYSET_HOOK`` allows.

Without a hook every camera is visible and the data comes from the shared widget cache. With
a hook the tag takes the user from the template context's ``request`` (no request: no
camera); a camera the hook hides renders as empty, and "all cameras" means the user's
cameras, computed per render (their union is per user, so it is not cached).
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from ..api.permissions import visible_cameras
from ..conf import analytics_settings
from ..models import Camera


@dataclass(frozen=True)
class Scope:
    camera_id: str | None = None  # one camera; None: every camera in ``cameras``
    cameras: QuerySet | None = None  # the user's cameras under a hook; None: every camera
    hidden: bool = False  # the camera asked for is missing or hidden from the user

    @property
    def is_everything(self):
        """All cameras with no hook: the shared cache's ``OVERALL`` scope serves it."""
        return self.camera_id is None and self.cameras is None


# The user's camera ids, read once per request however many tags a page renders.
VISIBLE_IDS = "_video_analytics_visible_camera_ids"


def scope_for(context, camera_id):
    """The scope of a tag about ``camera_id`` (None: all cameras) rendered in ``context``."""
    if analytics_settings.CAMERA_QUERYSET_HOOK is None:
        return Scope(camera_id)
    request = context.get("request")
    if request is None:
        return Scope(camera_id, Camera.objects.none(), hidden=camera_id is not None)
    cameras = visible_cameras(request, Camera.objects.all())
    if camera_id is None:
        return Scope(cameras=cameras)
    return Scope(camera_id, cameras, hidden=camera_id not in visible_ids(request, cameras))


def visible_ids(request, cameras):
    ids = getattr(request, VISIBLE_IDS, None)
    if ids is None:
        ids = frozenset(cameras.values_list("camera_id", flat=True))
        setattr(request, VISIBLE_IDS, ids)
    return ids
