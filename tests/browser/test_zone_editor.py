"""The admin's zone editor in Chromium: drawn with the mouse, saved, read back from the database."""

import datetime
import os
import shutil

import pytest
from django.utils import timezone

from django_video_analytics.models import Camera, DetectionEvent, Zone
from tests.browser.conftest import OUTPUT_DIR, needs_chromium

# The snapshots are drawn with Pillow, which only the inference extra brings.
pytest.importorskip("PIL", reason="the snapshots are drawn with Pillow")
from tests.browser.scene import CAR_BOX, PERSON_BOX, frame_with  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]

DOCS_IMAGES = OUTPUT_DIR.parent / "docs" / "images"
ADD = "/admin/django_video_analytics/zone/add/"
VIEWPORT = {"width": 1280, "height": 1400}  # the whole editor in view, for page.mouse
STRICT_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'"
TOLERANCE = 0.003  # about 2 pixels of an 800-pixel-wide snapshot


@pytest.fixture
def cameras(settings):
    """Two cameras with a snapshot each, one without, one whose snapshot file is missing."""
    settings.ROOT_URLCONF = "tests.browser.urls"
    made = {}
    for camera_id, box in (("gate", PERSON_BOX), ("yard", CAR_BOX)):
        camera = Camera.objects.create(camera_id=camera_id, name=camera_id.title())
        event = DetectionEvent(camera=camera, timestamp=timezone.now(), source_id=camera_id)
        event.snapshot.save(f"{camera_id}.jpg", frame_with((box, (196, 170, 140))), save=False)
        event.save()
        made[camera_id] = camera
    made["dock"] = Camera.objects.create(camera_id="dock", name="Dock")
    made["lost"] = Camera.objects.create(camera_id="lost", name="Lost")
    DetectionEvent.objects.create(  # its file is gone
        camera=made["lost"],
        timestamp=timezone.now(),
        source_id="lost",
        snapshot="video_analytics/snapshots/lost.jpg",
    )
    # An older event of the gate with another snapshot: never the one shown.
    DetectionEvent.objects.create(
        camera=made["gate"],
        timestamp=timezone.now() - datetime.timedelta(hours=1),
        source_id="gate:old",
        snapshot="video_analytics/snapshots/gate-old.jpg",
    )
    return made


@pytest.fixture
def editor_page(open_page, admin_user, live_server):
    """``editor_page(query)``: the zone add page, its JavaScript errors collected."""

    def editor_page(query=""):
        page = open_page(admin_user, viewport=VIEWPORT)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.route("**/zone/add/**", with_strict_csp)
        page.goto(f"{live_server.url}{ADD}{query}")
        page.locator(".va-zone-editor").wait_for()  # shown by the script
        return page

    return editor_page


def with_strict_csp(route):
    """The admin page served as a host with a strict Content-Security-Policy would serve it."""
    if route.request.method != "GET":
        route.continue_()  # the form's post: its redirect must reach the page
        return
    response = route.fetch()
    headers = {**response.headers, "content-security-policy": STRICT_CSP}
    route.fulfill(response=response, headers=headers)


def wait_for_snapshot(page, name):
    page.wait_for_function(
        """name => {
            const image = document.querySelector('.va-zone-editor__image');
            return !image.hidden && image.complete && image.naturalWidth > 0
                && image.src.endsWith('/' + name);
        }""",
        arg=name,
    )


def at(page, x, y):
    """The page position of the normalised point (x, y) of the snapshot."""
    box = page.locator(".va-zone-editor__image").bounding_box()
    return box["x"] + x * box["width"], box["y"] + y * box["height"]


def click(page, x, y):
    page.mouse.click(*at(page, x, y))


def drag(page, start, end):
    page.mouse.move(*at(page, *start))
    page.mouse.down()
    page.mouse.move(*at(page, *end), steps=8)
    page.mouse.up()


def drawn_points(page):
    return page.evaluate("JSON.parse(document.querySelector('#id_points').value)")


def save(page, name):
    page.fill("#id_name", name)
    page.click("input[name=_save]")
    page.wait_for_url("**/zone/")
    return Zone.objects.get(name=name)


def assert_no_errors(page):
    """No JavaScript error, and nothing the strict policy blocked."""
    assert page.errors == []
    assert [m for m in page.console_messages if "Content Security Policy" in m] == []


def assert_points(points, expected):
    assert len(points) == len(expected)
    for point, wanted in zip(points, expected, strict=True):
        assert point == pytest.approx(wanted, abs=TOLERANCE)


