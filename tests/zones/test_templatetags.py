"""The zone tags rendered from template strings against the real database and cache."""

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from django_video_analytics import zone_counts
from django_video_analytics.models import Camera, Zone
from django_video_analytics.signals import events_stored
from tests.api.factories import make_user

from .conftest import LINE_POINTS, SQUARE
from .test_zone_counts import crossing, visit

XSS = "<script>alert(1)</script>"


def render(source, **context):
    return Template("{% load video_analytics %}" + source).render(Context(context))


@pytest.fixture
def line(camera):
    return Zone.objects.create(camera=camera, name=XSS, kind="line", points=LINE_POINTS)


def test_the_line_counter_shows_today_in_and_out_escaped_for_the_live_script(line):
    now = timezone.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    zone_counts.apply(
        [crossing(line, "in", now) for _ in range(1234)]
        + [crossing(line, "out", now), crossing(line, "out", midnight - timedelta(seconds=1))]
    )
    html = render("{% line_counter zone %}", zone=line)
    name = "&lt;script&gt;alert(1)&lt;/script&gt;"
    live = f'data-va-live="/api/v1/analytics/widgets/live/" data-va-zone="{line.pk}"'
    assert html == (
        f'<figure class="va-line-counter" aria-label="Crossings of {name} today (UTC)">'
        '<svg class="va-line-counter__icon" viewBox="0 0 24 24" width="24" height="24" '
        'aria-hidden="true"><line x1="2" y1="12" x2="22" y2="12"/>'
        '<path d="M8 4 L8 20 M5 17 L8 20 L11 17"/><path d="M16 20 L16 4 M13 7 L16 4 L19 7"/>'
        f"</svg><figcaption>{name}</figcaption><dl>"
        '<div class="va-counter va-counter--in"><dt>In</dt><dd class="va-live-counter" '
        f'{live} data-va-direction="in" data-va-every="5000" title="1234">1.2K</dd></div>'
        '<div class="va-counter va-counter--out"><dt>Out</dt><dd class="va-live-counter" '
        f'{live} data-va-direction="out" data-va-every="5000" title="1">1</dd></div>'
        '</dl></figure><script src="/static/django_video_analytics/live.js" defer></script>\n'
    )


def test_the_line_counter_shares_the_live_script_and_takes_an_interval(line, camera):
    request = RequestFactory().get("/")
    html = render(
        "{% live_counter camera %}{% line_counter zone every=2.5 %}{% line_counter zone %}",
        zone=line,
        camera=camera,
        request=request,
    )
    assert html.count("live.js") == 1
    assert html.count('data-va-every="2500"') == 2  # in and out of the first line counter
    assert html.count(f'data-va-zone="{line.pk}"') == 4


def test_the_line_counter_is_refreshed_when_events_of_its_camera_are_stored(line):
    assert 'title="0"' in render("{% line_counter zone_id %}", zone_id=line.pk)
    zone_counts.apply([crossing(line, "in", timezone.now())])
    assert 'title="0"' in render("{% line_counter zone_id %}", zone_id=line.pk)  # cached
    events_stored.send(sender=None, camera_ids=["cam-1"], counts={}, events=[])
    html = render("{% line_counter zone_id %}", zone_id=line.pk)
    assert 'data-va-direction="in" data-va-every="5000" title="1">1</dd>' in html


def test_the_line_counter_costs_at_most_two_queries(line, django_assert_max_num_queries):
    zone_counts.apply([crossing(line, "in", timezone.now())])
    with django_assert_max_num_queries(2):  # the zone by its id, today's crossings
        assert 'title="1">1</dd>' in render("{% line_counter zone_id %}", zone_id=line.pk)
    with django_assert_max_num_queries(1):  # the zone; the crossings are cached
        render("{% line_counter zone_id %}", zone_id=line.pk)


def test_zone_occupancy_draws_the_peak_against_the_limit(camera):
    hall = Zone.objects.create(camera=camera, name="hall", points=SQUARE, occupancy_limit=4)
    zone_counts.apply(visits=[visit(hall, timezone.now(), occupancy=5, closed=False)])
    html = render("{% zone_occupancy zone %}", zone=hall)
    assert "va-occupancy--over" in html
    assert "hall: 5 / 4" in html
    assert 'class="va-occupancy__fill" x="0" y="0" width="100.0"' in html
    assert 'x1="80.0"' in html
    assert "<li>person 5</li>" in html


