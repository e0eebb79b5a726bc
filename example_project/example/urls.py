from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from django_video_analytics.widgets.browser import EventBrowserView

from . import views

events = EventBrowserView.as_view(template_name="example/events.html")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cameras/<slug:camera_id>/", views.camera_page, name="camera"),
    path("events/", views.strict_csp(events), name="events"),
    path("admin/", admin.site.urls),
    path("api/v1/analytics/", include("django_video_analytics.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
