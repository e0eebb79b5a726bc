import time
import uuid

import pytest

from django_video_analytics.workers.leases import CameraLeases


@pytest.fixture
def camera_id(redis_client):
    camera_id = f"lease-test-{uuid.uuid4().hex[:8]}"
    yield camera_id
    redis_client.delete(CameraLeases.key(camera_id))


def test_only_one_worker_holds_a_camera(redis_client, camera_id):
    first, second = CameraLeases(redis_client, 20), CameraLeases(redis_client, 20)
    assert first.acquire(camera_id)
    assert not second.acquire(camera_id)
    assert first.holders([camera_id]) == {camera_id: first.token}


def test_only_the_holder_renews_or_releases(redis_client, camera_id):
    first, second = CameraLeases(redis_client, 20), CameraLeases(redis_client, 20)
    first.acquire(camera_id)
    assert not second.renew(camera_id)
    assert not second.release(camera_id)
    assert first.holders([camera_id]) == {camera_id: first.token}
    assert first.renew(camera_id)
    assert first.release(camera_id)
    assert second.acquire(camera_id)


def test_renewal_extends_and_expiry_hands_over(redis_client, camera_id):
    first, second = CameraLeases(redis_client, 0.4), CameraLeases(redis_client, 0.4)
    first.acquire(camera_id)
    for _ in range(3):
        time.sleep(0.2)
        assert first.renew(camera_id)  # kept alive past its first TTL
    assert not second.acquire(camera_id)
    time.sleep(0.6)  # the holder died: no renewal
    assert second.acquire(camera_id)
    assert not first.renew(camera_id)  # the old holder learns it lost the camera
