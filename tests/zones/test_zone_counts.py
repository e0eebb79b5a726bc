import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections

from django_video_analytics import zone_counts
from django_video_analytics.models import Camera, Zone, ZoneCount
from django_video_analytics.zone_counts import Crossing, Visit

from .conftest import LINE_POINTS, SQUARE, assert_days_match_hours

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def crossing(zone, direction="in", at=NOON, class_name="person"):
    return Crossing(zone.camera_id, zone.pk, class_name, direction, at)


def visit(zone, entered=NOON, dwell=12.5, occupancy=1, closed=True, class_name="person"):
    exited = entered + timedelta(seconds=dwell) if closed else None
    return Visit(zone.camera_id, zone.pk, class_name, entered, exited, dwell, occupancy)


def test_hour_of_truncates_in_utc():
    paris = datetime(2026, 11, 20, 13, 59, 59, tzinfo=UTC).astimezone()
    assert zone_counts.hour_of(paris) == datetime(2026, 11, 20, 13, tzinfo=UTC)


def test_crossings_fill_the_hour_of_their_timestamp_by_direction(door_line):
    later = NOON + timedelta(minutes=59, seconds=59)
    touched = zone_counts.apply(
        [crossing(door_line, "in"), crossing(door_line, "in", later), crossing(door_line, "out")]
    )
    zone_counts.apply([crossing(door_line, "out", NOON + timedelta(hours=1))])
    assert touched == 1
    rows = list(ZoneCount.objects.order_by("hour").values("hour", "crossings_in", "crossings_out"))
    assert rows == [
        {"hour": NOON, "crossings_in": 2, "crossings_out": 1},
        {"hour": NOON + timedelta(hours=1), "crossings_in": 0, "crossings_out": 1},
    ]


def test_a_closed_visit_counts_in_its_entered_hour_and_an_open_one_only_raises_the_peak(
    waiting_area,
):
    entered = NOON + timedelta(minutes=50)
    zone_counts.apply(visits=[visit(waiting_area, entered, dwell=70, occupancy=3, closed=False)])
    zone_counts.apply(visits=[visit(waiting_area, entered, dwell=900, occupancy=3)])
    zone_counts.apply(visits=[visit(waiting_area, NOON, dwell=4.5, occupancy=2)])
    row = ZoneCount.objects.get()
    assert row.hour == NOON
    assert (row.visits, row.total_dwell_seconds, row.max_occupancy) == (2, 904.5, 3)
    assert (row.dwell_under_10s, row.dwell_15m_or_more, row.dwell_under_15m) == (1, 1, 0)


def test_an_unknown_direction_is_refused_before_any_write(door_line):
    with pytest.raises(ValueError, match="direction"):
        zone_counts.apply([crossing(door_line, "in"), crossing(door_line, "up")])
    assert not ZoneCount.objects.exists()


