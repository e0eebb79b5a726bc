"""The analysis substream URL: validated and masked like stream_url in the API and admin."""

import pytest

from django_video_analytics.models import Camera

from .factories import BASE
from .test_cameras import MASKED_URL, SECRET_URL, create

SUB_SECRET = "rtsp://admin:s3cret-pw@10.0.0.5:554/stream2"
SUB_MASKED = "rtsp://***:***@10.0.0.5:554/stream2"


def test_substream_credentials_are_write_only_and_kept(operator):
    response = create(operator, stream_url=SECRET_URL, substream_url=SUB_SECRET)
    assert response.status_code == 201, response.json()
    assert response.json()["substream_url"] == SUB_MASKED
    assert response.json()["stream_url"] == MASKED_URL
    response = operator.patch(f"{BASE}cameras/cam-1/", {"substream_url": SUB_MASKED}, format="json")
    assert response.status_code == 200, response.json()
    assert Camera.objects.get().substream_url == SUB_SECRET
    assert "s3cret" not in operator.get(f"{BASE}cameras/").content.decode()


@pytest.mark.parametrize(
    "value,message",
    [
        ("ftp://host/video", "not allowed"),
        ("rtsp://", "no host"),
        ("rtsp://host:99999/x", "valid URL"),
        ("/var/videos/clip.mp4", "Local files"),
        ("rtsp://host/a\r\nb", "Control characters"),
    ],
)
def test_substream_is_validated_like_stream_url(operator, value, message):
    response = create(operator, substream_url=value)
    assert response.status_code == 400
    assert list(response.json()) == ["substream_url"]
    assert message in str(response.json()["substream_url"])
    assert not Camera.objects.exists()


def test_admin_masks_the_substream(admin_client, make_camera):
    camera = make_camera("cam-1", substream_url=SUB_SECRET)
    response = admin_client.get(f"/admin/django_video_analytics/camera/{camera.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "s3cret" not in html
    assert "***:***@10.0.0.5:554/stream2" in html
