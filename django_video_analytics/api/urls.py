"""Routes of this wing; included by django_video_analytics.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .schema import SCHEMA_ROUTE, SchemaView

router = SimpleRouter()
router.register("cameras", views.CameraViewSet, basename="camera")
router.register("detections", views.DetectionEventViewSet, basename="detectionevent")
router.register("motion", views.MotionEventViewSet, basename="motionevent")
router.register("anpr", views.ANPREventViewSet, basename="anprevent")
router.register("statistics", views.StatisticsViewSet, basename="statistics")
router.register("zones", views.ZoneViewSet, basename="zone")

urlpatterns = [
    *router.urls,
    path(SCHEMA_ROUTE, SchemaView.as_view(), name="schema"),
]