def apply_concurrently(workers, rounds, make_batch):
    barrier = threading.Barrier(workers)
    errors = []

    def work(worker):
        try:
            barrier.wait()
            for number in range(rounds):
                crossings, visits = make_batch(worker, number)
                zone_counts.apply(crossings, visits)
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_end_exact():
    """Four threads, each its own connection, add to the same rows (SQLite and PostgreSQL)."""
    camera = Camera.objects.create(camera_id="cam-1", name="Gate")
    line = Zone.objects.create(camera=camera, name="door", kind="line", points=LINE_POINTS)
    area = Zone.objects.create(camera=camera, name="hall", points=SQUARE)
    workers, rounds = 4, 30

    def batch(worker, number):
        # Every batch touches the same rows (and new ones) in a different order.
        hours = [NOON + timedelta(hours=h) for h in (number % 3, 0, 5)]
        crossings = [crossing(line, ("in", "out")[worker % 2], at) for at in hours]
        crossings.append(crossing(line, "in", NOON, class_name="car"))
        visits = [visit(area, NOON, dwell=0.25 * worker, occupancy=worker * rounds + number)]
        if worker % 2:
            crossings.reverse()
        return crossings, visits

    apply_concurrently(workers, rounds, batch)
    totals = {(row.zone_id, row.class_name, row.hour): row for row in ZoneCount.objects.all()}
    noon_person = totals[line.pk, "person", NOON]
    # Two workers a direction, each once at noon a round and again when number % 3 == 0.
    per_direction = 2 * (rounds + rounds // 3)
    assert (noon_person.crossings_in, noon_person.crossings_out) == (per_direction,) * 2
    assert totals[line.pk, "car", NOON].crossings_in == workers * rounds
    assert totals[line.pk, "person", NOON + timedelta(hours=5)].crossings_in == 2 * rounds
    hall = totals[area.pk, "person", NOON]
    assert hall.visits == workers * rounds
    assert hall.total_dwell_seconds == sum(0.25 * w for w in range(workers)) * rounds
    assert hall.max_occupancy == workers * rounds - 1
    assert hall.dwell_under_10s == workers * rounds
    assert_days_match_hours()


def all_zones(model):
    return model.objects.all()


def test_counts_sum_per_bucket_and_group(door_line, waiting_area):
    other = Zone.objects.create(
        camera=door_line.camera, name="exit", kind="line", points=LINE_POINTS
    )
    zone_counts.apply(
        [
            crossing(door_line, "in"),
            crossing(door_line, "in", NOON + timedelta(hours=2)),
            crossing(door_line, "out", NOON + timedelta(hours=2), class_name="car"),
            crossing(other, "out"),
            crossing(door_line, "in", NOON + timedelta(days=1)),
        ],
        [visit(waiting_area, dwell=10), visit(waiting_area, dwell=20, occupancy=2)],
    )
    end = NOON + timedelta(days=1)

    def door_only(model):
        return model.objects.filter(zone=door_line)

    by_zone_day = zone_counts.counts(all_zones, NOON, end, "day", ("zone",))
    assert [
        (r["zone"], r["crossings_in"], r["crossings_out"], r["visits"]) for r in by_zone_day
    ] == [
        ("door", 2, 1, 0),
        ("waiting", 0, 0, 2),
        ("exit", 0, 1, 0),
    ]
    assert by_zone_day[1]["mean_dwell_seconds"] == 15
    assert by_zone_day[1]["max_occupancy"] == 2
    assert by_zone_day[0]["bucket"] == datetime(2026, 11, 20, tzinfo=UTC)
    by_direction = zone_counts.counts(door_only, NOON, end, "hour", ("class_name", "direction"))
    assert [
        (r["bucket"].hour, r["class_name"], r["direction"], r["crossings"]) for r in by_direction
    ] == [
        (12, "person", "in", 1),
        (14, "car", "out", 1),
        (14, "person", "in", 1),
    ]
    assert list(by_direction[0]) == zone_counts.columns(("class_name", "direction"))


def test_the_dwell_histogram_and_the_occupancy_of_a_zone(waiting_area):
    zone_counts.apply(
        visits=[
            visit(waiting_area, dwell=5),
            visit(waiting_area, dwell=45, occupancy=4),
            visit(waiting_area, dwell=3600, class_name="dog"),
            visit(waiting_area, NOON - timedelta(hours=1), dwell=5),
        ]
    )
    histogram = zone_counts.dwell_histogram(
        zone_counts.in_range([waiting_area.pk], NOON, NOON + timedelta(hours=1))
    )
    assert histogram == [
        {"up_to_seconds": 10, "visits": 1},
        {"up_to_seconds": 30, "visits": 0},
        {"up_to_seconds": 60, "visits": 1},
        {"up_to_seconds": 300, "visits": 0},
        {"up_to_seconds": 900, "visits": 0},
        {"up_to_seconds": None, "visits": 1},
    ]
    assert zone_counts.occupancy(waiting_area, NOON + timedelta(minutes=30)) == {
        "hour": NOON,
        "classes": [
            {"class_name": "dog", "max_occupancy": 1},
            {"class_name": "person", "max_occupancy": 4},
        ],
    }


def test_a_large_batch_is_written_in_several_statements(door_line):
    hours = 3 * zone_counts.BATCH_ROWS + 7
    moments = [NOON + timedelta(hours=n) for n in range(hours)]
    assert zone_counts.apply([crossing(door_line, "in", at) for at in moments]) == hours
    assert zone_counts.apply([crossing(door_line, "out", at) for at in moments]) == hours
    assert ZoneCount.objects.count() == hours
    assert set(ZoneCount.objects.values_list("crossings_in", "crossings_out")) == {(1, 1)}
