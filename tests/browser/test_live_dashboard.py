"""Debian's headless Chromium watches the example pages update themselves as events arrive."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.events.wire import build_anpr, build_detection, build_line_crossing
from django_video_analytics.models import Camera, EventStatistics, Zone, ZoneCount
from tests.browser.conftest import OUTPUT_DIR, needs_chromium
from tests.zones.conftest import LINE_POINTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


@pytest.fixture
def browser_page(open_page, django_user_model):
    """A Chromium page logged in to the live server as a user who may view cameras."""
    user = django_user_model.objects.create_user("operator", password="secret")
    user.user_permissions.add(Permission.objects.get(codename="view_camera"))
    return open_page(user)


def publish_events(camera_id):
    now = timezone.now()
    box = {"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4}
    person = {"class_name": "person", "confidence": 0.9, "bounding_box": box}
    car = {"class_name": "car", "confidence": 0.8, "bounding_box": box}
    entries = [
        build_detection(camera_id, now, n, [person, car], "yolov8n", "8.1.0") for n in range(3)
    ]
    entries.append(build_anpr(camera_id, now, 4, "GX19WHN", 0.93))
    EventPublisher().publish_many(entries)


def test_live_counter_changes_without_reload(example_pages, browser_page, live_server):
    Camera.objects.create(
        camera_id="gate",
        name="Gate <script>x()</script>",
        status="active",
        last_active_at=timezone.now(),
    )
    page = browser_page
    page.goto(f"{live_server.url}/")
    gate = page.locator('.va-live-counter[data-va-camera="gate"][data-va-kind="detections"]')
    overall = page.locator("#live-detections .va-live-counter")
    assert gate.inner_text() == "0"
    assert overall.inner_text() == "0"
    assert page.locator("td a").first.inner_text() == "Gate <script>x()</script>"
    page.evaluate("window.notReloaded = true")

    publish_events("gate")
    call_command("consume_events", "--burst")
    stored = EventStatistics.objects.filter(camera__camera_id="gate").aggregate(
        detections=Sum("detection_count"), plates=Sum("anpr_count")
    )
    assert stored["detections"] and stored["plates"] == 1

    page.wait_for_function(
        "([el, value]) => el.textContent === value",
        arg=[gate.element_handle(), str(stored["detections"])],
        timeout=15_000,
    )
    plates = page.locator('.va-live-counter[data-va-camera="gate"][data-va-kind="plates"]')
    page.wait_for_function("el => el.textContent === '1'", arg=plates.element_handle())
    assert overall.inner_text() == str(stored["detections"])
    assert page.evaluate("window.notReloaded") is True

    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "dashboard.png"), full_page=True)

    page.click("td a")
    assert page.locator(".va-analytics--week .va-chart rect").count() >= 2  # person + car
    assert page.locator(".va-feed__objects").first.inner_text() == "person, car"
    assert page.locator(".va-plate").first.inner_text() == "GX19WHN"
    page.screenshot(path=str(OUTPUT_DIR / "camera.png"), full_page=True)

    violations = [text for text in page.console_messages if "Content Security Policy" in text]
    assert violations == []


def test_line_counter_changes_without_reload(example_pages, browser_page, live_server):
    camera = Camera.objects.create(camera_id="gate", name="Gate", status="active")
    door = Zone.objects.create(camera=camera, name="Door <b>", kind="line", points=LINE_POINTS)
    page = browser_page
    polls = []
    page.on("request", lambda request: "/widgets/live/" in request.url and polls.append(request))
    page.goto(f"{live_server.url}/cameras/gate/")
    line = page.locator(f'#lines .va-line-counter:has-text("{door.name}")')
    crossed_in = line.locator(f'dd[data-va-zone="{door.pk}"][data-va-direction="in"]')
    crossed_out = line.locator(f'dd[data-va-zone="{door.pk}"][data-va-direction="out"]')
    assert (crossed_in.inner_text(), crossed_out.inner_text()) == ("0", "0")
    page.evaluate("window.notReloaded = true")

    now = timezone.now()
    EventPublisher().publish_many(
        [build_line_crossing("gate", now, 1, door.name, door.pk, 7, "person", "in")]
    )
    call_command("consume_events", "--burst")
    assert ZoneCount.objects.get(zone=door).crossings_in == 1

    # The new figure, its exact count as the title, and the flash of a changed counter.
    page.wait_for_function(
        "el => el.textContent === '1' && el.title === '1'"
        " && el.classList.contains('va-live-counter--changed')",
        arg=crossed_in.element_handle(),
        timeout=15_000,
    )
    assert (crossed_out.inner_text(), crossed_out.get_attribute("title")) == ("0", "0")
    assert page.evaluate("window.notReloaded") is True
    # One poll per interval carries the camera's counters and the line together.
    queries = [parse_qs(urlsplit(request.url).query) for request in polls]
    assert queries and all(
        query == {"camera": ["gate"], "zone": [str(door.pk)]} for query in queries
    )
    violations = [text for text in page.console_messages if "Content Security Policy" in text]
    assert violations == []
