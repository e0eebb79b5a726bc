"""Template tags and the example pages show only the cameras CAMERA_QUERYSET_HOOK allows."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from django_video_analytics.models import (
    ANPREvent,
    Camera,
    CameraHealth,
    DetectionEvent,
    EventStatistics,
)
from django_video_analytics.statistics import today as utc_today
from tests.browser.conftest import EXAMPLE_PROJECT
from tests.browser.urls import load_example_views
from tests.widgets.fixtures import isolated_widget_cache  # noqa: F401

pytestmark = pytest.mark.django_db

HOOK = "tests.security.test_tag_scoping.only_cameras_at_users_location"
# What the hidden camera "yard" holds; none of it may reach alice's pages.
YARD_SECRETS = ("Yard", "777", "SECRET1", "yard-lens-broken", "bicycle", "offline", "%")
TAGS_ABOUT_ONE_CAMERA = (
    "{% camera_status camera %}",
    "{% event_counters camera %}",
    "{% event_counters camera period='month' %}",
    "{% live_counter camera %}",
    "{% event_feed camera kinds='detections,plates' %}",
    "{% camera_analytics camera %}",
    "{% activity_sparkline camera %}",
    "{% camera_uptime camera %}",
    "health: {% camera_health_state camera %}",
)
TAGS_ABOUT_ALL_CAMERAS = (
    "{% event_counters overall=True period='month' %}",
    "{% live_counter overall=True %}",
    "{% event_feed overall=True kinds='detections,plates' %}",
    "{% camera_analytics overall=True %}",
    "{% activity_sparkline overall=True %}",
)


def only_cameras_at_users_location(request, queryset):
    """A CAMERA_QUERYSET_HOOK: users see the cameras whose location is their user name."""
    return queryset.filter(location=request.user.username)


@pytest.fixture
def hook(settings):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "CAMERA_QUERYSET_HOOK": HOOK}


@pytest.fixture
def cameras():
    gate = Camera.objects.create(camera_id="gate", name="Gate", location="alice")
    yard = Camera.objects.create(
        camera_id="yard",
        name="Yard",
        location="bob",
        status=Camera.Status.ERROR,
        last_error="yard-lens-broken",
    )
    EventStatistics.objects.create(camera=gate, date=utc_today(), detection_count=12)
    EventStatistics.objects.create(
        camera=yard, date=utc_today(), detection_count=777777, truck_count=777777, anpr_count=7
    )
    now = timezone.now()
    DetectionEvent.objects.create(
        camera=yard,
        timestamp=now,
        source_id="yard:1",
        detections=[{"class_name": "bicycle", "confidence": 0.9}],
    )
    ANPREvent.objects.create(
        camera=yard, timestamp=now, license_plate="SECRET1", confidence=0.9, source_id="yard:2"
    )
    DetectionEvent.objects.create(
        camera=gate,
        timestamp=now,
        source_id="gate:1",
        detections=[{"class_name": "person", "confidence": 0.9}],
    )
    CameraHealth.objects.create(
        camera=yard, state=CameraHealth.State.OFFLINE, since=now - datetime.timedelta(hours=1)
    )
    return gate, yard


def request_of(username):
    request = RequestFactory().get("/")
    if username is None:
        request.user = AnonymousUser()
    else:
        request.user = get_user_model().objects.create_user(username, password="x")
    return request


def without_machine_times(html):
    """``html`` without ``datetime`` attributes: their microseconds may hold "777" by chance."""
    return re.sub(r'datetime="[^"]*"', 'datetime=""', html)


def render(source, **context):
    html = Template("{% load video_analytics %}" + source).render(Context(context))
    return without_machine_times(html)


@pytest.mark.parametrize("source", TAGS_ABOUT_ONE_CAMERA)
@pytest.mark.parametrize("as_id", (False, True))
def test_a_hidden_camera_renders_empty(hook, cameras, source, as_id):
    yard = cameras[1]
    html = render(source, camera=yard.camera_id if as_id else yard, request=request_of("alice"))
    for secret in YARD_SECRETS:
        assert secret not in html


@pytest.mark.parametrize("source", TAGS_ABOUT_ONE_CAMERA)
def test_the_camera_from_the_context_is_scoped_too(hook, cameras, source):
    source = source.replace(" camera %}", " %}").replace(" camera ", " ")
    html = render(source, camera=cameras[1], request=request_of("alice"))
    for secret in YARD_SECRETS:
        assert secret not in html


@pytest.mark.parametrize("source", TAGS_ABOUT_ONE_CAMERA)
def test_the_users_own_camera_shows_its_data(hook, cameras, source):
    html = render(source, camera=cameras[1], request=request_of("bob"))
    assert any(secret in html for secret in YARD_SECRETS), html


@pytest.mark.parametrize("source", TAGS_ABOUT_ALL_CAMERAS)
def test_all_cameras_means_the_users_cameras(hook, cameras, source):
    html = render(source, request=request_of("alice"))
    for secret in YARD_SECRETS:
        assert secret not in html


def test_a_page_of_tags_reads_the_users_cameras_once(hook, cameras, django_assert_num_queries):
    gate = cameras[0]
    request = request_of("alice")
    source = "{% camera_status camera %}" * 5
    with django_assert_num_queries(1):
        html = render(source, camera=gate, request=request)
    assert html.count("va-badge--inactive") == 5


def test_overall_counts_add_up_the_users_cameras_only(hook, cameras):
    html = render("{% event_counters overall=True %}", request=request_of("alice"))
    assert 'title="12"' in html


@pytest.mark.parametrize("source", TAGS_ABOUT_ONE_CAMERA + TAGS_ABOUT_ALL_CAMERAS)
def test_without_a_request_a_hook_shows_nothing(hook, cameras, source):
    html = render(source, camera=cameras[1])
    for secret in YARD_SECRETS:
        assert secret not in html


@pytest.mark.parametrize("source", TAGS_ABOUT_ALL_CAMERAS)
def test_without_a_hook_all_cameras_are_shown(cameras, source):
    html = render(source, request=request_of("alice"))
    assert any(secret in html for secret in YARD_SECRETS), html


def test_per_user_results_never_enter_the_shared_cache(hook, cameras, settings):
    render("{% event_feed overall=True %}", request=request_of("alice"))
    settings.VIDEO_ANALYTICS = {
        key: value
        for key, value in settings.VIDEO_ANALYTICS.items()
        if key != "CAMERA_QUERYSET_HOOK"
    }
    assert "SECRET1" in render("{% event_feed overall=True kinds='plates' %}")


class TestExamplePages:
    @pytest.fixture
    def views(self, settings):
        settings.TEMPLATES = [
            {**settings.TEMPLATES[0], "DIRS": [str(EXAMPLE_PROJECT / "example" / "templates")]}
        ]
        settings.ROOT_URLCONF = "tests.browser.urls"
        return load_example_views()

    def test_camera_page_of_a_hidden_camera_is_not_found(self, hook, cameras, views):
        with pytest.raises(Http404):
            views.camera_page(request_of("alice"), camera_id="yard")
        assert views.camera_page(request_of("bob"), camera_id="yard").status_code == 200

    def test_dashboard_lists_and_counts_only_the_users_cameras(self, hook, cameras, views):
        html = without_machine_times(views.dashboard(request_of("alice")).content.decode())
        assert "Gate" in html
        for secret in YARD_SECRETS:
            assert secret not in html
