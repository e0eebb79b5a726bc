"""The events browser: the API's filters, cursor pages, permissions and hook, as HTML."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import override_settings

from django_video_analytics.models import Camera
from tests.api.factories import READ_PERMISSIONS, T0, anpr, client_for, detection, make_user

URL = "/api/v1/analytics/widgets/events/"
HOOK = "tests.api.test_cameras.only_public_cameras"

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return client_for(make_user("reader", *READ_PERMISSIONS))


@pytest.fixture
def gate():
    return Camera.objects.create(camera_id="gate", name="Gate <b>1</b>", location="public")


def event_ids(response):
    return [int(pk) for pk in re.findall(r'data-va-event="(\d+)"', response.content.decode())]


def link(response, rel):
    found = re.search(rf'href="([^"]+)" rel="{rel}"', response.content.decode())
    return found and found.group(1).replace("&amp;", "&")


def test_partial_plate_lists_plates_newest_first(reader, gate):
    wanted = [
        anpr(gate, timestamp=T0 + timedelta(minutes=m), plate=p)
        for m, p in ((1, "GX19WHN"), (2, "AB12CDE"), (3, "gx19abc"))
    ]
    response = reader.get(URL, {"license_plate__icontains": "x19"})
    assert response.status_code == 200
    assert event_ids(response) == [wanted[2].pk, wanted[0].pk]
    # Only plates have plates: the search wins over a kind left on detections.
    response = reader.get(URL, {"kind": "detections", "license_plate__icontains": "X19"})
    assert event_ids(response) == [wanted[2].pk, wanted[0].pk]
    html = response.content.decode()
    assert '<option value="plates" selected>' in html
    assert "Gate &lt;b&gt;1&lt;/b&gt;" in html and "<b>1</b>" not in html


def test_filters_by_camera_and_class(reader, gate):
    yard = Camera.objects.create(camera_id="yard", name="Yard")
    car = detection(gate, classes=("car",))
    detection(gate, classes=("person",))
    detection(yard, classes=("car",))
    response = reader.get(URL, {"camera__camera_id": "gate", "class_name": "car"})
    assert event_ids(response) == [car.pk]


def test_time_range_from_the_datetime_inputs(reader, gate):
    inside = detection(gate, timestamp=T0)
    detection(gate, timestamp=T0 - timedelta(hours=2))
    response = reader.get(URL, {"start_date": "2026-11-20T11:30", "end_date": "2026-11-20T12:30"})
    assert event_ids(response) == [inside.pk]


def test_pages_forward_and_back_without_gaps_or_repeats(reader, gate):
    # Equal timestamps: only a keyset on (timestamp, id) pages them exactly.
    events = [detection(gate, timestamp=T0 + timedelta(minutes=m // 3)) for m in range(30)]
    expected = [e.pk for e in sorted(events, key=lambda e: (e.timestamp, e.pk), reverse=True)]
    first = reader.get(URL)
    assert link(first, "prev") is None
    second = reader.get(link(first, "next"))
    assert event_ids(first) + event_ids(second) == expected
    assert link(second, "next") is None
    assert event_ids(reader.get(link(second, "prev"))) == event_ids(first)


def test_bad_filters_are_a_400_with_the_field(reader, gate):
    response = reader.get(URL, {"start_date": "yesterday"})
    assert response.status_code == 400
    assert "start_date: Enter an ISO 8601 date or date and time." in response.content.decode()
    assert reader.get(URL, {"cursor": "bm9wZQ=="}).status_code == 400


def test_a_too_short_plate_fragment_is_a_400_the_form_prevents(reader, gate):
    response = reader.get(URL, {"license_plate__icontains": "x1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "license_plate__icontains: Type at least 3 characters of the plate." in html
    assert 'name="license_plate__icontains" value="x1" minlength="3"' in html


def test_needs_the_view_permission_of_the_kind(gate):
    plates_only = client_for(make_user("plates", "view_camera", "view_anprevent"))
    assert plates_only.get(URL).status_code == 403
    assert plates_only.get(URL, {"kind": "plates"}).status_code == 200
    anonymous = client_for(None).get(URL, {"kind": "plates"})
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=" + quote(f"{URL}?kind=plates", safe="/")


def test_camera_queryset_hook_scopes_rows_and_cameras(reader, gate, settings):
    vault = Camera.objects.create(camera_id="vault", name="Vault", location="vault")
    shown = detection(gate)
    detection(vault)
    with override_settings(
        VIDEO_ANALYTICS={**settings.VIDEO_ANALYTICS, "CAMERA_QUERYSET_HOOK": HOOK}
    ):
        response = reader.get(URL)
        assert event_ids(response) == [shown.pk]
        assert 'value="vault"' not in response.content.decode()
        assert event_ids(reader.get(URL, {"camera__camera_id": "vault"})) == []


def test_staff_rows_link_to_the_admin(gate):
    staff = make_user("staff", *READ_PERMISSIONS)
    staff.is_staff = True
    staff.save()
    event = detection(gate)
    html = client_for(staff).get(URL).content.decode()
    assert f'href="/admin/django_video_analytics/detectionevent/{event.pk}/change/"' in html
