"""The example VMS pages: every analytics figure on them comes from the package's tags."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from django_video_analytics.api.permissions import visible_cameras
from django_video_analytics.models import Camera, Zone

# The widgets need no inline script or style, so the pages can run under a strict policy.
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'"


def strict_csp(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return wrapped


@login_required
@strict_csp
def dashboard(request):
    cameras = visible_cameras(request, Camera.objects.all())
    return render(request, "example/dashboard.html", {"cameras": cameras})


@login_required
@strict_csp
def camera_page(request, camera_id):
    # A camera CAMERA_QUERYSET_HOOK hides from the user is not found, like in the API.
    camera = get_object_or_404(visible_cameras(request, Camera.objects.all()), camera_id=camera_id)
    lines = camera.zones.filter(kind=Zone.Kind.LINE).order_by("name")
    return render(request, "example/camera.html", {"camera": camera, "lines": lines})
