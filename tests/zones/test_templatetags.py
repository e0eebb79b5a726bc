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


def test_the_line_counter_shows_today_in_and_out_escaped(line):
    now = timezone.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    zone_counts.apply(
        [crossing(line, "in", now), crossing(line, "in", now), crossing(line, "out", now)]
        + [crossing(line, "out", midnight - timedelta(seconds=1))]
    )
    html = render("{% line_counter zone %}", zone=line)
    assert XSS not in html and "&lt;script&gt;" in html
    assert re.search(r'va-counter--in"><dt>In</dt><dd title="2">2</dd>', html)
    assert re.search(r'va-counter--out"><dt>Out</dt><dd title="1">1</dd>', html)
    assert "<svg" in html


def test_the_line_counter_is_refreshed_when_events_of_its_camera_are_stored(line):
    assert 'title="0"' in render("{% line_counter zone_id %}", zone_id=line.pk)
    zone_counts.apply([crossing(line, "in", timezone.now())])
    assert 'title="0"' in render("{% line_counter zone_id %}", zone_id=line.pk)  # cached
    events_stored.send(sender=None, camera_ids=["cam-1"], counts={}, events=[])
    assert 'va-counter--in"><dt>In</dt><dd title="1"' in render(
        "{% line_counter zone_id %}", zone_id=line.pk
    )


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
    for tag in ("line_counter", "zone_occupancy", "zone_hourly_chart"):
        assert render(f"{{% {tag} zone %}}", zone=secret, request=request).strip() == ""
        assert render(f"{{% {tag} 999 %}}").strip() == ""
