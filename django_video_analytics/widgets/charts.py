"""Geometry of the inline SVG charts; the templates draw it, nothing here touches the DB."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    name: str  # the class drawn, used in the CSS class ``va-chart__bar--<name>``
    title: str


@dataclass(frozen=True)
class StackedBarChart:
    width: int
    height: int
    bars: list
    peak: int  # the highest daily total, the top of the scale


def stacked_bar_chart(days, names, width=320, height=120, gap=2):
    """One bar per day, stacked by ``names`` (keys of each ``Day.classes``)."""
    slot = width / len(days)
    peak = max((sum(day.classes[n] for n in names) for day in days), default=0)
    scale = height / peak if peak else 0
    bars = []
    for index, day in enumerate(days):
        top = height
        for name in names:
            count = day.classes[name]
            if not count:
                continue
            bar_height = count * scale
            top -= bar_height
            bars.append(
                Bar(
                    x=round(index * slot + gap / 2, 2),
                    y=round(top, 2),
                    width=round(max(slot - gap, 1), 2),
                    height=round(bar_height, 2),
                    name=name,
                    title=f"{day.date:%Y-%m-%d} {name}: {count}",
                )
            )
    return StackedBarChart(width=width, height=height, bars=bars, peak=peak)


def sparkline_points(values, width=120, height=24, margin=1):
    """SVG polyline points of ``values`` scaled into the box; a flat line when all are 0."""
    values = list(values)
    if not values:
        return ""
    peak = max(values)
    step = width / (len(values) - 1) if len(values) > 1 else 0
    usable = height - 2 * margin
    points = []
    for index, value in enumerate(values):
        y = height - margin - (value / peak * usable if peak else 0)
        points.append(f"{round(index * step, 2):g},{round(y, 2):g}")
    return " ".join(points)
