"""Plane geometry in normalised image coordinates: x right, y down, both 0..1 of the frame."""

from math import hypot

Point = tuple[float, float]


def point_in_polygon(point: Point, polygon: tuple[Point, ...] | list[Point]) -> bool:
    """Whether ``point`` lies inside ``polygon`` (even-odd ray casting)."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def side_of_line(point: Point, start: Point, end: Point) -> float:
    """Signed distance of ``point`` from the line through ``start`` and ``end``.

    Positive on the left of the direction start -> end as seen on the image (y grows
    downwards), negative on the right, zero on the line.
    """
    (x, y), (x0, y0), (x1, y1) = point, start, end
    length = hypot(x1 - x0, y1 - y0)
    return ((x - x0) * (y1 - y0) - (y - y0) * (x1 - x0)) / length


def crossing_parameter(a: Point, b: Point, start: Point, end: Point) -> float | None:
    """Where the step ``a -> b`` crosses the infinite line through ``start`` and ``end``.

    The answer is the fraction along start -> end (0 at ``start``, 1 at ``end``; outside
    0..1 on the line's extension), or None when ``a`` and ``b`` lie on the same side.
    """
    da, db = side_of_line(a, start, end), side_of_line(b, start, end)
    if (da > 0) == (db > 0):
        return None
    share = da / (da - db)
    x, y = a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share
    dx, dy = end[0] - start[0], end[1] - start[1]
    return ((x - start[0]) * dx + (y - start[1]) * dy) / (dx * dx + dy * dy)


def segments_intersect(a: Point, b: Point, start: Point, end: Point) -> bool:
    """Whether the step ``a -> b`` passes through the segment ``start -> end``."""
    fraction = crossing_parameter(a, b, start, end)
    return fraction is not None and 0.0 <= fraction <= 1.0


def polygon_area(polygon: tuple[Point, ...] | list[Point]) -> float:
    """The area a simple polygon encloses (shoelace formula)."""
    pairs = zip(polygon, [*polygon[1:], polygon[0]], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)) / 2