def test_a_polygon_drawn_dragged_and_nudged_is_saved(editor_page, cameras):
    gate = cameras["gate"]
    page = editor_page(f"?camera={gate.pk}")
    wait_for_snapshot(page, DetectionEvent.objects.filter(camera=gate).latest().snapshot.name)
    for point in ((0.2, 0.3), (0.6, 0.25), (0.7, 0.7), (0.25, 0.75)):
        click(page, *point)
    assert page.locator("circle.va-zone-editor__handle").count() == 4
    assert page.locator("polyline.va-zone-editor__shape").count() == 1  # still open
    click(page, 0.2, 0.3)  # the first point closes the polygon
    assert page.locator("polygon.va-zone-editor__shape").count() == 1
    click(page, 0.5, 0.1)  # closed: a click elsewhere adds nothing
    assert len(drawn_points(page)) == 4

    drag(page, (0.7, 0.7), (0.8, 0.8))
    page.keyboard.press("ArrowRight")  # the dragged point keeps the focus
    page.keyboard.press("ArrowRight")
    expected = [[0.2, 0.3], [0.6, 0.25], [0.81, 0.8], [0.25, 0.75]]
    assert_points(drawn_points(page), expected)
    assert all(len(str(value)) <= 6 for point in drawn_points(page) for value in point)
    OUTPUT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / "zone-editor-polygon.png"), full_page=True)

    zone = save(page, "waiting area")
    assert zone.camera == gate and zone.kind == "polygon"
    assert_points(zone.points, expected)
    assert_no_errors(page)


def test_a_line_drawn_on_a_switched_camera_with_its_in_side_flipped(editor_page, cameras):
    page = editor_page()  # no camera chosen yet: the placeholder
    assert page.locator(".va-zone-editor__placeholder").is_visible()
    assert page.locator(".va-zone-editor__image").is_hidden()
    page.select_option("#id_camera", str(cameras["lost"].pk))
    # Its file is missing: the image, tried, gives way to the placeholder.
    page.wait_for_function(
        """() => {
            const image = document.querySelector('.va-zone-editor__image');
            return image.hidden && image.src.endsWith('/lost.jpg');
        }"""
    )
    assert page.locator(".va-zone-editor__placeholder").is_visible()
    page.select_option("#id_camera", str(cameras["dock"].pk))  # a camera without snapshots
    page.select_option("#id_camera", str(cameras["yard"].pk))
    wait_for_snapshot(page, DetectionEvent.objects.get(camera=cameras["yard"]).snapshot.name)
    assert page.locator(".va-zone-editor__placeholder").is_hidden()

    page.select_option("#id_kind", "line")
    click(page, 0.1, 0.6)
    click(page, 0.9, 0.5)
    click(page, 0.5, 0.9)  # a line has two points: this adds nothing
    assert len(drawn_points(page)) == 2
    drag(page, (0.9, 0.5), (0.85, 0.4))

    # Going right and up from the first point, the in side starts on the left: above.
    middle_y = at(page, 0.475, 0.5)[1]
    assert page.locator("#id_in_side").input_value() == "left"
    assert label_y(page) < middle_y
    page.click("button[data-va-action=flip]")
    assert page.locator("#id_in_side").input_value() == "right"
    assert label_y(page) > middle_y
    page.screenshot(path=str(OUTPUT_DIR / "zone-editor-line.png"), full_page=True)
    page.locator(".va-zone-editor-field").screenshot(path=str(OUTPUT_DIR / "zone-editor.png"))
    if os.environ.get("DVA_UPDATE_DOC_IMAGES"):
        shutil.copy(OUTPUT_DIR / "zone-editor.png", DOCS_IMAGES / "zone-editor.png")

    zone = save(page, "door")
    assert zone.camera == cameras["yard"] and zone.kind == "line"
    assert zone.in_side == "right"
    assert_points(zone.points, [[0.1, 0.6], [0.85, 0.4]])
    assert_no_errors(page)


def label_y(page):
    box = page.locator("text.va-zone-editor__in").bounding_box()
    return box["y"] + box["height"] / 2


def test_server_errors_show_in_the_admin_and_points_can_be_removed(editor_page, cameras):
    gate = cameras["gate"]
    snapshot = DetectionEvent.objects.filter(camera=gate).latest().snapshot.name
    page = editor_page(f"?camera={gate.pk}")
    wait_for_snapshot(page, snapshot)
    page.select_option("#id_kind", "line")
    click(page, 0.3, 0.3)  # one point only
    page.fill("#id_name", "half a line")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert "needs 2 points" in page.locator(".errorlist").first.inner_text()
    wait_for_snapshot(page, snapshot)  # the posted camera's
    assert page.locator("circle.va-zone-editor__handle").count() == 1
    click(page, 0.6, 0.3)
    page.click("button[data-va-action=remove]")  # the selected point: the one just added
    assert_points(drawn_points(page), [[0.3, 0.3]])
    page.focus("circle[data-va-index='0']")
    page.keyboard.press("Delete")
    assert drawn_points(page) == []
    click(page, 0.3, 0.3)
    click(page, 0.6, 0.35)
    zone = save(page, "half a line")
    assert_points(zone.points, [[0.3, 0.3], [0.6, 0.35]])
    assert_no_errors(page)
