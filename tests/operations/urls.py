from django.urls import path

from django_video_analytics.operations.views import MetricsView

urlpatterns = [path("metrics/", MetricsView.as_view(), name="metrics")]
