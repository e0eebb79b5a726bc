"""What to count: lines and polygon zones in normalised coordinates, validated once.

``spec_from_dict`` builds a spec from a plain mapping (a ``Zone`` row's fields, a JSON
object) and raises ``SpecError`` naming the field at fault, so an API can report it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from .geometry import Point, polygon_area

# Where on its (x, y, w, h) box a track stands, as fractions of the box's width and height.
ANCHORS = {
    "bottom_centre": (0.5, 1.0),
    "centre": (0.5, 0.5),
    "top_centre": (0.5, 0.0),
    "centre_left": (0.0, 0.5),
    "centre_right": (1.0, 0.5),
    "bottom_left": (0.0, 1.0),
    "bottom_right": (1.0, 1.0),
    "top_left": (0.0, 0.0),
    "top_right": (1.0, 0.0),
}
DEFAULT_ANCHOR = "bottom_centre"  # where people and vehicles touch the ground
LINE_SIDES = ("left", "right")
KINDS = ("line", "polygon")
MAX_POLYGON_POINTS = 32
MAX_NAME_LENGTH = 64
# A line's hysteresis: how far (normalised units) a track must go past it on each side.
DEFAULT_MIN_DISTANCE = 0.03
MAX_MIN_DISTANCE = 0.5
# A zone's inertia: consecutive observations inside (or outside) before it changes.
DEFAULT_INERTIA_FRAMES = 3
MAX_INERTIA_FRAMES = 100


class SpecError(ValueError):
    """A zone or line that cannot be counted; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def anchor_point(box: tuple[float, float, float, float], anchor: str = DEFAULT_ANCHOR) -> Point:
    """The point of a normalised ``(x, y, w, h)`` box that ``anchor`` names."""
    fx, fy = ANCHORS[anchor]
    x, y, width, height = box
    return x + fx * width, y + fy * height


@dataclass(frozen=True)
class _Spec:
    name: str
    points: tuple[Point, ...]
    classes: tuple[str, ...] = ()  # empty: every class
    anchor: str = DEFAULT_ANCHOR

    kind: ClassVar[str]
    min_points: ClassVar[int]
    max_points: ClassVar[int]

    def __post_init__(self):
        if not isinstance(self.name, str) or not 0 < len(self.name) <= MAX_NAME_LENGTH:
            raise SpecError("name", f"must be a non-empty string of at most {MAX_NAME_LENGTH}")
        object.__setattr__(self, "points", _points(self.points, self.min_points, self.max_points))
        if not isinstance(self.classes, list | tuple) or not all(
            isinstance(name, str) for name in self.classes
        ):
            raise SpecError("classes", "must be a list of class names")
        object.__setattr__(self, "classes", tuple(self.classes))
        if self.anchor not in ANCHORS:
            raise SpecError("anchor", f"must be one of {', '.join(ANCHORS)}")

    def counts(self, class_name: str) -> bool:
        """Whether objects of ``class_name`` are counted here."""
        return not self.classes or class_name in self.classes


@dataclass(frozen=True)
class LineSpec(_Spec):
    """A counting line from ``points[0]`` to ``points[1]``; crossing towards ``in_side`` is "in".

    ``in_side`` is "left" or "right" of the direction first point -> second point as seen
    on the image. ``min_distance`` is the hysteresis in normalised units.
    """

    in_side: str = "left"
    min_distance: float = DEFAULT_MIN_DISTANCE

    kind: ClassVar[str] = "line"
    min_points: ClassVar[int] = 2
    max_points: ClassVar[int] = 2

    def __post_init__(self):
        super().__post_init__()
        if self.points[0] == self.points[1]:
            raise SpecError("points", "a line needs two different points")
        if self.in_side not in LINE_SIDES:
            raise SpecError("in_side", "must be 'left' or 'right'")
        _number("min_distance", self.min_distance, 0.0, MAX_MIN_DISTANCE)


@dataclass(frozen=True)
class ZoneSpec(_Spec):
    """A polygon zone: visits, dwell, loitering past ``loiter_seconds`` and occupancy."""

    loiter_seconds: float | None = None  # None: no loitering
    inertia_frames: int = DEFAULT_INERTIA_FRAMES

    kind: ClassVar[str] = "polygon"
    min_points: ClassVar[int] = 3
    max_points: ClassVar[int] = MAX_POLYGON_POINTS

    def __post_init__(self):
        super().__post_init__()
        if polygon_area(self.points) == 0.0:
            raise SpecError("points", "must enclose an area")
        if self.loiter_seconds is not None:
            _number("loiter_seconds", self.loiter_seconds, 0.0, float("inf"), low_open=True)
        if isinstance(self.inertia_frames, bool) or not isinstance(self.inertia_frames, int):
            raise SpecError("inertia_frames", "must be a whole number")
        _number("inertia_frames", self.inertia_frames, 1, MAX_INERTIA_FRAMES)


SPEC_CLASSES = {LineSpec.kind: LineSpec, ZoneSpec.kind: ZoneSpec}


def spec_from_dict(data: Mapping[str, Any]) -> LineSpec | ZoneSpec:
    """A ``LineSpec`` or ``ZoneSpec`` from a mapping with ``kind``; unknown keys are ignored."""
    if not isinstance(data, Mapping):
        raise SpecError("zone", "must be an object with kind, name and points")
    kind = data.get("kind", "polygon")
    if kind not in SPEC_CLASSES:
        raise SpecError("kind", f"must be one of {', '.join(KINDS)}")
    spec_class = SPEC_CLASSES[kind]
    names = {f.name for f in fields(spec_class)}
    values = {key: value for key, value in data.items() if key in names and value is not None}
    for required in ("name", "points"):
        if required not in values:
            raise SpecError(required, "is required")
    if isinstance(values.get("classes"), list):
        values["classes"] = tuple(values["classes"])
    return spec_class(**values)


def _points(points, fewest: int, most: int) -> tuple[Point, ...]:
    try:
        points = tuple((float(x), float(y)) for x, y in points)
    except (TypeError, ValueError):
        raise SpecError("points", "must be a list of [x, y] pairs") from None
    if not fewest <= len(points) <= most:
        count = str(fewest) if fewest == most else f"{fewest} to {most}"
        raise SpecError("points", f"needs {count} points")
    if not all(0.0 <= value <= 1.0 for point in points for value in point):
        raise SpecError("points", "coordinates must lie in 0..1 of the frame")
    return points


def _number(name, value, low, high, low_open=False):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(name, "must be a number")
    if value < low or (low_open and value == low) or value > high:
        raise SpecError(name, f"must lie in {'(' if low_open else '['}{low}, {high}]")
