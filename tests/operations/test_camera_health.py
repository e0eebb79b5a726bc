"""Camera health periods: the debounced recorder, the sweep over real leases, uptime."""

from datetime import datetime, timedelta, timezone

import pytest
from django.utils import timezone as django_timezone

from django_video_analytics.models import Camera, CameraHealth
from django_video_analytics.operations.camera_health import (
    HealthRecorder,
    daily_uptime,
    sweep,
)
from django_video_analytics.signals import camera_health_changed
from django_video_analytics.workers.leases import CameraLeases

pytestmark = pytest.mark.django_db(transaction=True)  # the signal is sent on commit

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def periods(camera):
    return list(
        CameraHealth.objects.filter(camera=camera)
        .order_by("since")
        .values_list("state", "since", "until", "reason")
    )


@pytest.fixture
def changes():
    received = []

    def receiver(sender, **kwargs):
        received.append((kwargs["camera"].camera_id, kwargs["previous"], kwargs["state"]))

    camera_health_changed.connect(receiver)
    yield received
    camera_health_changed.disconnect(receiver)


def test_a_two_second_glitch_leaves_no_row_and_a_real_outage_does(camera, changes):
    recorder = HealthRecorder(debounce_seconds=5)
    assert not recorder.observe("cam-1", online=True, at=at(0))  # debounce applies to the first
    assert recorder.observe("cam-1", online=True, at=at(5))
    # A 2 s glitch: offline, then frames again.
    recorder.observe("cam-1", online=False, reason="timeout", at=at(10))
    recorder.observe("cam-1", online=False, reason="timeout", at=at(11))
    recorder.observe("cam-1", online=True, at=at(12))
    recorder.observe("cam-1", online=False, reason="timeout", at=at(16))  # pending restarts
    recorder.observe("cam-1", online=True, at=at(20))
    assert len(periods(camera)) == 1
    # A real outage: offline for longer than the debounce, dated from when it began.
    recorder.observe("cam-1", online=False, reason="connection refused", at=at(30))
    assert recorder.observe("cam-1", online=False, at=at(36))
    recorder.observe("cam-1", online=True, at=at(50))
    assert recorder.observe("cam-1", online=True, at=at(56))

    assert periods(camera) == [
        ("online", at(0), at(30), ""),
        ("offline", at(30), at(50), "connection refused"),
        ("online", at(50), None, ""),
    ]
    assert changes == [
        ("cam-1", None, "online"),
        ("cam-1", "online", "offline"),
        ("cam-1", "offline", "online"),
    ]
    # A new recorder (a restarted worker) reads the open period and records nothing new.
    assert not HealthRecorder(debounce_seconds=5).observe("cam-1", online=True, at=at(60))


def test_sweep_marks_cameras_without_a_live_worker_offline(stream_names, redis_client, changes):
    now = django_timezone.now()
    led = Camera.objects.create(camera_id="led", name="L", enabled=True, last_active_at=now)
    orphan = Camera.objects.create(
        camera_id="orphan", name="O", enabled=True, last_active_at=now - timedelta(seconds=30)
    )
    silent = Camera.objects.create(
        camera_id="silent", name="S", enabled=True, last_active_at=now - timedelta(minutes=5)
    )
    Camera.objects.create(camera_id="off", name="Off", enabled=False)
    leases = CameraLeases(redis_client, ttl_seconds=30)
    assert leases.acquire("led") and leases.acquire("silent")
    try:
        assert sweep(now) == ["led", "orphan", "silent"]
        assert periods(led) == [("online", now, None, "")]
        assert periods(orphan) == [
            ("offline", orphan.last_active_at, None, "no worker holds the camera's lease")
        ]
        assert periods(silent)[0][3] == "no heartbeat"
        assert sweep(now) == []  # nothing changed, nothing written

        # The worker holding "led" dies: its lease expires, the sweep notices.
        leases.release("led")
        later = now + timedelta(minutes=1)
        assert sweep(later) == ["led"]
        assert [row[0] for row in periods(led)] == ["online", "offline"]
        # A worker takes it over and beats: online again; then the operator stops it.
        assert leases.acquire("led")
        Camera.objects.filter(pk=led.pk).update(last_active_at=later)
        assert sweep(later) == ["led"]
        Camera.objects.filter(pk=led.pk).update(enabled=False)
        assert sweep(later + timedelta(seconds=1)) == ["led"]
        assert [row[0] for row in periods(led)] == ["online", "offline", "online", "offline"]
        assert periods(led)[-1][3] == "stopped"
    finally:
        leases.release("silent")
        leases.release("led")
    assert ("orphan", None, "offline") in changes and ("led", "online", "offline") in changes


def test_daily_uptime_counts_only_covered_time(camera):
    day = datetime(2026, 11, 20, tzinfo=timezone.utc)
    CameraHealth.objects.create(
        camera=camera,
        state="online",
        since=day + timedelta(hours=6),
        until=day + timedelta(hours=18),
    )
    CameraHealth.objects.create(
        camera=camera,
        state="offline",
        since=day + timedelta(hours=18),
        until=day + timedelta(hours=30),
    )
    CameraHealth.objects.create(camera=camera, state="online", since=day + timedelta(hours=30))
    now = day + timedelta(days=1, hours=12)
    assert daily_uptime(camera, days=3, now=now) == [
        (datetime(2026, 11, 19).date(), None),
        (datetime(2026, 11, 20).date(), 66.7),  # 12 h up of 18 h known
        (datetime(2026, 11, 21).date(), 50.0),  # 6 h down, 6 h up until now
    ]


def test_the_sweep_task_returns_the_changed_cameras(stream_names):
    from django_video_analytics.tasks import sweep_camera_health

    Camera.objects.create(camera_id="nobody-runs-me", name="N", enabled=True)
    assert sweep_camera_health.apply().get() == ["nobody-runs-me"]
    assert sweep_camera_health.apply().get() == []
