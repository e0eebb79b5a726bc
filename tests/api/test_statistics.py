from datetime import timedelta

import pytest
from django.test import override_settings

from django_video_analytics.models import EventStatistics
from django_video_analytics.statistics import today as statistics_today

from .factories import BASE


@pytest.fixture
def stats(make_camera):
    """Two cameras with counters on today, yesterday and 10 days ago."""
    today = statistics_today()
    one, two = make_camera("cam-1", location="public"), make_camera("cam-2")
    for camera, factor in ((one, 1), (two, 10)):
        for age in (0, 1, 10):
            EventStatistics.objects.create(
                camera=camera,
                date=today - timedelta(days=age),
                detection_count=factor * (age + 1),
                person_count=factor,
                motion_count=2 * factor,
            )
    return today


def test_camera_statistics_daily_rows_and_totals(reader, stats, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # + the user's and their groups' permissions
        data = reader.get(f"{BASE}cameras/cam-1/statistics/?days=7").json()
    assert data["camera_id"] == "cam-1"
    assert data["days"] == 7
    assert data["end_date"] == stats.isoformat()
    assert data["start_date"] == (stats - timedelta(days=6)).isoformat()
    assert len(data["daily"]) == 7  # days without events are zero rows
    assert data["daily"][-1]["date"] == stats.isoformat()
    assert data["daily"][-1]["detection_count"] == 1
    assert data["daily"][-2]["detection_count"] == 2
    assert data["daily"][0]["detection_count"] == 0
    assert data["totals"] == {
        "detection_count": 3,
        "motion_count": 4,
        "anpr_count": 0,
        "person_count": 2,
        "car_count": 0,
        "truck_count": 0,
        "other_count": 0,
    }
    longer = reader.get(f"{BASE}cameras/cam-1/statistics/?days=30").json()
    assert longer["totals"]["detection_count"] == 1 + 2 + 11


def test_statistics_default_to_seven_days(reader, stats):
    assert reader.get(f"{BASE}cameras/cam-2/statistics/").json()["days"] == 7


@pytest.mark.parametrize("days", ["0", "367", "week", "-1"])
def test_bad_days_answer_400(reader, stats, days):
    for url in (f"{BASE}cameras/cam-1/statistics/", f"{BASE}statistics/"):
        response = reader.get(url, {"days": days})
        assert response.status_code == 400
        assert "days" in response.json()


def test_statistics_across_cameras(reader, stats, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # + the user's and their groups' permissions
        data = reader.get(f"{BASE}statistics/?days=7").json()
    assert data["totals"]["detection_count"] == 3 + 30
    assert data["daily"][-1]["person_count"] == 11
    assert [c["camera_id"] for c in data["cameras"]] == ["cam-1", "cam-2"]
    assert data["cameras"][1]["camera_name"] == "Camera cam-2"
    assert data["cameras"][1]["motion_count"] == 40
    one = reader.get(f"{BASE}statistics/?days=7&camera__camera_id=cam-2").json()
    assert one["totals"]["detection_count"] == 30


def test_statistics_respect_the_camera_queryset_hook(reader, stats, settings):
    hook = {"CAMERA_QUERYSET_HOOK": "tests.api.test_cameras.only_public_cameras"}
    with override_settings(VIDEO_ANALYTICS={**settings.VIDEO_ANALYTICS, **hook}):
        assert reader.get(f"{BASE}statistics/").json()["totals"]["detection_count"] == 3
        assert reader.get(f"{BASE}cameras/cam-2/statistics/").status_code == 404
