"""Worker processes: several split the cameras, a killed one's cameras are taken over."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from django_video_analytics.models import Camera
from django_video_analytics.workers.leases import CameraLeases

from .helpers import camera_row, make_camera, wait_for
from .streams import MjpegServer, bus_jpeg

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3


@pytest.fixture
def start_worker(settings, stream_names, tmp_path):
    """Start ``run_camera_worker`` processes on the test database; kill leftovers after."""
    processes = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.workers.subprocess_settings",
        "DVA_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "DVA_TEST_VIDEO_ANALYTICS": json.dumps(
            {**stream_names, "WORKER_LEASE_SECONDS": LEASE_SECONDS, "WORKER_POLL_SECONDS": 0.5}
        ),
    }

    def start(*args):
        log = open(tmp_path / f"worker-{len(processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "run_camera_worker", "-v", "2", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def holders(redis_client, cameras):
    values = redis_client.mget([CameraLeases.key(camera.camera_id) for camera in cameras])
    return [value.decode() if value else None for value in values]


def test_two_workers_split_the_cameras_and_survive_a_kill(start_worker, redis_client):
    with MjpegServer(bus_jpeg(), fps=10) as server:
        cameras = [make_camera(server.url, enable_object_detection=False) for _ in range(4)]
        first, second = start_worker("--all"), start_worker("--all")

        def split_evenly():
            tokens = holders(redis_client, cameras)
            return None not in tokens and sorted(map(tokens.count, set(tokens))) == [2, 2]

        assert wait_for(split_evenly, 30), holders(redis_client, cameras)
        assert wait_for(
            lambda: all(camera_row(c).status == Camera.Status.ACTIVE for c in cameras), 15
        )

        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()
        # The survivor takes all four over once the dead worker's leases expire.
        assert wait_for(lambda: len(set(holders(redis_client, cameras))) == 1, 30)
        assert time.monotonic() - killed_at < 30
        survivor_token = holders(redis_client, cameras)[0]
        beats = {c.pk: camera_row(c).last_active_at for c in cameras}
        assert wait_for(
            lambda: all(camera_row(c).last_active_at > beats[c.pk] for c in cameras), 10
        )

        # First SIGTERM: finish the current frames, release the leases, exit 0.
        second.send_signal(signal.SIGTERM)
        assert second.wait(20) == 0
        assert holders(redis_client, cameras) == [None] * 4
        assert survivor_token is not None
        assert all(camera_row(c).status == Camera.Status.INACTIVE for c in cameras)


def test_a_second_signal_exits_at_once(start_worker, redis_client):
    with MjpegServer(bus_jpeg(), fps=10) as server:
        camera = make_camera(server.url, enable_object_detection=False)
        worker = start_worker("--camera", camera.camera_id)
        assert wait_for(lambda: camera_row(camera).status == Camera.Status.ACTIVE, 30)

        worker.send_signal(signal.SIGTERM)
        worker.send_signal(signal.SIGINT)

        # Pending signals run in signal-number order: the second handled one exits.
        assert worker.wait(10) in (128 + signal.SIGINT, 128 + signal.SIGTERM)
        # No clean-up ran: the lease is left to expire.
        assert holders(redis_client, [camera]) != [None]
