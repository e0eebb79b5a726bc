"""Routes of this wing; included by django_video_analytics.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import CameraHealthViewSet
from .views import MetricsView

router = SimpleRouter()
router.register("camera-health", CameraHealthViewSet, basename="camera-health")

urlpatterns = [*router.urls, path("metrics/", MetricsView.as_view(), name="metrics")]
