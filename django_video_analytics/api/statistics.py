"""The statistics responses: daily rows and totals over the last N (UTC) days, in one query."""

from collections import Counter

from ..statistics import COUNTERS, dates, rows_per_camera_and_day, window


def summarize(rows, start, end):
    """Daily sums (one row per day, zeros included), totals and per-camera sums of ``rows``."""
    daily = {date: Counter() for date in dates(start, end)}
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
        "days": len(daily),
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


def camera_statistics(camera, days):
    start, end = window(days)
    summary = summarize(rows_per_camera_and_day([camera.pk], start, end), start, end)
    del summary["cameras"]
    return {"camera_id": camera.camera_id, "camera_name": camera.name, **summary}


def all_cameras_statistics(cameras, days):
    start, end = window(days)
    return summarize(rows_per_camera_and_day(cameras.values("pk"), start, end), start, end)


def _full(counts):
    return {name: counts.get(name, 0) for name in COUNTERS}
