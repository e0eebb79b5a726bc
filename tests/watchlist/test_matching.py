from datetime import datetime, timedelta, timezone

import pytest

from django_video_analytics.events import wire
from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.models import ANPREvent, Camera, PlateAlert, WatchlistEntry
from django_video_analytics.signals import events_stored, plate_alert
from django_video_analytics.watchlist.matching import (
    WatchlistMatcher,
    canonical_plate,
    levenshtein,
    raise_alerts,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def test_levenshtein_counts_single_character_edits():
    assert levenshtein("AB12CDE", "AB12CDE") == 0
    assert levenshtein("AB12CDE", "A812CDE") == 1  # substitution
    assert levenshtein("AB12CDE", "AB12CD") == 1  # deletion
    assert levenshtein("AB12CDE", "XAB12CDE") == 1  # insertion
    assert levenshtein("AB12CDE", "BA12CED") == 4
    assert levenshtein("", "ABC") == 3


def test_canonical_plate_drops_case_and_separators():
    assert canonical_plate("ab-12 cde") == "AB12CDE"
    assert canonical_plate(None) == ""


def make_event(camera, plate, source_id, timestamp=NOW):
    return ANPREvent.objects.create(
        camera=camera,
        timestamp=timestamp,
        license_plate=plate,
        confidence=0.9,
        source_id=source_id,
    )


@pytest.mark.django_db
def test_matcher_honours_distance_pattern_scope_and_active_span(camera):
    other = Camera.objects.create(camera_id="cam-2", name="Back gate")
    fuzzy = WatchlistEntry.objects.create(plate="AB12CDE", max_distance=1)
    WatchlistEntry.objects.create(plate="XY99ZZZ")  # exact only
    pattern = WatchlistEntry.objects.create(plate=r"KA01[A-Z]{2}\d{4}", is_pattern=True)
    scoped = WatchlistEntry.objects.create(plate="GX19WHN")
    scoped.cameras.add(other)
    WatchlistEntry.objects.create(plate="LATE123", active_from=NOW + timedelta(hours=1))
    WatchlistEntry.objects.create(plate="OVER123", active_until=NOW - timedelta(hours=1))
    WatchlistEntry.objects.create(plate="OFF1234", is_active=False)
    matcher = WatchlistMatcher.active_between(NOW, NOW)

    def hits(plate, camera_pk=camera.pk):
        return [(entry.pk, distance) for entry, distance in matcher.matches(plate, camera_pk, NOW)]

    assert hits("AB12 CDE") == [(fuzzy.pk, 0)]
    assert hits("A812CDE") == [(fuzzy.pk, 1)]
    assert hits("A812CDF") == []  # distance 2
    assert hits("XY99ZZ2") == []
    assert hits("KA01AB1234") == [(pattern.pk, 0)]
    assert hits("GX19WHN") == []
    assert hits("GX19WHN", other.pk) == [(scoped.pk, 0)]
    assert hits("LATE123") == hits("OVER123") == hits("OFF1234") == []


@pytest.mark.django_db
def test_alert_is_created_once_and_announced(camera, django_capture_on_commit_callbacks):
    WatchlistEntry.objects.create(plate="AB12CDE", max_distance=1, label="Stolen")
    hit = make_event(camera, "AB12CDF", "test:1")
    miss = make_event(camera, "ZZ99ZZZ", "test:2")
    received = []

    def on_alert(sender, alert, **kwargs):
        received.append(alert)

    plate_alert.connect(on_alert)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            alerts = raise_alerts([hit, miss])
        # The same events again (a redelivered batch): no second alert.
        with django_capture_on_commit_callbacks(execute=True):
            assert raise_alerts([hit, miss]) == []
    finally:
        plate_alert.disconnect(on_alert)
    assert [(a.event_id, a.distance, a.license_plate) for a in alerts] == [(hit.pk, 1, "AB12CDF")]
    assert received == alerts
    assert PlateAlert.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_consumed_plate_within_distance_one_alerts_and_others_do_not(
    stream_names, watchlist_settings
):
    """Through the real stream and consumer: events_stored drives the watchlist."""
    from django.core.management import call_command

    entry = WatchlistEntry.objects.create(plate="KA01AB1234", max_distance=1)
    EventPublisher().publish_many(
        [
            wire.build_anpr("gate", NOW, 10, "KA01AB1284", 0.91, "IN", event_id="e-hit"),
            wire.build_anpr("gate", NOW, 20, "MH12DE1433", 0.88, "IN", event_id="e-miss"),
        ]
    )
    call_command("consume_events", "--burst", verbosity=0)
    assert ANPREvent.objects.count() == 2
    alert = PlateAlert.objects.get()
    assert (alert.entry_id, alert.license_plate, alert.distance) == (entry.pk, "KA01AB1284", 1)
    assert alert.event.source_id == "event:e-hit"
    assert alert.camera.camera_id == "gate"


@pytest.mark.django_db
def test_batches_without_plates_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        events_stored.send(sender=None, camera_ids={"x"}, counts={"motion": 3}, events=[])
