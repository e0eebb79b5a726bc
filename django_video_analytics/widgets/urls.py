"""Routes of this wing; included by django_video_analytics.urls."""

from django.urls import path

from . import views
from .browser import EventBrowserView

urlpatterns = [
    path("widgets/live/", views.LiveCountersView.as_view(), name="widgets-live"),
    path("widgets/events/", EventBrowserView.as_view(), name="widgets-events"),
]
