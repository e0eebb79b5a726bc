"""The example project's pages, mounted on the test settings for the browser test."""

import importlib.util

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from django_video_analytics.widgets.browser import EventBrowserView
from tests.browser.conftest import EXAMPLE_PROJECT


def load_example_views():
    # By file: a module named ``example`` is already on sys.path in some environments.
    location = EXAMPLE_PROJECT / "example" / "views.py"
    spec = importlib.util.spec_from_file_location("example_project_views", location)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


views = load_example_views()


def media(request, path):
    """The stored snapshots (the test settings' MEDIA_ROOT, read per request)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


events = EventBrowserView.as_view(template_name="example/events.html")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cameras/<slug:camera_id>/", views.camera_page, name="camera"),
    path("events/", views.strict_csp(events), name="events"),
    path("admin/", admin.site.urls),
    path("api/v1/analytics/", include("django_video_analytics.urls")),
    re_path(r"^media/(?P<path>.*)$", media),
]
