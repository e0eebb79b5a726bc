import pytest

from django_video_analytics.models import Zone

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
