"""No admin page renders a stored credential, for view-only staff or editors."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_video_analytics.models import (
    ANPREvent,
    Camera,
    PlateAlert,
    WatchlistEntry,
    WebhookDelivery,
    Zone,
)

CAMERA_URL = "rtsp://admin:Pa55@word@[fd00::5]:554/live?token=T0kenValue"
WEBHOOK_URL = "https://hook:H00kPass@hooks.example.com/in?sig=S1gValue"
WEBHOOK_SECRET = "WhSecretValue"
SECRETS = ("Pa55", "word@", "T0kenValue", "H00kPass", "S1gValue", WEBHOOK_SECRET)

VIEWER_PERMISSIONS = (
    "view_camera",
    "view_watchlistentry",
    "view_platealert",
    "view_webhookdelivery",
    "view_zone",
)
EDITOR_PERMISSIONS = VIEWER_PERMISSIONS + ("change_camera", "change_watchlistentry", "change_zone")


def staff_client(username, codenames):
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(params=["viewer", "editor", "superuser"])
def staff(request, db):
    if request.param == "superuser":
        user = get_user_model().objects.create_superuser("root", password="pw")
        client = Client()
        client.force_login(user)
        return client
    codenames = VIEWER_PERMISSIONS if request.param == "viewer" else EDITOR_PERMISSIONS
    return staff_client(request.param, codenames)


@pytest.fixture
def rows(db):
    camera = Camera.objects.create(
        camera_id="gate",
        name="Gate",
        stream_url=CAMERA_URL,
        status=Camera.Status.ERROR,
        last_error=f"cannot open {CAMERA_URL}",
    )
    entry = WatchlistEntry.objects.create(
        plate="AB12CDE", webhook_url=WEBHOOK_URL, webhook_secret=WEBHOOK_SECRET
    )
    event = ANPREvent.objects.create(
        camera=camera,
        timestamp=timezone.now(),
        source_id="s:1",
        license_plate="AB12CDE",
        confidence=0.9,
    )
    alert = PlateAlert.objects.create(
        entry=entry, event=event, camera=camera, license_plate="AB12CDE"
    )
    delivery = WebhookDelivery.objects.create(alert=alert, url=WEBHOOK_URL, attempt=1)
    zone = Zone.objects.create(
        camera=camera,
        name="waiting",
        points=[[0.1, 0.1], [0.4, 0.1], [0.4, 0.4]],
        webhook_url=WEBHOOK_URL,
        webhook_secret=WEBHOOK_SECRET,
    )
    return {"camera": camera, "entry": entry, "alert": alert, "delivery": delivery, "zone": zone}


def admin_pages(rows):
    pages = []
    for model, row in (
        ("camera", rows["camera"]),
        ("watchlistentry", rows["entry"]),
        ("platealert", rows["alert"]),
        ("webhookdelivery", rows["delivery"]),
        ("zone", rows["zone"]),
    ):
        pages.append(reverse(f"admin:django_video_analytics_{model}_changelist"))
        pages.append(reverse(f"admin:django_video_analytics_{model}_change", args=[row.pk]))
        pages.append(reverse(f"admin:django_video_analytics_{model}_history", args=[row.pk]))
    return pages


def assert_no_secret(html):
    for secret in SECRETS:
        assert secret not in html


def test_no_admin_page_renders_a_secret(staff, rows):
    for page in admin_pages(rows):
        response = staff.get(page)
        assert response.status_code == 200, page
        assert_no_secret(response.content.decode())


def test_view_only_staff_see_the_masked_url(db, rows):
    viewer = staff_client("viewer", VIEWER_PERMISSIONS)
    change = reverse("admin:django_video_analytics_camera_change", args=[rows["camera"].pk])
    html = viewer.get(change).content.decode()
    assert "rtsp://***:***@[fd00::5]:554/live?token=***" in html
    entry = reverse("admin:django_video_analytics_watchlistentry_change", args=[rows["entry"].pk])
    html = viewer.get(entry).content.decode()
    assert "https://***:***@hooks.example.com/in?sig=***" in html
    zone = reverse("admin:django_video_analytics_zone_change", args=[rows["zone"].pk])
    html = viewer.get(zone).content.decode()
    assert "https://***:***@hooks.example.com/in?sig=***" in html


def entry_form(**changes):
    return {
        "plate": "AB12CDE",
        "max_distance": "0",
        "label": "",
        "note": "",
        "is_active": "on",
        "webhook_url": "https://***:***@hooks.example.com/in?sig=***",
        "webhook_secret": "",
        **changes,
    }


def test_blank_secret_keeps_the_stored_one_and_history_holds_no_secret(db, rows):
    editor = staff_client("editor", EDITOR_PERMISSIONS)
    entry = rows["entry"]
    change = reverse("admin:django_video_analytics_watchlistentry_change", args=[entry.pk])
    response = editor.post(change, entry_form(label="renamed"))
    assert response.status_code == 302, response.content.decode()[:3000]
    entry.refresh_from_db()
    assert (entry.label, entry.webhook_url, entry.webhook_secret) == (
        "renamed",
        WEBHOOK_URL,
        WEBHOOK_SECRET,
    )

    response = editor.post(change, entry_form(webhook_secret="NewSecretValue"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.webhook_secret == "NewSecretValue"
    history = editor.get(
        reverse("admin:django_video_analytics_watchlistentry_history", args=[entry.pk])
    ).content.decode()
    assert "NewSecretValue" not in history
    for log in LogEntry.objects.all():
        assert "NewSecretValue" not in f"{log.object_repr} {log.change_message}"
        assert WEBHOOK_SECRET not in f"{log.object_repr} {log.change_message}"


def zone_form(zone, **changes):
    return {
        "camera": str(zone.camera_id),
        "name": zone.name,
        "kind": "polygon",
        "points": "[[0.1, 0.1], [0.4, 0.1], [0.4, 0.4]]",
        "in_side": "left",
        "classes": "[]",
        "anchor": "bottom_centre",
        "min_distance": "0.02",
        "inertia_frames": "2",
        "loiter_seconds": "60",
        "occupancy_limit": "",
        "webhook_url": "https://***:***@hooks.example.com/in?sig=***",
        "webhook_secret": "",
        "enabled": "on",
        **changes,
    }


def test_a_zones_webhook_secret_is_write_only_and_its_url_checked(db, rows):
    editor = staff_client("editor", EDITOR_PERMISSIONS)
    zone = rows["zone"]
    change = reverse("admin:django_video_analytics_zone_change", args=[zone.pk])
    response = editor.post(change, zone_form(zone, loiter_seconds="90"))
    assert response.status_code == 302, response.content.decode()[:3000]
    zone.refresh_from_db()
    assert (zone.loiter_seconds, zone.webhook_url, zone.webhook_secret) == (
        90.0,
        WEBHOOK_URL,
        WEBHOOK_SECRET,
    )
    response = editor.post(change, zone_form(zone, webhook_secret="NewSecretValue"))
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.webhook_secret == "NewSecretValue"
    assert "NewSecretValue" not in editor.get(change).content.decode()
    for log in LogEntry.objects.all():
        assert "NewSecretValue" not in f"{log.object_repr} {log.change_message}"

    # The cloud metadata address: refused by the outbound policy when saved.
    response = editor.post(change, zone_form(zone, webhook_url="http://169.254.169.254/latest/"))
    assert response.status_code == 200
    assert "non-public" in response.content.decode()
    zone.refresh_from_db()
    assert zone.webhook_url == WEBHOOK_URL
