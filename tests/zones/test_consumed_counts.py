"""Line crossings and zone visits through the real stream and consumer: rows, counts, alerts."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from django_video_analytics.events import wire
from django_video_analytics.models import LineCrossingEvent, ZoneCount, ZoneVisitEvent
from django_video_analytics.signals import zone_alert

pytestmark = pytest.mark.django_db(transaction=True)

HOUR = datetime(2026, 11, 20, 14, 0, tzinfo=timezone.utc)


def at(seconds):
    return HOUR + timedelta(seconds=seconds)


def crossing(line, seconds, track_id, direction, class_name="person", **extra):
    return wire.build_line_crossing(
        "cam-1", at(seconds), int(seconds * 5), line.name, line.pk, track_id, class_name,
        direction, **extra,
    )  # fmt: skip


def visit(zone, entered, exited, track_id, occupancy=1, loitered=False, **extra):
    """A visit report; ``exited`` None: the open (loitering) report, dated entered + 61 s."""
    moment = at(exited if exited is not None else entered + 61)
    dwell = (exited if exited is not None else entered + 61) - entered
    return wire.build_zone_visit(
        "cam-1", moment, 0, zone.name, zone.pk, track_id, "person", at(entered),
        None if exited is None else at(exited), dwell, loitered, occupancy, **extra,
    )  # fmt: skip


def count_rows():
    return {
        (row.zone.name, row.class_name, row.hour): (
            row.crossings_in,
            row.crossings_out,
            row.visits,
            row.total_dwell_seconds,
            row.max_occupancy,
            row.dwell_under_10s,
            row.dwell_under_5m,
        )
        for row in ZoneCount.objects.select_related("zone")
    }


@pytest.fixture
def alerts():
    """The ``zone_alert`` calls, as (zone name, kind, track id, occupancy)."""
    calls = []

    def record(sender, camera, zone, kind, visit, occupancy, **kwargs):
        calls.append((zone.name, kind, visit.track_id, occupancy))

    zone_alert.connect(record)
    yield calls
    zone_alert.disconnect(record)


def test_crossings_and_visits_become_exact_hourly_counts_once(
    door_line, waiting_area, publisher, make_consumer, alerts
):
    waiting_area.occupancy_limit = 1
    waiting_area.save()
    entries = [
        crossing(door_line, 10, 1, "in", event_id="c1"),
        crossing(door_line, 20, 2, "in", event_id="c2"),
        crossing(door_line, 30, 1, "out", event_id="c3"),
        crossing(door_line, 40, 3, "in", class_name="car", event_id="c4"),
        crossing(door_line, 3600 + 5, 4, "out", event_id="c5"),  # the next hour
        visit(waiting_area, 100, 105.5, 1, event_id="v1"),
        # Loitering: reported open, then closed; one visit. It entered second: occupancy 2.
        visit(waiting_area, 101, None, 2, occupancy=2, loitered=True, event_id="v2-open"),
        visit(waiting_area, 101, 200, 2, occupancy=2, loitered=True, event_id="v2-closed"),
    ]
    publisher.publish_many(entries)
    result = make_consumer(batch_size=3).drain()
    assert (result.stored, result.dead_lettered) == (8, 0)
    expected = {
        ("door", "person", HOUR): (2, 1, 0, 0.0, 0, 0, 0),
        ("door", "car", HOUR): (1, 0, 0, 0.0, 0, 0, 0),
        ("door", "person", HOUR + timedelta(hours=1)): (0, 1, 0, 0.0, 0, 0, 0),
        ("waiting", "person", HOUR): (0, 0, 2, 5.5 + 99.0, 2, 1, 1),
    }
    assert count_rows() == expected
    assert LineCrossingEvent.objects.count() == 5
    assert ZoneVisitEvent.objects.filter(exited__isnull=True).count() == 1
    stored = LineCrossingEvent.objects.get(source_id="event:c3")
    assert (stored.zone_id, stored.zone_name, stored.track_id, stored.direction) == (
        door_line.pk, "door", 1, "out",
    )  # fmt: skip
    # Loitering once (the open report), occupancy 2 > 1 once (its first report).
    assert sorted(alerts) == [("waiting", "loitering", 2, 2), ("waiting", "occupancy", 2, 2)]

    # The same entries again (a producer's retry): found by their event ids, nothing changes.
    publisher.publish_many(entries)
    again = make_consumer(batch_size=5).drain()
    assert (again.stored, again.duplicates, again.dead_lettered) == (0, 8, 0)
    assert count_rows() == expected
    assert len(alerts) == 2


def test_bad_crossings_and_visits_are_dead_lettered_with_reasons(
    camera, door_line, waiting_area, publisher, make_consumer, dead_letters
):
    from django_video_analytics.models import Camera, Zone

    other = Camera.objects.create(camera_id="cam-2", name="Back")
    elsewhere = Zone.objects.create(camera=other, name="door", kind="line", points=door_line.points)
    good = crossing(door_line, 1, 1, "in")
    payload = json.loads(good["data"])
    bad = [
        ({**payload, "direction": "up"}, "'direction' must be 'in' or 'out', got 'up'"),
        ({**payload, "zone_id": 0}, "'zone_id' must be between 1 and"),
        ({**payload, "track_id": "7"}, "'track_id' must be an integer, got string"),
        ({**payload, "zone": ""}, "'zone' is empty"),
        ({**payload, "zone_id": elsewhere.pk}, f"zone_id {elsewhere.pk} ('door') is no line"),
        ({**payload, "zone_id": waiting_area.pk}, f"zone_id {waiting_area.pk} ('door') is no line"),
        ({**payload, "zone_id": 10**9}, "is no line of camera 'cam-1'"),
    ]
    open_visit = json.loads(visit(waiting_area, 10, None, 5, loitered=True)["data"])
    closed = json.loads(visit(waiting_area, 10, 20, 5)["data"])
    bad += [
        ({k: v for k, v in open_visit.items() if k != "exited"}, "missing key 'exited'"),
        ({**closed, "exited": at(5).isoformat()}, "'exited' is before 'entered'"),
        ({**closed, "entered": "yesterday"}, "'entered' is not an ISO 8601 date and time"),
        ({**closed, "loitered": 1}, "'loitered' must be a boolean, got number"),
        ({**closed, "dwell_seconds": -1}, "'dwell_seconds' is negative"),
        ({**closed, "zone_id": door_line.pk}, "is no polygon zone of camera 'cam-1'"),
    ]
    # A second closed report of the same visit (another entry, another event id): refused.
    duplicate_visit = visit(waiting_area, 10, 20, 5, event_id="again")
    entries = [{"data": json.dumps(entry)} for entry, _reason in bad]
    publisher.publish_many([good, *entries, {"data": json.dumps(closed)}, duplicate_visit])
    result = make_consumer(batch_size=50).drain()
    assert result.stored == 2
    letters = dead_letters.list(count=100)
    reasons = {letter.original["data"].decode(): letter.reason for letter in letters}
    assert len(reasons) == len(bad) + 1
    for entry, expected in zip(entries, bad, strict=True):
        assert expected[1] in reasons[entry["data"]]
    refused = reasons[duplicate_visit["data"]]
    assert "the database refused the entry" in refused
    assert "va_zonevisit_one_closed" in refused or "zonevisitevent.entered" in refused
    (row,) = ZoneCount.objects.filter(zone=waiting_area)
    assert (row.visits, row.total_dwell_seconds) == (1, 10.0)
    assert ZoneCount.objects.get(zone=door_line).crossings_in == 1


def test_a_failing_alert_receiver_costs_the_others_nothing(
    waiting_area, publisher, make_consumer, caplog
):
    def broken(**kwargs):
        raise ValueError("receiver bug")

    calls = []

    def record(zone, kind, **kwargs):
        calls.append((zone.name, kind))

    zone_alert.connect(broken)
    zone_alert.connect(record)
    try:
        publisher.publish(visit(waiting_area, 10, None, 1, loitered=True, event_id="open"))
        make_consumer().drain()
    finally:
        zone_alert.disconnect(broken)
        zone_alert.disconnect(record)
    assert calls == [("waiting", "loitering")]
    assert "zone_alert receiver" in caplog.text and "receiver bug" in caplog.text
    assert ZoneCount.objects.get(zone=waiting_area).max_occupancy == 1
