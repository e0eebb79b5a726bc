"""The styled widgets in Chromium: light and dark, desktop and phone, boxes and the browser."""

import os
import shutil

import pytest
from django.contrib.auth.models import Permission

from django_video_analytics.models import ANPREvent
from tests.api.factories import READ_PERMISSIONS
from tests.browser.conftest import OUTPUT_DIR, needs_chromium

# The scenes draw their snapshots with Pillow, which only the inference extra brings.
pytest.importorskip("PIL", reason="the scenes draw snapshots with Pillow")
from tests.browser.scene import CAR_BOX, PERSON_BOX, build  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
PAGE_BACKGROUNDS = {"light": "rgb(243, 244, 246)", "dark": "rgb(11, 17, 32)"}
DOCS_IMAGES = OUTPUT_DIR.parent / "docs" / "images"
# Text whose contrast with what is behind it must meet WCAG AA (4.5:1).
TEXT_SELECTORS = (
    ".va-page__main h1",
    ".va-page a",
    ".va-badge",
    ".va-counter dt",
    ".va-counter dd",
    ".va-live-counter",
    ".va-feed__time",
    ".va-feed__objects",
    ".va-feed__confidence",
    ".va-plate",
    ".va-chart__axis",
    ".va-chart__key",
    ".va-table th",
    ".va-browser__field",
    ".va-browser__hint",
    ".va-button",
)
CONTRAST = """selectors => {
  const parse = colour => {
    const parts = colour.match(/[\\d.]+/g).map(Number);
    return parts.length === 3 ? [...parts, 1] : parts;
  };
  const channel = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const behind = el => {
    for (; el; el = el.parentElement) {
      const colour = parse(getComputedStyle(el).backgroundColor);
      if (colour[3] > 0.5) return colour;
    }
    return [255, 255, 255, 1];
  };
  const ratios = [];
  for (const selector of selectors) {
    for (const el of Array.from(document.querySelectorAll(selector)).slice(0, 3)) {
      const [high, low] = [luminance(parse(getComputedStyle(el).color)), luminance(behind(el))]
        .sort((a, b) => b - a);
      ratios.push([selector, Math.round((high + 0.05) / (low + 0.05) * 100) / 100]);
    }
  }
  return ratios;
}"""
# Widgets cropped for docs/templatetags.md: name -> selector on the camera or events page.
DOC_WIDGETS = {
    "camera": {
        "camera-status": "h1 .va-badge",
        "live-counter": "#live p",
        "event-counters": "#live .va-counters",
        "camera-analytics": "#analytics .va-analytics--week",
        "event-feed-detections": "#detections .va-feed",
        "event-feed-plates": "#plates .va-feed",
        "event-snapshot": "#detections .va-snapshot",
    },
    "dashboard": {"activity-sparkline": "#overview p:last-of-type", "dashboard": "main"},
    "events": {"events-browser": ".va-browser"},
}


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user("viewer", password="secret")
    user.user_permissions.set(Permission.objects.filter(codename__in=READ_PERMISSIONS))
    return user


def contrast_failures(page):
    ratios = page.evaluate(CONTRAST, list(TEXT_SELECTORS))
    assert len(ratios) > 10  # the selectors found the widgets
    return [(selector, ratio) for selector, ratio in ratios if ratio < 4.5]


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # Lazy images below the fold: scroll them in so the screenshot shows them.
    page.evaluate(
        "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")


def crop(page, selector, path):
    box = page.locator(selector).first.bounding_box()
    pad = 8
    clip = {
        "x": max(box["x"] - pad, 0),
        "y": max(box["y"] - pad, 0),
        "width": box["width"] + 2 * pad,
        "height": box["height"] + 2 * pad,
    }
    page.screenshot(path=str(path), clip=clip, full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_styled_pages(example_pages, open_page, viewer, live_server, scheme, size):
    build()
    page = open_page(viewer, viewport=VIEWPORTS[size], color_scheme=scheme)
    OUTPUT_DIR.mkdir(exist_ok=True)
    pages = {"dashboard": "/", "camera": "/cameras/gate/", "events": "/events/"}
    for name, path in pages.items():
        visit(page, f"{live_server.url}{path}")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == PAGE_BACKGROUNDS[scheme], name
        assert contrast_failures(page) == [], name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"
        page.screenshot(path=str(OUTPUT_DIR / f"{name}-{scheme}-{size}.png"), full_page=True)
        if size == "desktop":
            docs = OUTPUT_DIR / "docs"
            docs.mkdir(exist_ok=True)
            for widget, selector in DOC_WIDGETS[name].items():
                crop(page, selector, docs / f"{widget}-{scheme}.png")

    assert [m for m in page.console_messages if "Content Security Policy" in m] == []
    if size == "desktop" and os.environ.get("DVA_UPDATE_DOC_IMAGES"):
        for image in (OUTPUT_DIR / "docs").glob(f"*-{scheme}.png"):
            shutil.copy(image, DOCS_IMAGES / image.name)


def test_data_theme_overrides_the_system_preference(example_pages, open_page, viewer, live_server):
    build(plates=1)
    page = open_page(viewer, color_scheme="dark")
    visit(page, f"{live_server.url}/cameras/gate/")
    page.evaluate("document.documentElement.dataset.theme = 'light'")
    assert (
        page.evaluate("getComputedStyle(document.body).backgroundColor")
        == PAGE_BACKGROUNDS["light"]
    )
    assert contrast_failures(page) == []
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.emulate_media(color_scheme="light")
    assert (
        page.evaluate("getComputedStyle(document.body).backgroundColor") == PAGE_BACKGROUNDS["dark"]
    )


def test_keyboard_focus_is_visible(example_pages, open_page, viewer, live_server):
    build(plates=1)
    page = open_page(viewer, color_scheme="dark")
    visit(page, f"{live_server.url}/events/")
    page.locator("select[name=kind]").focus()
    page.keyboard.press("Tab")  # to the camera filter
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.name, s.outlineStyle, s.outlineWidth]; })()"
    )
    assert outline == ["camera__camera_id", "solid", "3px"]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_boxes_sit_on_their_objects(example_pages, open_page, viewer, live_server, size):
    build(plates=1)
    page = open_page(viewer, viewport=VIEWPORTS[size])
    visit(page, f"{live_server.url}/cameras/gate/")
    snapshot = page.locator("#detections .va-snapshot").first
    snapshot.scroll_into_view_if_needed()
    assert_boxes_match(snapshot)
    labels = snapshot.locator("text.va-box__label").all_text_contents()
    assert labels == ["person 0.91 #3", "car 0.84 #5 GX19WHN"]
    image = snapshot.locator("img").bounding_box()
    for label in snapshot.locator("text.va-box__label").all():
        drawn = label.bounding_box()  # each label stays inside the frame
        assert (
            image["x"] <= drawn["x"] and drawn["x"] + drawn["width"] <= image["x"] + image["width"]
        )

    snapshot.locator("a").click()  # the lightbox: the same boxes over a larger image
    lightbox = page.locator("dialog.va-lightbox[open] .va-snapshot")
    lightbox.locator("img").wait_for()
    page.wait_for_function("document.querySelector('dialog[open] img').complete")
    small = snapshot.locator("img").bounding_box()["width"]
    assert lightbox.locator("img").bounding_box()["width"] > small
    assert_boxes_match(lightbox)
    page.keyboard.press("Escape")
    assert page.locator("dialog.va-lightbox[open]").count() == 0
    page.screenshot(path=str(OUTPUT_DIR / f"snapshot-boxes-{size}.png"))


