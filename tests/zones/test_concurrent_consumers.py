"""Two consumer processes storing the same crossings and visits at once count each once."""

from datetime import datetime, timedelta, timezone

import pytest
from django.db.models import Sum

from django_video_analytics.events import wire
from django_video_analytics.models import (
    LineCrossingEvent,
    ZoneCount,
    ZoneDayCount,
    ZoneVisitEvent,
)
from tests.events.processes import start_consumer

from .conftest import assert_days_match_hours

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

START = datetime(2026, 11, 20, 22, 30, tzinfo=timezone.utc)


def test_overlapping_consumers_count_every_crossing_and_visit_once(
    door_line, waiting_area, publisher, stream_names, tmp_path
):
    total = 600
    entries = []
    for i in range(total):
        moment = START + timedelta(seconds=6 * i)  # an hour and a half: two hours of rows
        if i % 3:
            direction = "in" if i % 3 == 1 else "out"
            entries.append(
                wire.build_line_crossing(
                    "cam-1",
                    moment,
                    i,
                    "door",
                    door_line.pk,
                    i,
                    "person",
                    direction,
                    event_id=f"c{i}",
                )  # fmt: skip
            )
        else:
            entries.append(
                wire.build_zone_visit(
                    "cam-1",
                    moment + timedelta(seconds=4),
                    i,
                    "waiting",
                    waiting_area.pk,
                    i,
                    "person",
                    moment,
                    moment + timedelta(seconds=4),
                    4.0,
                    False,
                    1 + i % 5,
                    event_id=f"v{i}",
                )  # fmt: skip
            )
    publisher.publish_many(entries)
    settings = {
        **stream_names,
        "CONSUMER_BATCH_SIZE": 20,
        "CONSUMER_BLOCK_MS": 100,
        # Each consumer also claims the other's in-flight entries: constant overlap.
        "CONSUMER_CLAIM_IDLE_MS": 1,
        "CONSUMER_MAX_DELIVERIES": 10_000,
    }
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    consumers = [
        start_consumer("--burst", "--consumer-name", name, overrides=settings, log_path=log)
        for name, log in zip(("a", "b"), logs, strict=True)
    ]
    try:
        for consumer, log in zip(consumers, logs, strict=True):
            assert consumer.wait(180) == 0, log.read_text()
    finally:
        for consumer in consumers:
            consumer.kill()

    assert LineCrossingEvent.objects.count() == 400 and ZoneVisitEvent.objects.count() == 200
    door = ZoneCount.objects.filter(zone=door_line).aggregate(
        crossings_in=Sum("crossings_in"), crossings_out=Sum("crossings_out")
    )
    assert door == {"crossings_in": 200, "crossings_out": 200}
    waiting = ZoneCount.objects.filter(zone=waiting_area).aggregate(
        visits=Sum("visits"), dwell=Sum("total_dwell_seconds"), short=Sum("dwell_under_10s")
    )
    assert waiting == {"visits": 200, "dwell": 800.0, "short": 200}
    assert ZoneCount.objects.filter(zone=waiting_area).count() == 2
    assert set(
        ZoneCount.objects.values_list("max_occupancy", flat=True).filter(zone=waiting_area)
    ) == {5}
    # The daily row, written with the hours by both consumers, sums them exactly.
    assert ZoneDayCount.objects.filter(zone=waiting_area).count() == 1
    assert_days_match_hours()
