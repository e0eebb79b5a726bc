"""Mount with ``path("api/v1/analytics/", include("django_video_analytics.urls"))``."""

app_name = "django_video_analytics"

urlpatterns = []