def assert_boxes_match(snapshot):
    """Each rect's geometry (without its stroke), on the page, covers its stored box."""
    image = snapshot.locator("img").bounding_box()
    assert image["width"] > 50
    rects = snapshot.locator("rect.va-box").evaluate_all(
        """rects => rects.map(rect => {
            const svg = rect.ownerSVGElement.getBoundingClientRect();
            const box = rect.getBBox();
            return {x: svg.x + box.x, y: svg.y + box.y, width: box.width, height: box.height};
        })"""
    )
    assert len(rects) == 2
    for drawn, box in zip(rects, (PERSON_BOX, CAR_BOX), strict=True):
        expected = {
            "x": image["x"] + box["x"] * image["width"],
            "y": image["y"] + box["y"] * image["height"],
            "width": box["width"] * image["width"],
            "height": box["height"] * image["height"],
        }
        assert drawn == pytest.approx(expected, abs=0.5)


def test_events_browser_filters_by_partial_plate_and_pages(
    example_pages, open_page, viewer, live_server
):
    build(plates=60)
    expected = list(
        ANPREvent.objects.filter(license_plate__icontains="x19")
        .order_by("-timestamp", "-id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 36  # two pages of 24
    page = open_page(viewer, viewport=PHONE)
    visit(page, f"{live_server.url}/events/")
    page.fill("input[name=license_plate__icontains]", "x19")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    def shown():
        return [
            int(pk)
            for pk in page.locator("[data-va-event]").evaluate_all(
                "rows => rows.map(row => row.dataset.vaEvent)"
            )
        ]

    first = shown()
    plates = page.locator(".va-plate").all_inner_texts()
    assert all("X19" in plate for plate in plates) and len(plates) == 24
    page.keyboard.press("n")  # the next page, from the keyboard
    page.wait_for_url("**cursor=**")
    second = shown()
    assert first + second == expected
    assert page.locator("[data-va-next]").count() == 0
    page.keyboard.press("p")
    page.wait_for_function("document.querySelectorAll('[data-va-event]').length === 24")
    assert shown() == first

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    current = page.locator("[data-va-row][aria-current=true]")
    assert current.get_attribute("data-va-event") == str(first[1])
    page.keyboard.press("Enter")  # opens the row's snapshot
    page.locator("dialog.va-lightbox[open]").wait_for()
    page.screenshot(path=str(OUTPUT_DIR / "events-browser-phone.png"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_event_page_draws_the_boxes(
    example_pages, open_page, admin_user, live_server, scheme
):
    event, _ = build(plates=1)
    page = open_page(admin_user, color_scheme=scheme)
    visit(page, f"{live_server.url}/admin/django_video_analytics/detectionevent/{event.pk}/change/")
    snapshot = page.locator(".field-annotated_snapshot .va-snapshot")
    snapshot.scroll_into_view_if_needed()
    assert_boxes_match(snapshot)
    snapshot.locator("a").click()
    page.locator("dialog.va-lightbox[open] img").wait_for()
    page.screenshot(path=str(OUTPUT_DIR / f"admin-detection-{scheme}.png"), full_page=True)


def test_a_host_rethemes_with_one_rule(example_pages, open_page, viewer, live_server):
    build(plates=1)
    page = open_page(viewer, color_scheme="dark")
    visit(page, f"{live_server.url}/cameras/gate/")
    # What a host's stylesheet would say (CSSOM, as the page's policy forbids inline styles).
    page.evaluate(
        "document.styleSheets[0].insertRule(':root { --va-accent: #c4b5fd; --va-radius: 0px }')"
    )
    link = "getComputedStyle(document.querySelector('.va-page a')).color"
    assert page.evaluate(link) == "rgb(196, 181, 253)"
    corner = "getComputedStyle(document.querySelector('.va-card')).borderTopLeftRadius"
    assert page.evaluate(corner) == "0px"
