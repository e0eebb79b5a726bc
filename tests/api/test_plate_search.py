"""Partial plate search: the same rows and order as a naive filter, and the index it relies on."""

from urllib.parse import urlencode

import pytest
from django.db import connection

from django_video_analytics.api.filters import ANPREventFilterSet
from django_video_analytics.models import ANPREvent
from django_video_analytics.watchlist.plates import canonical_plate

from .factories import BASE, anpr, minutes
from .test_events import walk

URL = f"{BASE}anpr/"
PLATES = ("AB12CDE", "ab12cdf", "XAB123", "GX19 WHN", "gx-19-abc", "B12", "ZZ99ZZZ", "12CD")
FRAGMENTS = ("B12", "b12c", "12 C", "ab12cde", "x19", "CDE", "99z", "QQQ", "2CD")


@pytest.fixture
def sightings(make_camera):
    """Three sightings of each plate on two cameras, several sharing a timestamp."""
    cameras = (make_camera("cam-1"), make_camera("cam-2"))
    return [
        anpr(cameras[n % 2], plate, timestamp=minutes(n // 3)) for n, plate in enumerate(PLATES * 3)
    ]


def naive(events, fragment, ordering):
    """Ids of the events whose plate contains the fragment, in the API's (field, id) order."""
    wanted = canonical_plate(fragment)
    field = ordering.lstrip("-")
    matches = sorted(
        (e for e in events if wanted in e.license_plate.upper()),
        key=lambda e: (getattr(e, field), e.pk),
        reverse=ordering.startswith("-"),
    )
    return [e.pk for e in matches]


@pytest.mark.parametrize("ordering", ("-timestamp", "timestamp", "-created_at"))
@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_pages_hold_the_naive_filters_rows_in_order(reader, sightings, fragment, ordering):
    query = urlencode({"license_plate__icontains": fragment, "ordering": ordering, "page_size": 2})
    assert walk(reader, f"{URL}?{query}") == naive(sightings, fragment, ordering)


def test_pages_walked_back_are_the_pages_walked_forward(reader, sightings):
    def rows(page):
        return [row["id"] for row in page["results"]]

    page = reader.get(URL, {"license_plate__icontains": "b12", "page_size": 5}).json()
    forward = [rows(page)]
    while page["next"]:
        page = reader.get(page["next"]).json()
        forward.append(rows(page))
    back = []
    while page["previous"]:
        page = reader.get(page["previous"]).json()
        back.insert(0, rows(page))
    assert len(forward) == 3
    assert back == forward[:-1]
    assert sum(forward, []) == naive(sightings, "b12", "-timestamp")


@pytest.mark.parametrize("fragment", ("B1", "b-1", "--", "x"))
def test_a_fragment_shorter_than_the_minimum_is_400(reader, fragment):
    response = reader.get(URL, {"license_plate__icontains": fragment})
    assert response.status_code == 400
    assert response.json() == {
        "license_plate__icontains": ["Type at least 3 characters of the plate."]
    }


def test_the_minimum_is_a_setting(reader, sightings, settings):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "PLATE_SEARCH_MIN_LENGTH": 1}
    assert walk(reader, f"{URL}?license_plate__icontains=z") == naive(sightings, "Z", "-timestamp")
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "PLATE_SEARCH_MIN_LENGTH": 8}
    response = reader.get(URL, {"license_plate__icontains": "AB12CDE"})
    assert response.json() == {
        "license_plate__icontains": ["Type at least 8 characters of the plate."]
    }


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's")


def test_the_search_can_use_the_trigram_index(db):
    postgresql_only()
    rows = ANPREventFilterSet({"license_plate__icontains": "b12 c"}, ANPREvent.objects.all()).qs
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the tables are tiny here
        plan = rows.order_by("-timestamp", "-pk")[:51].explain()
    assert "va_anpr_plate_trgm" in plan


def test_the_trigram_index_is_tuned_for_a_million_plates(db):
    """Migration 0016: no pending list to read first, and statistics in steps of 0.01 %."""
    postgresql_only()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions, (SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = oid AND attnum = 1) FROM pg_class WHERE relname = %s",
            ["va_anpr_plate_trgm"],
        )
        assert cursor.fetchone() == (["fastupdate=off"], 10000)