def test_the_hourly_chart_draws_in_and_out_bars_per_hour(line):
    now = timezone.now()
    zone_counts.apply(
        [crossing(line, "in", now), crossing(line, "in", now)]
        + [crossing(line, "out", now - timedelta(hours=2))]
    )
    html = render("{% zone_hourly_chart zone hours=3 %}", zone=line)
    bars = re.findall(
        r'<rect class="va-chart__bar va-chart__bar--([a-z-]+)" [^>]*height="([\d.]+)"', html
    )
    assert bars == [("crossings-out", "40.0"), ("crossings-in", "80.0")]
    assert "peak 2/hour" in html
    assert XSS not in html


def test_hidden_or_missing_zones_render_nothing(line, settings):
    other = Camera.objects.create(camera_id="cam-2", name="Back", location="private")
    secret = Zone.objects.create(camera=other, name="safe", points=SQUARE)
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "CAMERA_QUERYSET_HOOK": "tests.api.test_cameras.only_public_cameras",
    }
    request = RequestFactory().get("/")
    request.user = make_user("viewer")
    for tag in ("line_counter", "zone_occupancy", "zone_hourly_chart", "zone_dwell_histogram"):
        assert render(f"{{% {tag} zone %}}", zone=secret, request=request).strip() == ""
        assert render(f"{{% {tag} 999 %}}").strip() == ""


def test_the_dwell_histogram_draws_the_visits_per_bin_exactly(camera):
    hall = Zone.objects.create(camera=camera, name=XSS, points=SQUARE)
    now = timezone.now()
    zone_counts.apply(
        visits=[
            visit(hall, now, dwell=4),
            visit(hall, now - timedelta(hours=30), dwell=9.5),
            visit(hall, now, dwell=45),
            visit(hall, now - timedelta(days=6, hours=23), dwell=1000),
            visit(hall, now, dwell=70, closed=False),  # open: counted when it closes
            visit(hall, now - timedelta(days=7), dwell=100),  # before the last 7 days
        ]
    )
    html = render("{% zone_dwell_histogram zone %}", zone=hall)
    name = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert html == (
        f'<figure class="va-zone-chart va-zone-dwell"><figcaption>{name}</figcaption>'
        '<svg class="va-chart" viewBox="0 0 320 80" preserveAspectRatio="none" role="img" '
        f'aria-label="Visits of {name} by time spent, last 7 days">\n'
        '<rect class="va-chart__bar va-chart__bar--dwell" x="2.0" y="0.0" width="49.33" '
        'height="80.0"><title>under 10 s: 2</title></rect>\n'
        '<rect class="va-chart__bar va-chart__bar--dwell" x="108.67" y="40.0" width="49.33" '
        'height="40.0"><title>30 s to 1 min: 1</title></rect>\n'
        '<rect class="va-chart__bar va-chart__bar--dwell" x="268.67" y="40.0" width="49.33" '
        'height="40.0"><title>15 min or more: 1</title></rect>\n'
        '</svg><ol class="va-zone-dwell__bins"><li>under 10 s</li><li>10 s to 30 s</li>'
        "<li>30 s to 1 min</li><li>1 min to 5 min</li><li>5 min to 15 min</li>"
        '<li>15 min or more</li></ol><p class="va-chart__axis">4 visits</p></figure>\n'
    )
    one_day = render("{% zone_dwell_histogram zone days=1 %}", zone=hall)
    assert "last day" in one_day and "2 visits" in one_day


def test_the_dwell_histogram_costs_at_most_two_queries(
    camera, settings, django_assert_max_num_queries
):
    hall = Zone.objects.create(camera=camera, name="hall", points=SQUARE)
    zone_counts.apply(visits=[visit(hall, timezone.now(), dwell=20)])
    with django_assert_max_num_queries(2):  # the zone by its id, the bins
        assert "1 visit<" in render("{% zone_dwell_histogram zone_id %}", zone_id=hall.pk)
    with django_assert_max_num_queries(1):  # the zone; the bins are cached
        render("{% zone_dwell_histogram zone_id %}", zone_id=hall.pk)
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "CAMERA_QUERYSET_HOOK": "tests.api.test_cameras.only_public_cameras",
    }
    Camera.objects.filter(pk=camera.pk).update(location="public")
    request = RequestFactory().get("/")
    request.user = make_user("viewer")
    with django_assert_max_num_queries(2):  # the user's cameras, the bins (cached)
        html = render("{% zone_dwell_histogram zone %}", zone=hall, request=request)
    assert "<title>10 s to 30 s: 1</title>" in html
