"""Mount with ``path("api/v1/analytics/", include("django_video_analytics.urls"))``."""

from django.urls import include, path

app_name = "django_video_analytics"

urlpatterns = [
    path("", include("django_video_analytics.api.urls")),
    path("", include("django_video_analytics.watchlist.urls")),
    path("", include("django_video_analytics.widget_urls")),
    path("", include("django_video_analytics.operations.urls")),
]
