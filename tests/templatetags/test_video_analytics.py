"""The tag library rendered from template strings against a real database and Redis cache."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

import django_video_analytics
from django_video_analytics.models import ANPREvent, Camera, DetectionEvent, EventStatistics
from django_video_analytics.signals import events_stored
from django_video_analytics.statistics import today as utc_today

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
ESCAPED_XSS = "&lt;script&gt;alert(1)&lt;/script&gt;"
# The installed package's static folder (the wheel's, when the tests run against it).
STATIC_DIR = Path(django_video_analytics.__file__).resolve().parent / "static"
STATIC_DIR = STATIC_DIR / "django_video_analytics"
ESCAPED_XSS_PLATE = "&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;"


def render(source, **context):
    return Template("{% load video_analytics %}" + source).render(Context(context))


def days_ago(n):
    return utc_today() - datetime.timedelta(days=n)


def add_statistics(camera, days_back, **counts):
    return EventStatistics.objects.create(camera=camera, date=days_ago(days_back), **counts)


def add_detection(camera, seconds_ago, classes, **fields):
    timestamp = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    return DetectionEvent.objects.create(
        camera=camera,
        timestamp=timestamp,
        source_id=f"test:{camera.camera_id}:{seconds_ago}:d",
        detections=[{"class_name": name, "confidence": 0.9} for name in classes],
        detection_count=len(classes),
        **fields,
    )


def add_plate(camera, seconds_ago, plate):
    return ANPREvent.objects.create(
        camera=camera,
        timestamp=timezone.now() - datetime.timedelta(seconds=seconds_ago),
        source_id=f"test:{camera.camera_id}:{seconds_ago}:p",
        license_plate=plate,
        confidence=0.875,
    )


class TestFilters:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (0, "0"),
            (999, "999"),
            (1000, "1K"),
            (1234, "1.2K"),
            (999_999, "999.9K"),
            (1_234_567, "1.2M"),
            (2_500_000_000, "2.5B"),
            (-1500, "-1.5K"),
            ("1234", "1.2K"),
            ("n/a", "n/a"),
        ],
    )
    def test_format_count(self, value, expected):
        assert render("{{ value|format_count }}", value=value) == expected

    @pytest.mark.parametrize(
        ("plate", "groups", "expected"),
        [
            ("gx19-whn", "", "GX19 WHN"),
            ("  ab 12   cd ", "", "AB 12 CD"),
            ("GX19WHN", "4-3", "GX19 WHN"),
            ("B-MW 1234", "1-2-4", "B MW 1234"),
            ("GX19WHN", "2-2", "GX19WHN"),  # sizes do not add up: left as read
        ],
    )
    def test_format_plate(self, plate, groups, expected):
        assert render("{{ plate|format_plate:groups }}", plate=plate, groups=groups) == expected

    def test_format_plate_escapes(self):
        assert render("{{ plate|format_plate }}", plate=XSS) == ESCAPED_XSS_PLATE

    def test_detection_summary(self):
        detections = [{"class_name": "person"}, {"class_name": "car"}, {"class_name": "person"}]
        assert render("{{ d|detection_summary }}", d=detections) == "person ×2, car"


class TestCameraStatus:
    def test_active(self, camera, django_assert_num_queries):
        Camera.objects.filter(pk=camera.pk).update(status="active", last_active_at=timezone.now())
        camera.refresh_from_db()
        with django_assert_num_queries(0):
            html = render("{% camera_status camera %}", camera=camera)
        assert html == '<span class="va-badge va-badge--active">Active</span>'

    def test_inactive_found_in_context(self, camera):
        assert render("{% camera_status %}", camera=camera) == (
            '<span class="va-badge va-badge--inactive">Inactive</span>'
        )

    def test_error_shows_last_error_escaped(self, camera):
        camera.status, camera.last_error = "error", f"Cannot open {XSS}"
        assert render("{% camera_status %}", camera=camera) == (
            f'<span class="va-badge va-badge--error" title="Cannot open {ESCAPED_XSS}">Error '
            f'<span class="va-badge__detail">Cannot open {ESCAPED_XSS}</span></span>'
        )

    def test_stale_heartbeat(self, camera, settings):
        settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "HEARTBEAT_STALE_SECONDS": 120}
        camera.status = "active"
        camera.last_active_at = timezone.now() - datetime.timedelta(minutes=5)
        assert render("{% camera_status %}", camera=camera) == (
            '<span class="va-badge va-badge--stale" title="Last heartbeat 5\xa0minutes ago">'
            'Stale <span class="va-badge__detail">Last heartbeat 5\xa0minutes ago</span></span>'
        )
        camera.last_active_at = timezone.now() - datetime.timedelta(seconds=90)
        assert "va-badge--active" in render("{% camera_status %}", camera=camera)

    def test_active_without_heartbeat_is_stale(self, camera):
        camera.status = "active"
        assert "No heartbeat yet" in render("{% camera_status %}", camera=camera)

    def test_camera_id_costs_one_query(self, camera, django_assert_num_queries):
        with django_assert_num_queries(1):
            html = render('{% camera_status "cam-1" %}')
        assert html == '<span class="va-badge va-badge--inactive">Inactive</span>'
        assert render('{% camera_status "no-such-camera" %}') == ""


class TestEventCounters:
    @pytest.fixture
    def statistics(self, camera):
        other = Camera.objects.create(camera_id="cam-2", name="Yard")
        add_statistics(camera, 0, detection_count=1234, motion_count=5, anpr_count=1)
        add_statistics(camera, 3, detection_count=100, motion_count=10, anpr_count=2)
        add_statistics(camera, 20, detection_count=1, motion_count=1, anpr_count=1)
        add_statistics(camera, 40, detection_count=9999, motion_count=9999, anpr_count=9999)
        add_statistics(other, 0, detection_count=6, motion_count=0, anpr_count=0)
        return camera

    def expected(self, period, label, detections, motion, plates):
        def counter(kind, title, value, display):
            return (
                f'<div class="va-counter va-counter--{kind}"><dt>{title}</dt>'
                f'<dd title="{value}">{display}</dd></div>'
            )

        return (
            f'<dl class="va-counters va-counters--{period}" aria-label="{label}">'
            + counter("detections", "Detections", *detections)
            + counter("motion", "Motion", *motion)
            + counter("plates", "Plates", *plates)
            + "</dl>"
        )

    def test_periods_of_one_camera(self, statistics, django_assert_max_num_queries):
        with django_assert_max_num_queries(1):
            today = render("{% event_counters %}", camera=statistics)
        assert today == self.expected("today", "Today", (1234, "1.2K"), (5, "5"), (1, "1"))
        with django_assert_max_num_queries(0):  # one cached summary serves every period
            week = render('{% event_counters camera "week" %}', camera=statistics)
            month = render('{% event_counters "cam-1" period="month" %}')
        assert week == self.expected("week", "Last 7 days", (1334, "1.3K"), (15, "15"), (3, "3"))
        assert month == self.expected("month", "Last 30 days", (1335, "1.3K"), (16, "16"), (4, "4"))

    def test_overall(self, statistics):
        assert render("{% event_counters %}") == self.expected(
            "today", "Today", (1240, "1.2K"), (5, "5"), (1, "1")
        )
        # overall=True wins over the camera in the context
        assert render("{% event_counters overall=True %}", camera=statistics) == render(
            "{% event_counters %}"
        )

    def test_unknown_period_is_an_error(self, camera):
        with pytest.raises(ValueError, match="period must be one of today, week, month"):
            render('{% event_counters period="year" %}', camera=camera)

    def test_stored_batch_invalidates_the_cache(self, statistics):
        render("{% event_counters %}", camera=statistics)
        render("{% event_counters %}")
        EventStatistics.objects.filter(camera=statistics, date=utc_today()).update(
            detection_count=2000
        )
        # Cached until the consumer says it stored a batch.
        assert 'title="1234"' in render("{% event_counters %}", camera=statistics)
        events_stored.send(sender=None, camera_ids={"cam-1"}, counts={"detection": 1}, events=[])
        assert 'title="2000"' in render("{% event_counters %}", camera=statistics)
        assert 'title="2006"' in render("{% event_counters %}")  # overall invalidated too

    def test_batch_of_another_camera_keeps_this_cache(self, statistics):
        render("{% event_counters %}", camera=statistics)
        EventStatistics.objects.filter(camera=statistics).update(detection_count=7)
        events_stored.send(sender=None, camera_ids={"cam-2"}, counts={}, events=[])
        assert 'title="1234"' in render("{% event_counters %}", camera=statistics)


class TestLiveCounter:
    def test_renders_data_attributes_and_script_once(self, camera, settings):
        add_statistics(camera, 0, detection_count=1500, anpr_count=3)
        request = RequestFactory().get("/")
        template = Template(
            "{% load video_analytics %}{% live_counter %}|"
            '{% live_counter camera "plates" period="week" every=2.5 %}'
        )
        html = template.render(Context({"camera": camera, "request": request}))
        assert html == (
            '<span class="va-live-counter" data-va-live="/api/v1/analytics/widgets/live/" '
            'data-va-camera="cam-1" data-va-kind="detections" data-va-period="today" '
            'data-va-every="5000" title="1500">1.5K</span>'
            '<script src="/static/django_video_analytics/live.js" defer></script>|'
            '<span class="va-live-counter" data-va-live="/api/v1/analytics/widgets/live/" '
            'data-va-camera="cam-1" data-va-kind="plates" data-va-period="week" '
            'data-va-every="2500" title="3">3</span>'
        )

    def test_overall_has_no_camera_attribute(self, camera):
        html = render('{% live_counter overall=True kind="motion" %}', camera=camera)
        assert "data-va-camera" not in html
        assert 'data-va-kind="motion"' in html

    def test_camera_id_is_escaped(self):
        html = render("{% live_counter camera %}", camera=XSS)
        assert XSS not in html
        assert f'data-va-camera="{ESCAPED_XSS}"' in html

    def test_unknown_kind_is_an_error(self, camera):
        with pytest.raises(ValueError, match="kind must be one of"):
            render('{% live_counter kind="cars" %}', camera=camera)


class TestEventFeed:
    def test_newest_first_with_snapshots(self, camera, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        with_snapshot = add_detection(camera, 30, ["person", "person", "car"])
        with_snapshot.snapshot.save("snap.jpg", ContentFile(b"jpeg"), save=True)
        add_detection(camera, 90, ["truck"])
        add_plate(camera, 60, "gx19whn")
        html = render("{% event_feed limit=2 %}", camera=camera)
        assert html.index("person ×2, car") < html.index("GX19WHN")
        assert "truck" not in html  # limit 2
        assert f'src="/{with_snapshot.snapshot.url.lstrip("/")}"' in html
        assert html.count("<img") == 1
        assert 'loading="lazy"' in html and "data-va-lightbox" in html
        assert html.count("snapshots.js") == 1
        assert "va-feed__camera" not in html  # a camera's own feed does not repeat its name
        assert '<span class="va-feed__confidence">0.88</span>' in html

    def test_costs_at_most_two_queries_then_none(self, camera, django_assert_max_num_queries):
        add_detection(camera, 30, ["person"])
        add_plate(camera, 60, "AB12CDE")
        with django_assert_max_num_queries(2):
            render("{% event_feed overall=True %}")
        with django_assert_max_num_queries(0):
            html = render("{% event_feed overall=True %}")
        assert '<span class="va-feed__camera">Front gate</span>' in html

    def test_one_kind_costs_one_query(self, camera, django_assert_max_num_queries):
        add_plate(camera, 60, "AB12CDE")
        with django_assert_max_num_queries(1):
            html = render('{% event_feed kinds="plates" snapshots=False %}', camera=camera)
        assert "AB12CDE" in html

    def test_names_and_plates_are_escaped(self, camera):
        camera.name = XSS
        camera.save()
        add_plate(camera, 10, XSS)
        add_detection(camera, 20, [XSS])
        html = render("{% event_feed overall=True %}")
        assert "<script" not in html
        assert f'<span class="va-feed__camera">{ESCAPED_XSS}</span>' in html
        assert ESCAPED_XSS_PLATE in html

    def test_empty(self, camera):
        assert "No events yet." in render("{% event_feed %}", camera=camera)

    def test_snapshot_boxes_and_script_once_per_request(self, camera, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        for seconds in (10, 20):
            event = add_detection(camera, seconds, ["car"])
            event.detections[0].update(
                bounding_box={"x": 0.5, "y": 0.25, "width": 0.25, "height": 0.5}, track_id=4
            )
            event.snapshot.save("frame.jpg", ContentFile(b"jpeg"), save=False)
            event.save()
        request = RequestFactory().get("/")
        html = render("{% event_feed %}{% event_feed %}", camera=camera, request=request)
        assert html.count('<rect class="va-box va-box--car"') == 4
        assert 'x="50.000%" y="25.000%" width="25.000%" height="50.000%"' in html
        assert ">car 0.90 #4</text>" in html
        assert 'alt="Snapshot: car 0.90 #4"' in html
        assert html.count("snapshots.js") == 1


class TestCameraAnalytics:
    def test_week_chart(self, camera, django_assert_max_num_queries):
        add_statistics(camera, 0, person_count=30, car_count=10, detection_count=40)
        add_statistics(camera, 2, person_count=20, motion_count=4, detection_count=20)
        add_statistics(camera, 9, person_count=99)  # outside the week
        with django_assert_max_num_queries(1):
            html = render('{% camera_analytics period="week" %}', camera=camera)
        assert 'viewBox="0 0 320 120"' in html
        # 7 slots of 320/7 px; today's bar reaches the top (the peak, 40), stacked person + car.
        assert (
            '<rect class="va-chart__bar va-chart__bar--person" x="275.29" y="30.0" '
            'width="43.71" height="90.0"><title>' in html
        )
        assert (
            '<rect class="va-chart__bar va-chart__bar--car" x="275.29" y="0.0" '
            'width="43.71" height="30.0">' in html
        )
        assert html.count("<rect") == 3
        assert "peak 40/day" in html
        assert '<li class="va-chart__key va-chart__key--person">person 50</li>' in html
        assert "<dt>Detections</dt><dd>60</dd>" in html
        assert "<dt>Motion</dt><dd>4</dd>" in html

    def test_month_and_localized_numbers(self, camera, settings):
        settings.LANGUAGE_CODE = "de"
        add_statistics(camera, 29, person_count=3)
        html = render('{% camera_analytics camera "month" %}', camera=camera)
        assert 'viewBox="0 0 320 120"' in html
        assert 'x="1.0" y="0.0" width="8.67" height="120.0"' in html  # no decimal commas


class TestActivitySparkline:
    def test_points(self, camera, django_assert_max_num_queries):
        add_statistics(camera, 0, detection_count=4, motion_count=4)
        add_statistics(camera, 2, anpr_count=2)
        with django_assert_max_num_queries(1):
            html = render("{% activity_sparkline days=5 width=100 height=10 %}", camera=camera)
        assert html == (
            '<svg class="va-sparkline" viewBox="0 0 100 10" width="100" height="10" role="img" '
            'aria-label="10 events in 5 days">'
            '<polyline points="0,9 25,9 50,7 75,9 100,1"/></svg>'
        )

    def test_overall_without_events_is_flat(self, db):
        html = render("{% activity_sparkline days=3 width=10 height=4 %}")
        assert '<polyline points="0,3 5,3 10,3"/>' in html
        assert 'aria-label="0 events in 3 days"' in html


class TestStylesheet:
    def test_links_the_static_stylesheet(self, settings):
        settings.STATIC_URL = "/assets/"
        html = render("{% video_analytics_css %}")
        assert html == '<link rel="stylesheet" href="/assets/django_video_analytics/widgets.css">'

    def test_dark_theme_blocks_agree(self):
        # The dark palette appears twice (data-theme="dark" and the system preference).
        css = (STATIC_DIR / "widgets.css").read_text()
        forced = css.split(':where([data-theme="dark"]) {', 1)[1].split("}", 1)[0]
        preferred = css.split(':where(:root:not([data-theme="light"])) {', 1)[1].split("}", 1)[0]
        assert forced.split() == preferred.split()
        light = css.split(':where(:root, [data-theme="light"]) {', 1)[1].split("}", 1)[0]
        assert set(re.findall(r"--va-[a-z-]+", forced)) <= set(re.findall(r"--va-[a-z-]+", light))
