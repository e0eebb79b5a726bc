"""``rebuild_statistics``: a recount through the consumer, a tampered row, a repair."""

from datetime import date, datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from django_video_analytics.events.consumer import EventConsumer
from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.models import DetectionEvent, EventStatistics
from tests.events.entries import mixed_entries

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 11, 20, 23, 59, 58, tzinfo=timezone.utc)  # two UTC days


@pytest.fixture
def stored(stream_names):
    """Mixed events stored by the real consumer, which keeps the statistics."""
    EventPublisher().publish_many(mixed_entries(400, start=T0))
    EventConsumer(consumer_name="test").drain(1000)
    assert EventStatistics.objects.count() > 2


def run(*args):
    out = StringIO()
    call_command("rebuild_statistics", *args, stdout=out)
    return out.getvalue()


def test_check_passes_on_the_consumer_statistics(stored):
    assert "Statistics match the stored events." in run("--check")


def test_a_tampered_row_fails_the_check_and_a_rebuild_repairs_it(stored):
    row = EventStatistics.objects.filter(person_count__gt=0).select_related("camera").first()
    EventStatistics.objects.filter(pk=row.pk).update(person_count=row.person_count + 3)
    with pytest.raises(CommandError) as raised:
        run("--check")
    assert raised.value.returncode == 1

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("rebuild_statistics", "--check", stdout=out)
    expected = (
        f"{row.camera.camera_id} {row.date}: person_count stored {row.person_count + 3}, "
        f"counted {row.person_count}"
    )
    assert out.getvalue().splitlines() == [expected]

    assert "Rebuilt 1 statistics row(s)." in run()
    assert EventStatistics.objects.get(pk=row.pk).person_count == row.person_count
    assert "match" in run("--check")


def test_a_missing_row_is_recreated_and_filters_narrow_the_check(stored):
    row = EventStatistics.objects.select_related("camera").order_by("date").first()
    other_day = EventStatistics.objects.exclude(date=row.date).select_related("camera").first()
    EventStatistics.objects.filter(pk=row.pk).delete()
    EventStatistics.objects.filter(pk=other_day.pk).update(motion_count=999)

    # --since after the deleted row's day and --camera of another camera: only the tampered one.
    since = (row.date + timedelta(days=1)).isoformat()
    with pytest.raises(CommandError):
        run("--check", "--since", since)
    assert "match" in run("--check", "--since", since, "--camera", "no-such-camera")

    run()
    recreated = EventStatistics.objects.get(camera=row.camera, date=row.date)
    assert [getattr(recreated, name) for name in EventStatistics.COUNTERS] == [
        getattr(row, name) for name in EventStatistics.COUNTERS
    ]
    assert "match" in run("--check")


def test_days_under_retention_are_not_recounted(stored, settings):
    midnight = datetime(2026, 11, 21, tzinfo=timezone.utc)
    DetectionEvent.objects.filter(timestamp__lt=midnight).delete()
    with pytest.raises(CommandError):
        run("--check")
    days = (datetime.now(timezone.utc).date() - date(2026, 11, 20)).days  # cutoff on 11-20
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "RETENTION_DETECTION_DAYS": days}
    output = run("--check")
    assert "Recounting from 2026-11-21" in output and "match" in output


def test_the_daily_task_logs_differences_of_recent_days(camera, caplog):
    from django.utils import timezone as django_timezone

    from django_video_analytics.tasks import check_statistics

    today = django_timezone.now().date()
    EventStatistics.objects.create(camera=camera, date=today, motion_count=2)
    EventStatistics.objects.create(camera=camera, date=today - timedelta(days=30), motion_count=5)
    differences = check_statistics.apply().get()
    assert differences == [
        {
            "camera_id": "cam-1",
            "date": today.isoformat(),
            "counter": "motion_count",
            "stored": 2,
            "counted": 0,
        }
    ]
    assert "1 statistics counter(s) differ" in caplog.text
