"""The metrics module and its view: every series exposed, permissions, multiprocess mode."""

import os
import subprocess
import sys
import textwrap
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from django_video_analytics import metrics
from django_video_analytics.events.consumer import BatchResult

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/metrics/"

SERIES = (
    "video_analytics_frames_read_total",
    "video_analytics_frames_analysed_total",
    "video_analytics_frames_dropped_total",
    "video_analytics_detector_fps",
    "video_analytics_inference_seconds_bucket",
    "video_analytics_events_published_total",
    "video_analytics_reconnects_total",
    "video_analytics_consumer_entries_read_total",
    "video_analytics_consumer_entries_stored_total",
    "video_analytics_consumer_duplicates_total",
    "video_analytics_consumer_dead_lettered_total",
    "video_analytics_consumer_batch_seconds_bucket",
    "video_analytics_stream_length",
    "video_analytics_stream_pending",
    "video_analytics_stream_lag_seconds",
    "video_analytics_webhooks_delivered_total",
    "video_analytics_webhooks_failed_total",
)


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user("ops", password="pw", is_staff=True)
    client.force_login(user)
    return client


def record_some_work():
    metrics.record_frame("metrics-cam", analysed=True, dropped=2)
    metrics.record_frame("metrics-cam", analysed=False)
    metrics.record_inference("metrics-cam", 0.04, fps=12.5)
    metrics.record_published("metrics-cam", {"motion": 1, "anpr": 1})
    metrics.record_reconnect("metrics-cam")
    metrics.record_batch(
        BatchResult(read=10, dead_lettered=1, duplicates=2, counts=Counter(motion=7)), 0.2
    )
    metrics.record_webhook(True)
    metrics.record_webhook(False)


def sample(text, line_start):
    lines = text.splitlines()
    return next(float(line.split()[-1]) for line in lines if line.startswith(line_start))


def test_every_series_is_exposed_after_work(staff_client, stream_names, redis_client):
    redis_client.xadd(stream_names["STREAM_NAME"], {"data": "{}"})
    before = staff_client.get(URL).content.decode()
    record_some_work()
    response = staff_client.get(URL, HTTP_ACCEPT="text/plain")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for name in SERIES:
        assert f"\n{name}" in text, name
    read = 'video_analytics_frames_read_total{camera="metrics-cam"}'
    assert sample(text, read) - (sample(before, read) if read in before else 0) == 2
    assert 'video_analytics_detector_fps{camera="metrics-cam"} 12.5' in text
    assert 'events_published_total{camera="metrics-cam",event_type="anpr"}' in text
    assert "video_analytics_stream_length 1.0" in text


def test_the_view_needs_the_permission(client, settings):
    assert client.get(URL).status_code in (401, 403)
    user = get_user_model().objects.create_user("viewer", password="pw")
    client.force_login(user)
    assert client.get(URL).status_code == 403
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "METRICS_PERMISSION_CLASSES": []}
    assert client.get(URL).status_code == 200


def test_multiprocess_mode_sums_the_other_processes(staff_client, tmp_path, monkeypatch):
    script = textwrap.dedent(
        """
        from django_video_analytics import metrics
        metrics.record_frame("worker-proc-cam", analysed=True)
        metrics.record_frame("worker-proc-cam", analysed=True)
        """
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": os.getcwd()}
    for _ in range(2):  # two processes, like two workers
        subprocess.run([sys.executable, "-c", script], env=env, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    text = staff_client.get(URL).content.decode()
    assert 'video_analytics_frames_read_total{camera="worker-proc-cam"} 4.0' in text


def test_metrics_port_serves_the_same_series(stream_names):
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server, thread = metrics.start_metrics_server(port, addr="127.0.0.1")
    try:
        metrics.record_reconnect("port-cam")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
            text = reply.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert 'video_analytics_reconnects_total{camera="port-cam"}' in text
    assert "video_analytics_stream_lag_seconds" in text
