"""Routes of this wing; included by django_video_analytics.urls."""

urlpatterns = []
