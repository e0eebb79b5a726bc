import pytest

from django_video_analytics import zone_counts
from django_video_analytics.models import Zone, ZoneCount, ZoneDayCount

LINE_POINTS = [[0.2, 0.5], [0.8, 0.5]]
SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]


def zone_form(camera, **fields):
    """The admin's zone form as a browser posts it: the door line, with ``fields`` changed."""
    return {
        "camera": camera.pk,
        "name": "door",
        "kind": "line",
        "points": "[[0.2, 0.5], [0.8, 0.5]]",
        "in_side": "left",
        "classes": "[]",
        "anchor": "bottom_centre",
        "min_distance": "0.03",
        "inertia_frames": "3",
        "enabled": "on",
        **fields,
    }


def assert_days_match_hours():
    """Every ``ZoneDayCount`` row is the sum of its hours, and no day is missing."""
    fields = ("camera_id", *zone_counts.ADDED, "max_occupancy")

    def key(row):
        return (row.zone_id, row.class_name, row.day)

    def values(row):
        return [getattr(row, name) for name in fields]

    summed = {key(row): values(row) for row in zone_counts.roll_up_days(ZoneCount.objects.all())}
    stored = {key(row): values(row) for row in ZoneDayCount.objects.all()}
    assert stored.keys() == summed.keys()
    for key, values in stored.items():
        assert values == pytest.approx(summed[key], rel=1e-9)  # dwell: floats added in turn


@pytest.fixture
def door_line(camera):
    return Zone.objects.create(camera=camera, name="door", kind="line", points=LINE_POINTS)


@pytest.fixture
def waiting_area(camera):
    return Zone.objects.create(
        camera=camera, name="waiting", kind="polygon", points=SQUARE, loiter_seconds=60
    )


from tests.events.fixtures import dead_letters, make_consumer, publisher  # noqa: E402, F401
from tests.security.conftest import hanging_receiver, receiver  # noqa: E402, F401
from tests.widgets.fixtures import isolated_widget_cache  # noqa: E402, F401
