"""``analytics_health`` and the django-health-check adapters, on real Redis servers."""

import asyncio
import shutil
import socket
import subprocess
import time
from io import StringIO

import pytest
import redis
from django.core.management import CommandError, call_command

from django_video_analytics.models import Camera
from django_video_analytics.operations.health import check_stream_lag
from django_video_analytics.workers.leases import CameraLeases

pytestmark = pytest.mark.django_db


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own, with a password; stopped by the test or after."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp_path), "--requirepass", "s3cret"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://:s3cret@127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url, server
    server.terminate()
    server.wait(10)


def health():
    out = StringIO()
    try:
        call_command("analytics_health", stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_a_stopped_redis_is_reported_unhealthy_without_its_password(
    settings, stream_names, private_redis
):
    url, server = private_redis
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "REDIS_URL": url}
    code, output = health()
    assert code == 0, output
    assert "ok        redis: answers" in output

    server.terminate()
    server.wait(10)
    code, output = health()
    assert code == 1
    assert "UNHEALTHY redis: Redis at redis://***:***@127.0.0.1:" in output
    assert "ok        database:" in output
    assert "s3cret" not in output


@pytest.mark.django_db(transaction=True)  # the consumer commits before it acknowledges
def test_stream_lag_over_the_limit_is_unhealthy_until_consumed(
    settings, stream_names, redis_client
):
    from django_video_analytics.events.consumer import EventConsumer
    from tests.events.entries import mixed_entries

    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "HEALTH_MAX_LAG_SECONDS": 30}
    seconds, _ = redis_client.time()
    old_id = f"{(seconds - 120) * 1000}-0"
    redis_client.xadd(stream_names["STREAM_NAME"], mixed_entries(1)[0], id=old_id)

    result = check_stream_lag()
    assert not result.healthy and "no consumer group" in result.message
    consumer = EventConsumer(consumer_name="test")
    consumer.ensure_group()
    result = check_stream_lag()
    assert not result.healthy and result.message.startswith("12")  # ~120 s behind
    consumer.drain(10)
    assert check_stream_lag().healthy
    code, output = health()
    assert "ok        stream lag: 0.0 s behind, 0 pending, 1 in stream" in output


def test_new_dead_letters_are_unhealthy(settings, stream_names, redis_client):
    assert health()[0] == 0
    redis_client.xadd(stream_names["DEAD_LETTER_STREAM"], {"reason": "bad JSON"})
    code, output = health()
    assert code == 1 and "UNHEALTHY dead letters: more than 0 new in the last 3600 s" in output
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "HEALTH_MAX_NEW_DEAD_LETTERS": 5}
    assert health()[0] == 0


def test_an_enabled_camera_without_a_live_worker_is_unhealthy(stream_names, redis_client):
    Camera.objects.create(camera_id="gate", name="Gate", enabled=True)
    Camera.objects.create(camera_id="idle", name="Idle", enabled=False)
    code, output = health()
    assert code == 1
    assert "UNHEALTHY workers: no live worker for 1 enabled camera(s): gate" in output

    leases = CameraLeases(redis_client, ttl_seconds=5)
    assert leases.acquire("gate")
    try:
        code, output = health()
        assert code == 0 and "ok        workers: 1 enabled camera(s) leased" in output
    finally:
        leases.release("gate")


def test_django_health_check_adapters_raise_service_unavailable(stream_names, redis_client):
    pytest.importorskip("health_check")
    from health_check.exceptions import ServiceUnavailable

    from django_video_analytics.operations import health_checks

    redis_client.xadd(stream_names["DEAD_LETTER_STREAM"], {"reason": "bad JSON"})
    results = {
        path.rsplit(".", 1)[1]: asyncio.run(
            getattr(health_checks, path.rsplit(".", 1)[1])().get_result()
        )
        for path in health_checks.CHECKS
    }
    assert isinstance(results["DeadLetters"].error, ServiceUnavailable)
    assert results["Redis"].error is None and results["Database"].error is None
