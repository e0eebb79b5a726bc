"""Daily rows and totals of ``EventStatistics`` over the last N days, in one query."""

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from ..models import EventStatistics

COUNTERS = EventStatistics.COUNTERS


def window(days):
    """The first and last date of the ``days`` days ending today (local time)."""
    end = timezone.localdate()
    return end - timedelta(days=days - 1), end


def summarize(rows, days):
    """Daily sums (one row per day, zeros included), totals and per-camera sums of ``rows``."""
    start, end = window(days)
    daily = {start + timedelta(days=offset): Counter() for offset in range(days)}
    cameras = {}
    for row in rows:
        counts = Counter({name: row[name] for name in COUNTERS})
        daily[row["date"]].update(counts)
        camera = cameras.setdefault(
            row["camera__camera_id"], {"camera_name": row["camera__name"], "counts": Counter()}
        )
        camera["counts"].update(counts)
    totals = sum(daily.values(), Counter())
    return {
        "days": days,
        "start_date": start,
        "end_date": end,
        "daily": [{"date": date, **_full(counts)} for date, counts in daily.items()],
        "totals": _full(totals),
        "cameras": [
            {
                "camera_id": camera_id,
                "camera_name": camera["camera_name"],
                **_full(camera["counts"]),
            }
            for camera_id, camera in sorted(cameras.items())
        ],
    }


def statistics_rows(cameras, days):
    """The statistics rows of ``cameras`` (a queryset) within the window."""
    start, end = window(days)
    return (
        EventStatistics.objects.filter(camera__in=cameras, date__range=(start, end))
        .order_by()
        .values("date", "camera__camera_id", "camera__name", *COUNTERS)
    )


def camera_statistics(camera, days):
    rows = statistics_rows([camera.pk], days)
    summary = summarize(rows, days)
    del summary["cameras"]
    return {"camera_id": camera.camera_id, "camera_name": camera.name, **summary}


def all_cameras_statistics(cameras, days):
    return summarize(statistics_rows(cameras.values("pk"), days), days)


def _full(counts):
    return {name: counts.get(name, 0) for name in COUNTERS}
