"""Offline and online periods of a camera whose real stream dies and comes back.

The camera worker runs a real MJPEG camera over HTTP (motion only: no detector to load);
the sweep turns its lease and heartbeats into health periods.
"""

import time

import pytest

pytest.importorskip("cv2")

from django_video_analytics.models import CameraHealth  # noqa: E402
from django_video_analytics.operations.camera_health import sweep  # noqa: E402
from tests.workers.helpers import camera_row, make_camera, wait_for, worker_thread  # noqa: E402
from tests.workers.streams import MjpegServer, bus_jpeg  # noqa: E402

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.inference, pytest.mark.slow]

STALE_SECONDS = 2


@pytest.fixture
def live_settings(settings, stream_names):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "WORKER_POLL_SECONDS": 0.2,
        "RECONNECT_BACKOFF_MAX_SECONDS": 0.5,
        "HEARTBEAT_STALE_SECONDS": STALE_SECONDS,
    }
    return settings


def states(camera):
    return list(
        CameraHealth.objects.filter(camera=camera).order_by("since").values_list("state", "reason")
    )


def fresh_heartbeat(camera, after):
    row = camera_row(camera)
    return row.last_active_at is not None and row.last_active_at > after


def test_a_stream_that_dies_and_returns_leaves_offline_then_online(live_settings):
    from django.utils import timezone

    server = MjpegServer(bus_jpeg(), fps=10).start()
    camera = make_camera(server.url, enable_object_detection=False, max_fps=5)
    with worker_thread(camera.camera_id):
        started = timezone.now()
        assert wait_for(lambda: fresh_heartbeat(camera, started), 30)
        assert sweep() == [camera.camera_id]
        assert states(camera) == [("online", "")]

        server.stop()  # the camera dies; the worker keeps its lease but sees no frames
        time.sleep(STALE_SECONDS + 1.5)
        assert sweep() == [camera.camera_id]
        assert states(camera) == [("online", ""), ("offline", "no heartbeat")]
        offline = CameraHealth.objects.get(camera=camera, until=None)
        assert offline.since == camera_row(camera).last_active_at  # dated from the last frame

        returned = timezone.now()
        server.start()  # frames flow again
        assert wait_for(lambda: fresh_heartbeat(camera, returned), 30)
        assert sweep() == [camera.camera_id]
        assert [state for state, _ in states(camera)] == ["online", "offline", "online"]
    server.stop()
