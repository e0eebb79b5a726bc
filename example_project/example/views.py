from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from django_video_analytics.models import Camera


@login_required
def dashboard(request):
    return render(request, "example/dashboard.html", {"cameras": Camera.objects.all()})


@login_required
def camera_page(request, camera_id):
    camera = get_object_or_404(Camera, camera_id=camera_id)
    return render(request, "example/camera.html", {"camera": camera})
