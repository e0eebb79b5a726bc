import pytest
from django.urls import reverse
from django.utils import timezone

from django_video_analytics.models import Camera, DetectionEvent

SECRET_URL = "rtsp://admin:s3cret@10.0.0.5:554/stream1"


@pytest.fixture
def secret_camera(db):
    return Camera.objects.create(camera_id="gate", name="Gate", stream_url=SECRET_URL)


def test_changelist_masks_credentials(admin_client, secret_camera):
    response = admin_client.get(reverse("admin:django_video_analytics_camera_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "rtsp://***:***@10.0.0.5:554/stream1" in html
    assert "s3cret" not in html


def test_change_form_masks_and_keeps_credentials(admin_client, secret_camera):
    url = reverse("admin:django_video_analytics_camera_change", args=[secret_camera.pk])
    html = admin_client.get(url).content.decode()
    assert "s3cret" not in html
    assert "rtsp://***:***@10.0.0.5:554/stream1" in html

    response = admin_client.post(
        url,
        {
            "camera_id": "gate",
            "name": "Gate renamed",
            "location": "",
            "stream_url": "rtsp://***:***@10.0.0.5:554/stream1",
            "enabled": "",
            "enable_object_detection": "on",
            "enable_motion_detection": "on",
            "confidence_threshold": "0.5",
            "detection_classes": "[]",
            "roi_zones": "[]",
            "motion_threshold": "0.5",
            "frame_skip": "0",
            "max_fps": "",
            "plate_format": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    secret_camera.refresh_from_db()
    assert secret_camera.name == "Gate renamed"
    assert secret_camera.stream_url == SECRET_URL


def test_start_and_stop_actions_set_desired_state(admin_client, secret_camera):
    changelist = reverse("admin:django_video_analytics_camera_changelist")
    admin_client.post(
        changelist, {"action": "start_cameras", "_selected_action": [secret_camera.pk]}
    )
    secret_camera.refresh_from_db()
    assert secret_camera.enabled is True
    admin_client.post(
        changelist, {"action": "stop_cameras", "_selected_action": [secret_camera.pk]}
    )
    secret_camera.refresh_from_db()
    assert secret_camera.enabled is False
    assert secret_camera.status == Camera.Status.INACTIVE


def test_events_are_read_only(admin_client, secret_camera):
    event = DetectionEvent.objects.create(
        camera=secret_camera, timestamp=timezone.now(), source_id="s:1", detection_count=1
    )
    assert (
        admin_client.get(reverse("admin:django_video_analytics_detectionevent_add")).status_code
        == 403
    )
    change = reverse("admin:django_video_analytics_detectionevent_change", args=[event.pk])
    response = admin_client.post(change, {"detection_count": "5"})
    event.refresh_from_db()
    assert event.detection_count == 1
    assert response.status_code in (200, 403)


def test_event_changelist_filters_and_search(admin_client, secret_camera):
    DetectionEvent.objects.create(camera=secret_camera, timestamp=timezone.now(), source_id="s:2")
    url = reverse("admin:django_video_analytics_detectionevent_changelist")
    response = admin_client.get(url, {"q": "gate", "processed__exact": "0"})
    assert response.status_code == 200
    assert "Gate" in response.content.decode()


def test_anpr_event_page_shows_plate_snapshot(admin_client, secret_camera):
    from django_video_analytics.models import ANPREvent

    event = ANPREvent.objects.create(
        camera=secret_camera,
        timestamp=timezone.now(),
        source_id="s:3",
        license_plate="GX19WHN",
        confidence=0.9,
        snapshot="video_analytics/plates/gx19whn.jpg",
    )
    url = reverse("admin:django_video_analytics_anprevent_change", args=[event.pk])
    html = admin_client.get(url).content.decode()
    assert 'src="/media/video_analytics/plates/gx19whn.jpg" alt="Plate GX19WHN"' in html
    assert '<figcaption class="va-snapshot__caption">GX19WHN</figcaption>' in html
    assert "django_video_analytics/snapshots.js" in html


def test_detection_event_page_draws_the_boxes_escaped(admin_client, secret_camera):
    box = {"x": 0.25, "y": 0.5, "width": 0.5, "height": 0.25}
    event = DetectionEvent.objects.create(
        camera=secret_camera,
        timestamp=timezone.now(),
        source_id="s:4",
        detections=[{"class_name": "<b>car</b>", "confidence": 0.8, "bounding_box": box}],
        snapshot="video_analytics/snapshots/frame.jpg",
    )
    url = reverse("admin:django_video_analytics_detectionevent_change", args=[event.pk])
    html = admin_client.get(url).content.decode()
    assert 'x="25.000%" y="50.000%" width="50.000%" height="25.000%"' in html
    assert "&lt;b&gt;car&lt;/b&gt; 0.80</text>" in html
    assert "<b>car" not in html
    assert "django_video_analytics/widgets.css" in html


def test_owed_webhooks_are_listed_read_only(admin_client, secret_camera):
    from django_video_analytics import webhook_outbox
    from django_video_analytics.models import (
        CameraHealth,
        PendingHealthWebhook,
        PendingZoneWebhook,
        Zone,
        ZoneVisitEvent,
    )

    now = timezone.now()
    zone = Zone.objects.create(camera=secret_camera, name="hall", points=[[0, 0], [1, 0], [1, 1]])
    visit = ZoneVisitEvent.objects.create(
        camera=secret_camera, timestamp=now, source_id="v:1", zone=zone, zone_name="hall",
        track_id=7, class_name="person", entered=now, dwell_seconds=61, loitered=True,
    )  # fmt: skip
    period = CameraHealth.objects.create(camera=secret_camera, state="offline", since=now)
    webhook_outbox.owe(PendingZoneWebhook, visit=visit, kind="loitering")
    webhook_outbox.owe(PendingHealthWebhook, period=period, previous="online")
    for model, text in (("pendingzonewebhook", "loitering"), ("pendinghealthwebhook", "online")):
        listed = admin_client.get(reverse(f"admin:django_video_analytics_{model}_changelist"))
        assert listed.status_code == 200 and text in listed.content.decode()
        add = admin_client.get(reverse(f"admin:django_video_analytics_{model}_add"))
        assert add.status_code == 403
