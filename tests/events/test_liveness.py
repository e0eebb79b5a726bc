"""Which consumers ``ConsumerLiveness`` judges gone: keys, hosts and processes."""

import os
import signal
import subprocess
import sys
import time

import pytest

from django_video_analytics.events.liveness import ConsumerLiveness


@pytest.fixture
def liveness(redis_client, stream_names):
    return ConsumerLiveness(
        redis_client, stream_names["STREAM_NAME"], stream_names["CONSUMER_GROUP"], ttl_seconds=30
    )


def claim_key(liveness, redis_client, name, pid, host=None):
    redis_client.set(liveness.key(name), f"{host or liveness.host} {pid}", ex=30)


def test_a_running_process_on_this_host_is_alive(liveness, redis_client):
    claim_key(liveness, redis_client, "me", os.getpid())
    assert liveness.gone(["me"]) == []


def test_a_consumer_without_a_key_is_gone(liveness):
    assert liveness.gone(["never-seen"]) == ["never-seen"]


def test_a_consumer_on_another_host_is_alive_until_its_key_expires(liveness, redis_client):
    claim_key(liveness, redis_client, "remote", 1, host="another-host")
    assert liveness.gone(["remote"]) == []


def test_a_killed_child_not_yet_reaped_by_its_parent_is_gone(liveness, redis_client):
    # A supervisor that has not waited for its SIGKILLed child leaves a zombie, which
    # `kill(pid, 0)` still finds; its entries must not wait for the idle claim.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        claim_key(liveness, redis_client, "child", child.pid)
        assert liveness.gone(["child"]) == []
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not liveness.gone(["child"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert liveness.gone(["child"]) == ["child"]
    finally:
        child.kill()
        child.wait()
