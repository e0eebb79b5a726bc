import pytest

from django_video_analytics.pipeline.zones.geometry import (
    crossing_parameter,
    point_in_polygon,
    polygon_area,
    segments_intersect,
    side_of_line,
)

SQUARE = [(0.2, 0.2), (0.6, 0.2), (0.6, 0.6), (0.2, 0.6)]
# An L shape: the notch at the top right is outside.
ELL = [(0.1, 0.1), (0.4, 0.1), (0.4, 0.5), (0.9, 0.5), (0.9, 0.9), (0.1, 0.9)]


@pytest.mark.parametrize(
    ("point", "inside"),
    [((0.4, 0.4), True), ((0.1, 0.4), False), ((0.7, 0.4), False), ((0.4, 0.65), False)],
)
def test_point_in_square(point, inside):
    assert point_in_polygon(point, SQUARE) is inside


def test_point_in_concave_polygon():
    assert point_in_polygon((0.2, 0.3), ELL)
    assert point_in_polygon((0.8, 0.8), ELL)
    assert not point_in_polygon((0.7, 0.3), ELL)  # in the notch


def test_side_of_line_is_a_signed_distance_left_positive_on_the_image():
    start, end = (0.0, 0.5), (1.0, 0.5)  # left to right across the image
    # Walking rightwards on the image (y down), the top of the image is on the left.
    assert side_of_line((0.3, 0.2), start, end) == pytest.approx(0.3)
    assert side_of_line((0.3, 0.9), start, end) == pytest.approx(-0.4)
    assert side_of_line((0.7, 0.5), start, end) == 0
    assert side_of_line((0.3, 0.2), end, start) == pytest.approx(-0.3)  # reversed line


def test_crossing_parameter_is_where_along_the_line_the_step_crosses():
    start, end = (0.2, 0.5), (0.6, 0.5)
    assert crossing_parameter((0.3, 0.4), (0.3, 0.6), start, end) == pytest.approx(0.25)
    assert crossing_parameter((0.1, 0.4), (0.3, 0.6), start, end) == pytest.approx(0.0)
    assert crossing_parameter((0.8, 0.4), (0.8, 0.6), start, end) == pytest.approx(1.5)
    assert crossing_parameter((0.3, 0.4), (0.5, 0.45), start, end) is None  # same side


def test_segments_intersect_only_within_the_segment():
    start, end = (0.2, 0.5), (0.6, 0.5)
    assert segments_intersect((0.4, 0.3), (0.4, 0.7), start, end)
    assert segments_intersect((0.6, 0.3), (0.6, 0.7), start, end)  # through the end point
    assert not segments_intersect((0.8, 0.3), (0.8, 0.7), start, end)  # the extension
    assert not segments_intersect((0.4, 0.3), (0.4, 0.45), start, end)  # stops short


def test_polygon_area():
    assert polygon_area(SQUARE) == pytest.approx(0.16)
    assert polygon_area([(0.1, 0.1), (0.2, 0.2), (0.3, 0.3)]) == 0
