import pytest

from .service import AnalyticsService


@pytest.fixture
def service():
    with AnalyticsService() as running:
        yield running


@pytest.fixture
def remote_settings(settings, service):
    """Route camera control to the test service, with fast retries."""
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "CAMERA_CONTROL_BACKEND": "django_video_analytics.control.remote.RemoteControlBackend",
        "ANALYTICS_SERVICE_URL": service.url,
        "ANALYTICS_SERVICE_TIMEOUT": 0.5,
        "ANALYTICS_SERVICE_RETRIES": 2,
    }
    return settings
