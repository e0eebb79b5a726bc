"""``cleanup_events``: per-type retention, batches, snapshot files, dead letters."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from django_video_analytics.models import (
    ANPREvent,
    DetectionEvent,
    EventStatistics,
    LineCrossingEvent,
    MotionEvent,
    Zone,
    ZoneCount,
    ZoneVisitEvent,
)

pytestmark = pytest.mark.django_db

RETENTION = {
    "RETENTION_DETECTION_DAYS": 30,
    "RETENTION_MOTION_DAYS": 7,
    "RETENTION_ANPR_DAYS": 90,
    "RETENTION_LINE_CROSSING_DAYS": 60,
    "RETENTION_ZONE_VISIT_DAYS": 60,
    "RETENTION_DEAD_LETTER_DAYS": 14,
    "RETENTION_SNAPSHOT_DAYS": 20,
}


@pytest.fixture
def retention(settings, stream_names):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, **RETENTION}


def snapshot(name):
    return default_storage.save(f"video_analytics/snapshots/{name}.jpg", ContentFile(b"jpeg"))


def make_events(camera, days_ago, count, with_snapshot=False):
    moment = timezone.now() - timedelta(days=days_ago)
    for index in range(count):
        key = f"{days_ago}-{index}"
        DetectionEvent.objects.create(
            camera=camera,
            timestamp=moment,
            source_id=f"d:{key}",
            snapshot=snapshot(key) if with_snapshot else "",
        )
        MotionEvent.objects.create(
            camera=camera,
            timestamp=moment,
            source_id=f"m:{key}",
            motion_intensity=0.5,
            affected_area_percentage=3,
        )
        ANPREvent.objects.create(
            camera=camera,
            timestamp=moment,
            source_id=f"a:{key}",
            license_plate="AB12CDE",
            confidence=0.9,
        )


def run(*args):
    out = StringIO()
    call_command("cleanup_events", *args, stdout=out)
    return out.getvalue()


def test_old_rows_go_in_batches_with_their_files_and_statistics_stay(camera, retention):
    make_events(camera, days_ago=100, count=7, with_snapshot=True)  # past every retention
    make_events(camera, days_ago=25, count=2, with_snapshot=True)  # past motion, snapshots
    make_events(camera, days_ago=1, count=2, with_snapshot=True)  # kept whole
    old_files = list(
        DetectionEvent.objects.filter(source_id__startswith="d:100-").values_list(
            "snapshot", flat=True
        )
    )
    kept_file = DetectionEvent.objects.get(source_id="d:1-0").snapshot.name
    EventStatistics.objects.create(camera=camera, date=timezone.now().date(), detection_count=11)

    output = run("--yes", "--batch-size", "3")

    assert set(DetectionEvent.objects.values_list("source_id", flat=True)) == {
        "d:25-0",
        "d:25-1",
        "d:1-0",
        "d:1-1",
    }
    assert MotionEvent.objects.count() == 2  # only the 1-day-old ones
    assert ANPREvent.objects.count() == 4  # 90 days: the 100-day-old ones went
    assert not any(default_storage.exists(name) for name in old_files)
    # Rows of 25 days keep their row but lost their file (snapshot retention 20 days).
    assert set(
        DetectionEvent.objects.filter(source_id__startswith="d:25-").values_list(
            "snapshot", flat=True
        )
    ) == {""}
    assert default_storage.exists(kept_file)
    assert EventStatistics.objects.get().detection_count == 11
    # 7 rows walked 3 primary keys at a time: at least 3 batches.
    line = next(line for line in output.splitlines() if line.startswith("detectionevent "))
    assert "deleted 7 row(s), 7 file(s) in " in line
    assert int(line.split(" in ")[1].split(" batch")[0]) >= 3


def test_dry_run_counts_and_deletes_nothing(camera, retention):
    make_events(camera, days_ago=100, count=3, with_snapshot=True)
    output = run("--dry-run")
    assert "detectionevent older than" in output and "would delete 3 row(s), 3 file(s)" in output
    assert DetectionEvent.objects.count() == 3 and MotionEvent.objects.count() == 3


def test_without_yes_nothing_is_deleted(camera, retention):
    make_events(camera, days_ago=100, count=1)
    with pytest.raises(CommandError, match="--yes"):
        run()
    assert DetectionEvent.objects.count() == 1


def test_nothing_configured_deletes_nothing(camera, stream_names):
    make_events(camera, days_ago=1000, count=1)
    assert "No retention configured" in run("--yes")
    assert DetectionEvent.objects.count() == 1


def test_old_dead_letters_are_trimmed(retention, stream_names, redis_client):
    stream = stream_names["DEAD_LETTER_STREAM"]
    now_ms = int(timezone.now().timestamp() * 1000)
    old_ms = now_ms - 20 * 86_400_000
    redis_client.xadd(stream, {"reason": "old"}, id=f"{old_ms}-0")
    redis_client.xadd(stream, {"reason": "old"}, id=f"{old_ms}-1")
    redis_client.xadd(stream, {"reason": "new"}, id=f"{now_ms}-0")

    assert "dead letters older than" in run("--dry-run")
    assert "would delete 2 row(s)" in run("--dry-run")
    assert redis_client.xlen(stream) == 3
    run("--yes")
    assert [fields[b"reason"] for _, fields in redis_client.xrange(stream)] == [b"new"]


def test_the_daily_task_applies_retention(camera, retention):
    from django_video_analytics.tasks import cleanup_events

    make_events(camera, days_ago=100, count=2)
    report = cleanup_events.apply().get()
    assert report["dry_run"] is False
    deleted = {result["target"]: result["rows"] for result in report["results"]}
    assert deleted["detectionevent"] == 2 and deleted["motionevent"] == 2
    assert DetectionEvent.objects.count() == 0


def test_old_zone_events_go_and_their_counts_stay(camera, retention):
    line = Zone.objects.create(camera=camera, name="door", kind="line", points=[[0, 0.5], [1, 0.5]])
    area = Zone.objects.create(
        camera=camera, name="yard", kind="polygon", points=[[0, 0], [1, 0], [1, 1]]
    )
    for days_ago in (100, 1):
        moment = timezone.now() - timedelta(days=days_ago)
        common = {"camera": camera, "timestamp": moment, "track_id": 1, "class_name": "person"}
        LineCrossingEvent.objects.create(
            **common, source_id=f"l:{days_ago}", zone=line, zone_name="door", direction="in"
        )
        ZoneVisitEvent.objects.create(
            **common,
            source_id=f"v:{days_ago}",
            zone=area,
            zone_name="yard",
            entered=moment,
            dwell_seconds=3.0,
        )
    ZoneCount.objects.create(
        camera=camera, zone=line, class_name="person", hour=timezone.now().replace(
            minute=0, second=0, microsecond=0
        ) - timedelta(days=100), crossings_in=1,
    )  # fmt: skip

    run("--yes")

    assert list(LineCrossingEvent.objects.values_list("source_id", flat=True)) == ["l:1"]
    assert list(ZoneVisitEvent.objects.values_list("source_id", flat=True)) == ["v:1"]
    assert ZoneCount.objects.get().crossings_in == 1
