"""Watchlist patterns run in bounded time: a hostile pattern cannot stall the consumer."""

import time
from datetime import datetime, timezone

import pytest

from django_video_analytics.models import ANPREvent, PlateAlert, WatchlistEntry
from django_video_analytics.watchlist.matching import WatchlistMatcher, raise_alerts
from django_video_analytics.watchlist.patterns import PatternError, compile_pattern

from ..api.factories import BASE, client_for, make_user

HOSTILE = ".*" * 27 + "Z"  # 25 s per plate with Python's backtracking re
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
PLATES = ["AB12CDE", "KA01AB1234", "X" * 30, "GX19WHN" * 4]


def test_a_hostile_pattern_costs_under_10_ms_per_plate():
    pattern = compile_pattern(HOSTILE)
    for plate in PLATES:
        started = time.perf_counter()
        assert pattern.fullmatch(plate) is None
        assert time.perf_counter() - started < 0.010, plate
    assert pattern.fullmatch("ABZ")


@pytest.mark.django_db
def test_the_consumers_match_stays_fast_with_hostile_entries(camera):
    for index in range(20):
        WatchlistEntry.objects.create(plate=".*" * (27 - index) + "Z", is_pattern=True)
    events = [
        ANPREvent.objects.create(
            camera=camera,
            timestamp=NOW,
            license_plate=plate,
            confidence=0.9,
            source_id=f"t:{index}",
        )
        for index, plate in enumerate(PLATES * 5)
    ]
    started = time.perf_counter()
    raise_alerts(events)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.010 * len(events) * 20, elapsed
    assert PlateAlert.objects.count() == 0


def test_existing_pattern_syntax_still_matches():
    pattern = compile_pattern(r"KA01[A-Z]{2}\d{4}")
    assert pattern.fullmatch("KA01AB1234")
    assert not pattern.fullmatch("KA01AB12345")


@pytest.mark.parametrize(
    "text, reason",
    [
        ("A" * 65, "at most 64"),
        (r"(A)\1", "backreferences"),
        ("(?=A)A", "lookarounds"),
        ("([A-Z", "missing"),
    ],
)
def test_what_re2_cannot_run_is_refused(text, reason):
    with pytest.raises(PatternError, match=reason):
        compile_pattern(text)


@pytest.mark.django_db
def test_the_api_refuses_it_with_a_400():
    client = client_for(make_user("m", "add_watchlistentry", "view_watchlistentry"))
    response = client.post(
        f"{BASE}watchlist/", {"plate": r"(A+)\1", "is_pattern": True}, format="json"
    )
    assert response.status_code == 400
    assert "backreferences" in response.json()["plate"][0]
    ok = client.post(f"{BASE}watchlist/", {"plate": HOSTILE, "is_pattern": True}, format="json")
    assert ok.status_code == 201


@pytest.mark.django_db
def test_a_stored_entry_re2_refuses_is_skipped_not_fatal(camera, caplog):
    WatchlistEntry.objects.create(plate=r"(A)\1", is_pattern=True)
    WatchlistEntry.objects.create(plate="AB12CDE")
    matcher = WatchlistMatcher.active_between(NOW, NOW)
    assert len(matcher.entries) == 1
    assert "skipped" in caplog.text
