"""``zones/counts/`` against a naive sum of the hourly rows: same answers, bounded cost."""

import itertools
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_video_analytics import zone_counts
from django_video_analytics.models import Zone, ZoneCount, ZoneDayCount
from django_video_analytics.operations.statistics_rebuild import rebuild_statistics
from tests.api.factories import BASE, client_for, make_user

from .conftest import LINE_POINTS, SQUARE, assert_days_match_hours
from .test_zone_counts import crossing, visit

COUNTS = f"{BASE}zones/counts/"
FIRST = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday midnight; the data spans six days
STARTS = ["2026-11-16", "2026-11-17T00:00:00Z", "2026-11-17T10:30:00Z", "2026-11-17T05:00:00+05:30"]
ENDS = [
    None,
    "2026-11-19",
    "2026-11-20T13:00:00Z",
    "2026-11-20T13:59:00-01:00",
    "2026-11-17T20:00Z",
]
GROUPINGS = ["", "zone", "class_name", "direction", "zone,class_name", "class_name,direction"]


@pytest.fixture
def viewer(db):
    return client_for(make_user("viewer", "view_zone"))


@pytest.fixture
def counted(camera):
    """Random crossings and visits over six days through ``apply``, in uneven batches."""
    line = Zone.objects.create(camera=camera, name="door", kind="line", points=LINE_POINTS)
    area = Zone.objects.create(camera=camera, name="hall", points=SQUARE)
    rng = random.Random(13)
    for _ in range(12):
        moments = [FIRST + timedelta(minutes=rng.randrange(6 * 24 * 60)) for _ in range(25)]
        classes = ["person", "car"]
        zone_counts.apply(
            [
                crossing(line, rng.choice("in out".split()), at, rng.choice(classes))
                for at in moments
            ],
            [
                visit(area, at, rng.uniform(1, 1200), rng.randrange(1, 6), class_name=cls)
                for at, cls in zip(moments[:8], itertools.cycle(classes))
            ],
        )
    return line, area


def parse(text):
    if text is None:
        return None
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def naive(start, end, bucket, group_by):
    """The rows ``zones/counts/`` answers, summed in Python from every hourly row."""
    start, end = parse(start), parse(end)
    first = (
        start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time(), UTC)
    )
    sums = defaultdict(lambda: defaultdict(int))
    labels = {}
    for row in ZoneCount.objects.select_related("zone__camera"):
        if row.hour < first:
            continue
        if isinstance(end, datetime) and row.hour > end:
            continue
        if isinstance(end, date) and not isinstance(end, datetime) and row.hour.date() > end:
            continue
        moment = row.hour if bucket == "hour" else row.hour.replace(hour=0)
        key = [moment]
        if "zone" in group_by:
            key.append(row.zone_id)
            labels[row.zone_id] = {
                "camera_id": "cam-1",
                "zone_id": row.zone_id,
                "zone": row.zone.name,
            }
        if "class_name" in group_by:
            key.append(row.class_name)
        totals = sums[tuple(key)]
        for name in ("crossings_in", "crossings_out", "visits", "total_dwell_seconds"):
            totals[name] += getattr(row, name)
        totals["max_occupancy"] = max(totals["max_occupancy"], row.max_occupancy)
    rows = []
    for key in sorted(sums):
        totals, rest = sums[key], list(key[1:])
        keys = {"bucket": key[0]}
        if "zone" in group_by:
            keys.update(labels[rest.pop(0)])
        if "class_name" in group_by:
            keys["class_name"] = rest.pop(0)
        if "direction" in group_by:
            for direction in ("in", "out"):
                if totals[f"crossings_{direction}"]:
                    crossings = totals[f"crossings_{direction}"]
                    rows.append({**keys, "direction": direction, "crossings": crossings})
            continue
        visits = totals["visits"]
        rows.append(
            {
                **keys,
                **{name: totals[name] for name in ("crossings_in", "crossings_out", "visits")},
                "total_dwell_seconds": totals["total_dwell_seconds"],
                "mean_dwell_seconds": totals["total_dwell_seconds"] / visits if visits else None,
                "max_occupancy": totals["max_occupancy"],
            }
        )
    return rows


def as_json(rows):
    for row in rows:
        row["bucket"] = row["bucket"].isoformat().replace("+00:00", "Z")
    return rows


def close(answer, expected):
    """Equal, the dwell sums up to float rounding (daily rows add them in another order)."""
    assert len(answer) == len(expected)
    for got, want in zip(answer, expected, strict=True):
        for name in ("total_dwell_seconds", "mean_dwell_seconds"):
            if want.get(name) is not None:
                assert got.pop(name) == pytest.approx(want.pop(name), rel=1e-12)
        assert got == want


