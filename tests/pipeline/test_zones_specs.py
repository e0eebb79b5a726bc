import pytest

from django_video_analytics.pipeline.zones import (
    LineSpec,
    SpecError,
    ZoneCounter,
    ZoneSpec,
    anchor_point,
    spec_from_dict,
)
from django_video_analytics.pipeline.zones.specs import MAX_POLYGON_POINTS

BOX = (0.2, 0.1, 0.4, 0.6)


@pytest.mark.parametrize(
    ("anchor", "point"),
    [
        ("bottom_centre", (0.4, 0.7)),
        ("centre", (0.4, 0.4)),
        ("top_centre", (0.4, 0.1)),
        ("bottom_left", (0.2, 0.7)),
        ("centre_right", (0.6, 0.4)),
    ],
)
def test_anchor_points(anchor, point):
    assert anchor_point(BOX, anchor) == pytest.approx(point)


def test_line_and_zone_from_mappings_with_defaults():
    line = spec_from_dict({"kind": "line", "name": "door", "points": [[0, 0.5], [1, 0.5]]})
    assert line == LineSpec("door", ((0.0, 0.5), (1.0, 0.5)))
    assert (line.in_side, line.anchor, line.classes) == ("left", "bottom_centre", ())
    zone = spec_from_dict(
        {
            "kind": "polygon",
            "name": "till",
            "points": [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]],
            "classes": ["person"],
            "loiter_seconds": 30,
            "camera": "ignored",
        }
    )
    assert isinstance(zone, ZoneSpec) and zone.classes == ("person",)
    assert zone.loiter_seconds == 30 and zone.counts("person") and not zone.counts("car")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "circle", "name": "a", "points": []}, "kind"),
        ({"kind": "line", "points": [[0, 0], [1, 1]]}, "name"),
        ({"kind": "line", "name": "", "points": [[0, 0], [1, 1]]}, "name"),
        ({"kind": "line", "name": "a", "points": [[0, 0], [1, 1], [1, 0]]}, "points"),
        ({"kind": "line", "name": "a", "points": [[0.5, 0.5], [0.5, 0.5]]}, "points"),
        ({"kind": "line", "name": "a", "points": [[0, 0], [1.5, 1]]}, "points"),
        ({"kind": "line", "name": "a", "points": "0,0 1,1"}, "points"),
        ({"kind": "line", "name": "a", "points": [[0, 0], [1, 1]], "in_side": "up"}, "in_side"),
        ({"kind": "line", "name": "a", "points": [[0, 0], [1, 1]], "anchor": "feet"}, "anchor"),
        ({"kind": "line", "name": "a", "points": [[0, 0], [1, 1]], "classes": "car"}, "classes"),
        ({"kind": "line", "name": "a", "points": [[0, 0], [1, 1]], "classes": 3}, "classes"),
        (
            {"kind": "line", "name": "a", "points": [[0, 0], [1, 1]], "min_distance": -1},
            "min_distance",
        ),
        ({"name": "a", "points": [[0, 0], [1, 1]]}, "points"),
        ({"name": "a", "points": [[0, 0], [0.5, 0.5], [1, 1]]}, "points"),  # no area
        ({"name": "a", "points": [[0, 0], [1, 0], [1, 1]], "loiter_seconds": 0}, "loiter_seconds"),
        ({"name": "a", "points": [[0, 0], [1, 0], [1, 1]], "inertia_frames": 0}, "inertia_frames"),
        (
            {"name": "a", "points": [[0, 0], [1, 0], [1, 1]], "inertia_frames": 1.5},
            "inertia_frames",
        ),
    ],
)
def test_bad_specs_name_the_field(data, field):
    with pytest.raises(SpecError) as raised:
        spec_from_dict(data)
    assert raised.value.field == field


def test_polygon_point_limit():
    many = [[0.5 + 0.4 * (i % 2), i / 40] for i in range(MAX_POLYGON_POINTS + 1)]
    with pytest.raises(SpecError, match="needs 3 to 32 points"):
        spec_from_dict({"name": "a", "points": many})


def test_a_spec_must_be_a_mapping():
    with pytest.raises(SpecError) as raised:
        spec_from_dict([[0, 0], [1, 1]])
    assert raised.value.field == "zone"


def test_names_are_unique_per_camera():
    line = LineSpec("door", ((0, 0.5), (1, 0.5)))
    zone = ZoneSpec("door", ((0, 0), (1, 0), (1, 1)))
    with pytest.raises(SpecError, match="its own name"):
        ZoneCounter([line, zone])
