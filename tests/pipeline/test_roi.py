import pytest

from django_video_analytics.pipeline.roi import centre_in_zones, zone_points

LEFT_HALF = [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]
TRIANGLE = {"name": "gate", "points": [[0.6, 0.6], [1, 0.6], [1, 1]]}


def test_no_zones_means_the_whole_frame():
    assert centre_in_zones((0.99, 0.99), ())


def test_point_inside_any_zone():
    assert centre_in_zones((0.2, 0.7), [LEFT_HALF, TRIANGLE])
    assert centre_in_zones((0.95, 0.8), [LEFT_HALF, TRIANGLE])


def test_point_outside_every_zone():
    assert not centre_in_zones((0.7, 0.2), [LEFT_HALF, TRIANGLE])
    # Inside the triangle's bounding box but not the triangle.
    assert not centre_in_zones((0.65, 0.95), [TRIANGLE])


@pytest.mark.parametrize("zone", [[[0, 0], [1, 1]], [[0, 0], ["a", 1], [1, 0]], {"points": 3}])
def test_malformed_zone_is_a_value_error(zone):
    with pytest.raises(ValueError, match="ROI zone"):
        zone_points(zone)