@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Kathmandu", "America/St_Johns"])
def test_counts_equal_a_naive_sum_of_the_hours(viewer, counted, settings, time_zone):
    """Every range, bucket and grouping; UTC buckets whatever the project's time zone."""
    settings.TIME_ZONE = time_zone
    assert_days_match_hours()
    assert ZoneDayCount.objects.count() * 4 < ZoneCount.objects.count()  # days are fewer rows
    for start, end, bucket, group_by in itertools.product(STARTS, ENDS, ("hour", "day"), GROUPINGS):
        query = {"start": start, "bucket": bucket, "group_by": group_by}
        if end is not None:
            query["end"] = end
        response = viewer.get(COUNTS, query)
        assert response.status_code == 200, (query, response.content)
        close(response.json()["rows"], as_json(naive(start, end, bucket, group_by)))


@pytest.mark.parametrize(
    ("start", "stop", "days", "edges"),
    [
        ("2026-11-16T00:00", "2026-11-19T00:00", ("2026-11-16", "2026-11-19"), []),
        (
            "2026-11-16T10:30",
            "2026-11-19T05:00",
            ("2026-11-17", "2026-11-19"),
            [("2026-11-16T10:30", "2026-11-17T00:00"), ("2026-11-19T00:00", "2026-11-19T05:00")],
        ),
        (
            "2026-11-16T10:00",
            None,
            ("2026-11-17", None),
            [("2026-11-16T10:00", "2026-11-17T00:00")],
        ),
        ("2026-11-16T01:00", "2026-11-17T00:00", None, [("2026-11-16T01:00", "2026-11-17T00:00")]),
        ("2026-11-16T01:00", "2026-11-16T05:00", None, [("2026-11-16T01:00", "2026-11-16T05:00")]),
    ],
)
def test_whole_days_split_a_range_into_days_and_edge_hours(start, stop, days, edges):
    def moment(text):
        return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)

    def day(text):
        return None if text is None else date.fromisoformat(text)

    expected_days = None if days is None else tuple(map(day, days))
    expected_edges = [(moment(a), moment(b)) for a, b in edges]
    assert zone_counts.whole_days(moment(start), moment(stop)) == (expected_days, expected_edges)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"start": "2026-11-16", "end": "2026-11-18"}, 2),  # the hours, the names
        ({"start": "2026-11-16", "bucket": "day"}, 2),  # the days, the names
        ({"start": "2026-11-16T10:30Z", "bucket": "day"}, 3),  # + the first day's hours
        ({"start": "2026-11-16T10:30Z", "end": "2026-11-19T05:00Z", "bucket": "day"}, 3),
        ({"start": "2026-11-16T10:30Z", "bucket": "day", "group_by": "class_name"}, 2),
    ],
)
def test_counts_cost_at_most_three_queries(viewer, counted, query, expected):
    viewer.get(COUNTS, query)  # the user's permissions are cached from here on
    with CaptureQueriesContext(connection) as queries:
        assert viewer.get(COUNTS, query).status_code == 200
    assert len(queries) == expected


@pytest.mark.parametrize(
    ("bucket", "days", "ok"),
    [("hour", 31, True), ("hour", 32, False), ("day", 400, True), ("day", 401, False)],
)
def test_a_range_longer_than_its_bucket_allows_is_a_400_on_start(viewer, db, bucket, days, ok):
    end = datetime(2026, 11, 20, 23, tzinfo=UTC)
    start = end + timedelta(hours=1) - timedelta(days=days)
    query = {"bucket": bucket, "start": start.isoformat(), "end": end.isoformat()}
    response = viewer.get(COUNTS, query)
    assert response.status_code == (200 if ok else 400)
    if not ok:
        assert f"At most {zone_counts.MAX_RANGE_DAYS[bucket]} days" in response.json()["start"][0]
    without_end = viewer.get(COUNTS, {"bucket": bucket, "start": "2000-01-01"})
    assert without_end.status_code == 400  # no end: up to now


def test_rebuild_statistics_repairs_the_day_counts(counted):
    line, _ = counted
    day = ZoneDayCount.objects.filter(zone=line).order_by("day").first()
    ZoneDayCount.objects.filter(pk=day.pk).update(crossings_in=day.crossings_in + 5)
    ZoneDayCount.objects.filter(zone=line, day=date(2026, 11, 21), class_name="car").delete()
    assert rebuild_statistics(since=date(2026, 11, 17)) == 1  # the deleted day; not before
    assert rebuild_statistics() == 1  # the tampered first day
    assert_days_match_hours()
    assert rebuild_statistics() == 0
