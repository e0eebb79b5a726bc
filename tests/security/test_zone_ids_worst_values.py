"""Zone ids and filters typed by a person: the worst values answer 400/404 or nothing, never 500."""

import pytest

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
