"""A real clip through ``run_camera_worker --burst`` and ``consume_events --burst``: counts.

A person walks right across the gate line into the kiosk zone, stays 2 s (loitering after
1.5 s), and walks back: one crossing in, one out, one visit, one loitering alert.
"""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.models import (
    LineCrossingEvent,
    Zone,
    ZoneCount,
    ZoneVisitEvent,
)
from django_video_analytics.signals import zone_alert
from testing_media.clips import PERSON
from testing_media.path_clips import Walk, walk_clip
from tests.workers.helpers import make_camera

pytestmark = [pytest.mark.inference, pytest.mark.django_db(transaction=True)]

# Upright at x 0.45: walking right is "in" (its left, seen going down the image).
GATE = [[0.45, 0.3], [0.45, 1.0]]
KIOSK = [[0.42, 0.5], [0.58, 0.5], [0.58, 1.0], [0.42, 1.0]]
WALK = Walk(PERSON, 0.7, ((0, 0.3, 0.95), (1.33, 0.5, 0.95), (3.5, 0.5, 0.95), (4.8, 0.3, 0.95)))
INTERVAL = 0.2  # seconds between analysed frames at the default max_fps=5


@pytest.fixture
def worker_settings(settings, stream_names):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "ALLOW_LOCAL_SOURCES": True,
        "DETECTION_MODE": "always",
        "WORKER_POLL_SECONDS": 0.2,
    }


@pytest.fixture
def alerts():
    calls = []

    def record(sender, zone, kind, **kwargs):
        calls.append((zone.name, kind))

    zone_alert.connect(record)
    yield calls
    zone_alert.disconnect(record)


def totals(zone):
    return ZoneCount.objects.filter(zone=zone).aggregate(
        crossings_in=Sum("crossings_in"),
        crossings_out=Sum("crossings_out"),
        visits=Sum("visits"),
        dwell=Sum("total_dwell_seconds"),
        peak=Sum("max_occupancy"),
    )


def test_a_walked_clip_ends_in_exact_zone_counts_once(
    worker_settings, clip_dir, stream_names, redis_client, alerts
):
    path = walk_clip("gate-kiosk-e2e", 5.0, [WALK], directory=clip_dir)
    camera = make_camera(path, detection_classes=["person"], enable_motion_detection=False)
    gate = Zone.objects.create(camera=camera, name="gate", kind="line", points=GATE)
    kiosk = Zone.objects.create(
        camera=camera, name="kiosk", points=KIOSK, loiter_seconds=1.5, classes=["person"]
    )

    call_command("run_camera_worker", "--camera", camera.camera_id, "--burst", verbosity=0)
    call_command("consume_events", "--burst", verbosity=0)

    assert totals(gate) | {"dwell": None} == {
        "crossings_in": 1, "crossings_out": 1, "visits": 0, "dwell": None, "peak": 0,
    }  # fmt: skip
    kiosk_totals = totals(kiosk)
    assert (kiosk_totals["visits"], kiosk_totals["peak"]) == (1, 1)
    # The anchor is inside from x 0.42 going (1.0 s) to x 0.42 coming back (4.2 s).
    assert kiosk_totals["dwell"] == pytest.approx(3.2, abs=2 * INTERVAL)
    assert [c.direction for c in LineCrossingEvent.objects.order_by("timestamp")] == ["in", "out"]
    reports = list(ZoneVisitEvent.objects.order_by("timestamp"))
    assert [(r.exited is None, r.loitered) for r in reports] == [(True, True), (False, True)]
    assert alerts == [("kiosk", "loitering")]

    # Every entry delivered again: found by its event id, nothing counts twice.
    stream = stream_names["STREAM_NAME"]
    entries = [fields for _id, fields in redis_client.xrange(stream)]
    EventPublisher().publish_many(
        [{key.decode(): value.decode() for key, value in fields.items()} for fields in entries]
    )
    before = (totals(gate), kiosk_totals)
    call_command("consume_events", "--burst", verbosity=0)
    assert (totals(gate), totals(kiosk)) == before
    assert alerts == [("kiosk", "loitering")]
    assert LineCrossingEvent.objects.count() == 2 and ZoneVisitEvent.objects.count() == 2
