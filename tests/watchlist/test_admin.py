import pytest
from django.contrib.auth import get_user_model

from django_video_analytics.models import WatchlistEntry

from .test_api import alert  # noqa: F401  (fixture)


@pytest.fixture
def admin_client_(client, db):
    user = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(user)
    return client


def test_alert_page_shows_the_delivery_log(admin_client_, alert):  # noqa: F811
    response = admin_client_.get(f"/admin/django_video_analytics/platealert/{alert.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "AB12CDF" in content and "HTTP 500" in content


def test_changelists_render(admin_client_, alert):  # noqa: F811
    for model in ("watchlistentry", "platealert", "webhookdelivery", "pendingwebhook"):
        response = admin_client_.get(f"/admin/django_video_analytics/{model}/")
        assert response.status_code == 200, model


def test_admin_form_canonicalises_plates(admin_client_, camera):
    response = admin_client_.post(
        "/admin/django_video_analytics/watchlistentry/add/",
        {
            "plate": "gx19 whn",
            "max_distance": 0,
            "cameras": [camera.pk],
            "is_active": "on",
            "webhook_url": "",
            "webhook_secret": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WatchlistEntry.objects.get().plate == "GX19WHN"
