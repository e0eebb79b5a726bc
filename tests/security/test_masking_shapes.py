"""One masking function over every URL shape a camera or webhook can have."""

import pytest

from django_video_analytics.masking import (
    CredentialsNotKept,
    keep_stored_credentials,
    mask_url,
    mask_urls_in,
)

SHAPES = [
    # (stored URL, what every reader is shown)
    ("rtsp://admin:s3cret@10.0.0.5:554/stream1", "rtsp://***:***@10.0.0.5:554/stream1"),
    ("rtsp://admin@cam.local/live", "rtsp://***@cam.local/live"),
    ("rtsp://cam.local/live", "rtsp://cam.local/live"),
    ("rtsp://admin:p@ss@w0rd@cam.local/live", "rtsp://***:***@cam.local/live"),
    ("rtsp://admin:pa#ss?x@cam.local/live", "rtsp://***:***@cam.local/live"),
    ("rtsp://admin:s3cret@[fd00::5]:554/s", "rtsp://***:***@[fd00::5]:554/s"),
    ("rtsp://admin:s3cret@[fd00::5]/s", "rtsp://***:***@[fd00::5]/s"),
    ("rtsp://us%40er:p%3Ass%2F@cam.local/a%20b", "rtsp://***:***@cam.local/a%20b"),
    ("rtsp://admin:s3cret@cam.local:99999/x", "rtsp://***:***@cam.local:99999/x"),
    ("rtsp://admin:s3cret@cam.local:port/x", "rtsp://***:***@cam.local:port/x"),
    ("rtsp://admin:s3cret@[::1/x", "rtsp://***:***@[::1/x"),
    (
        "http://cam.local/video.cgi?user=admin&password=s3cret&resolution=640",
        "http://cam.local/video.cgi?user=***&password=***&resolution=640",
    ),
    (
        "https://cam.local/mjpeg?access_token=s3cret&api_key=s3cret&Key=s3cret&fps=5",
        "https://cam.local/mjpeg?access_token=***&api_key=***&Key=***&fps=5",
    ),
    ("http://cam.local?pwd=s3cret#frag", "http://cam.local?pwd=***#frag"),
    ("http://cam.local/x?pass%77ord=s3cret", "http://cam.local/x?pass%77ord=***"),
    ("https://u:s3cret@hooks.example.com/h", "https://***:***@hooks.example.com/h"),
    ("/videos/clip.mp4", "/videos/clip.mp4"),
    ("/videos/clip@2x.mp4", "/videos/clip@2x.mp4"),
    ("file:///videos/clip.mp4?live=1", "file:///videos/clip.mp4?live=1"),
    ("0", "0"),
    ("", ""),
]


@pytest.mark.parametrize("url, shown", SHAPES)
def test_mask_url_shapes(url, shown):
    assert mask_url(url) == shown
    assert "s3cret" not in mask_url(url)


@pytest.mark.parametrize("url, shown", SHAPES)
def test_masked_url_sent_back_keeps_the_stored_url(url, shown):
    assert keep_stored_credentials(shown, url) == url


@pytest.mark.parametrize("value", [None, 5, b"rtsp://a:b@h"])
def test_non_text_is_returned_untouched(value):
    assert mask_url(value) == value


def test_every_url_in_a_message_is_masked():
    message = (
        "The analytics service answered 400: cannot open rtsp://admin:p@ss@10.0.0.5/s "
        "(also tried 'http://cam/x?password=s3cret')"
    )
    masked = mask_urls_in(message)
    assert masked == (
        "The analytics service answered 400: cannot open rtsp://***:***@10.0.0.5/s "
        "(also tried 'http://cam/x?password=***')"
    )


def test_new_credentials_replace_the_mask_part_by_part():
    stored = "rtsp://admin:s3cret@10.0.0.5/s"
    assert keep_stored_credentials("rtsp://***:n3w@10.0.0.5/s", stored) == (
        "rtsp://admin:n3w@10.0.0.5/s"
    )
    assert keep_stored_credentials("rtsp://u:p@10.0.0.6/s", stored) == "rtsp://u:p@10.0.0.6/s"
    assert keep_stored_credentials("rtsp://10.0.0.6/s", stored) == "rtsp://10.0.0.6/s"


@pytest.mark.parametrize(
    "new",
    [
        "http://***:***@attacker.invalid:8080/grab",
        "rtsp://***:***@10.0.0.6:554/stream1",
        "rtsp://***:***@10.0.0.5:8554/stream1",
        "rtsps://***:***@10.0.0.5:554/stream1",
        "rtsp://***:***@10.0.0.5/stream1",
        "http://attacker.invalid/x?password=***",
    ],
)
def test_mask_is_kept_only_for_the_same_server(new):
    stored = "rtsp://admin:s3cret@10.0.0.5:554/stream1?password=s3cret"
    with pytest.raises(CredentialsNotKept, match="send new credentials or none"):
        keep_stored_credentials(new, stored)


def test_same_server_may_change_path_and_case():
    stored = "rtsp://admin:s3cret@Cam.Local:554/stream1"
    assert keep_stored_credentials("RTSP://***:***@cam.local:554/stream2", stored) == (
        "RTSP://admin:s3cret@cam.local:554/stream2"
    )


def test_a_mask_with_nothing_stored_is_refused():
    with pytest.raises(CredentialsNotKept):
        keep_stored_credentials("rtsp://***:***@10.0.0.5/s", "rtsp://10.0.0.5/s")
    with pytest.raises(CredentialsNotKept):
        keep_stored_credentials("rtsp://***:***@10.0.0.5/s", "rtsp://admin@10.0.0.5/s")


def test_control_errors_quoting_a_password_with_at_are_masked(settings, db):
    from django_video_analytics.control import ControlError
    from django_video_analytics.control.remote import RemoteControlBackend
    from django_video_analytics.models import Camera
    from tests.control.service import AnalyticsService

    camera = Camera.objects.create(
        camera_id="gate", name="Gate", stream_url="rtsp://admin:p@ss@10.0.0.5/live"
    )
    with AnalyticsService() as service:
        service.fail_next = 1
        service.error = "cannot open rtsp://admin:p@ss@10.0.0.5/live?token=t0ken"
        backend = RemoteControlBackend(base_url=service.url, retries=0)
        with pytest.raises(ControlError) as excinfo:
            backend.start(camera)
    camera.refresh_from_db()
    for text in (str(excinfo.value), camera.last_error):
        assert "rtsp://***:***@10.0.0.5/live?token=***" in text
        assert "p@ss" not in text and "t0ken" not in text


def test_templates_show_camera_errors_masked(db):
    from django.template import Context, Template

    from django_video_analytics.models import Camera

    camera = Camera.objects.create(
        camera_id="gate",
        name="Gate",
        status=Camera.Status.ERROR,
        last_error="cannot open rtsp://admin:s3cret@10.0.0.5/live",
    )
    html = Template("{% load video_analytics %}{% camera_status camera %}").render(
        Context({"camera": camera})
    )
    assert "rtsp://***:***@10.0.0.5/live" in html
    assert "s3cret" not in html
