import datetime

from django_video_analytics.widgets.charts import sparkline_points, stacked_bar_chart
from django_video_analytics.widgets.daily import Day


def day(n, **classes):
    counts = {"person": 0, "car": 0, **classes}
    return Day(datetime.date(2026, 11, n), counts, {"detections": 0})


def test_bars_stack_per_day_and_scale_to_the_peak():
    chart = stacked_bar_chart(
        [day(1, person=1, car=1), day(2, person=4)], ["person", "car"], width=100, height=40, gap=0
    )
    assert chart.peak == 4
    assert [(b.name, b.x, b.y, b.width, b.height) for b in chart.bars] == [
        ("person", 0.0, 30.0, 50.0, 10.0),
        ("car", 0.0, 20.0, 50.0, 10.0),
        ("person", 50.0, 0.0, 50.0, 40.0),
    ]
    assert chart.bars[0].title == "2026-11-01 person: 1"


def test_empty_days_draw_no_bars():
    assert stacked_bar_chart([day(1), day(2)], ["person", "car"]).bars == []


def test_sparkline_points():
    assert sparkline_points([0, 5, 10], width=20, height=12, margin=1) == "0,11 10,6 20,1"
    assert sparkline_points([3], width=20, height=12) == "0,1"
    assert sparkline_points([]) == ""
