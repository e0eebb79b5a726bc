"""Zone ids and filters typed by a person: the worst values answer 400/404 or nothing, never 500."""

import pytest

from django_video_analytics.models import Zone
from tests.api.factories import BASE, client_for, make_user

pytestmark = pytest.mark.django_db

HUGE = "9" * 40


@pytest.fixture
def client():
    user = make_user("worst")
    user.is_superuser = True
    user.save()
    return client_for(user)


@pytest.mark.parametrize("bad", [HUGE, "-1", "0", "1\x00", "<b>", "1e3"])
def test_zone_detail_paths_with_a_worst_id_are_not_found(client, bad):
    for suffix in ("", "occupancy/", "dwell-histogram/"):
        response = client.get(f"{BASE}zones/{bad}/{suffix}")
        assert response.status_code in (400, 404), (suffix, response.status_code)


@pytest.mark.parametrize("bad", [HUGE, "-1", "1\x00", "<b>"])
def test_zone_filters_with_a_worst_value_answer_without_a_server_error(client, bad):
    for path in ("zones/", "zones/counts/"):
        for name in ("zone", "camera"):
            response = client.get(f"{BASE}{path}", {name: bad})
            assert response.status_code in (200, 400), (path, name, response.status_code)
    response = client.get(f"{BASE}widgets/live/", {"zone": bad})
    assert response.status_code in (200, 400, 404)


@pytest.mark.parametrize(
    "start,end",
    [
        ("0001-01-01", "9999-12-31"),
        ("0001-01-01T00:00:00+14:00", "0001-01-02"),
        ("9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59+14:00"),
        ("2026-02-30", "2026-13-01"),
        ("9" * 40, "-1"),
    ],
)
def test_zone_count_ranges_with_extreme_dates_answer_without_a_server_error(
    client, camera, start, end
):
    zone = Zone.objects.create(camera=camera, name="yard", points=[[0, 0], [1, 0], [1, 1]])
    for path in ("zones/counts/", f"zones/{zone.pk}/dwell-histogram/"):
        for bucket in ("hour", "day"):
            query = {"start": start, "end": end, "bucket": bucket}
            response = client.get(f"{BASE}{path}", query)
            assert response.status_code in (200, 400), (path, bucket, response.status_code)
