"""Routes of this wing; included by django_video_analytics.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("widgets/live/", views.LiveCountersView.as_view(), name="widgets-live"),
]
