import pytest

from django_video_analytics.masking import keep_stored_credentials, mask_stream_url


@pytest.mark.parametrize(
    "url, masked",
    [
        ("rtsp://admin:s3cret@10.0.0.5:554/stream1", "rtsp://***:***@10.0.0.5:554/stream1"),
        ("rtsp://admin@cam.local/live", "rtsp://***:***@cam.local/live"),
        ("rtsp://cam.local/live", "rtsp://cam.local/live"),
        ("/videos/clip.mp4", "/videos/clip.mp4"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_stream_url(url, masked):
    assert mask_stream_url(url) == masked


def test_unchanged_mask_keeps_stored_credentials():
    stored = "rtsp://admin:s3cret@10.0.0.5:554/stream1"
    assert keep_stored_credentials(mask_stream_url(stored), stored) == stored


def test_new_host_with_mask_keeps_credentials():
    stored = "rtsp://admin:s3cret@10.0.0.5:554/stream1"
    new = "rtsp://***:***@10.0.0.6:554/stream2"
    assert keep_stored_credentials(new, stored) == "rtsp://admin:s3cret@10.0.0.6:554/stream2"


def test_new_password_replaces_old():
    stored = "rtsp://admin:s3cret@10.0.0.5/s"
    assert keep_stored_credentials("rtsp://***:n3w@10.0.0.5/s", stored) == (
        "rtsp://admin:n3w@10.0.0.5/s"
    )


def test_url_without_mask_is_taken_as_is():
    assert keep_stored_credentials("rtsp://u:p@h/s", "rtsp://a:b@h/s") == "rtsp://u:p@h/s"
