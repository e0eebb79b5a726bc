"""Camera health changes POSTed, signed, to a real local HTTP server (thread and Celery)."""

from datetime import datetime, timezone

import pytest

from django_video_analytics.operations.camera_health import record_change
from django_video_analytics.signing import verify_signature
from tests.watchlist.conftest import WebhookReceiver

pytestmark = pytest.mark.django_db(transaction=True)  # the signal is sent on commit

SINCE = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def receiver():
    receiver = WebhookReceiver(statuses=[500])  # the first attempt fails: retried
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def configure(settings, receiver, delivery):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "CAMERA_HEALTH_WEBHOOK_URL": receiver.url,
        "CAMERA_HEALTH_WEBHOOK_SECRET": "hush",
        "WEBHOOK_DELIVERY": delivery,
        "WEBHOOK_RETRY_BACKOFF": 0.01,
    }


@pytest.mark.parametrize("delivery", ["thread", "celery"])
def test_a_change_is_posted_signed_and_retried(settings, camera, receiver, delivery):
    configure(settings, receiver, delivery)
    if delivery == "celery":
        from celery import current_app

        current_app.conf.task_always_eager = True
    try:
        record_change(camera, "offline", SINCE, "no heartbeat")
        assert receiver.received.wait(10)
    finally:
        if delivery == "celery":
            current_app.conf.task_always_eager = False
    assert len(receiver.requests) == 2
    headers, body = receiver.requests[-1]
    assert receiver.json() == {
        "type": "camera_health",
        "camera_id": "cam-1",
        "state": "offline",
        "previous": None,
        "since": "2026-11-20T12:00:00+00:00",
        "reason": "no heartbeat",
    }
    assert verify_signature(
        "hush",
        body,
        headers["X-Video-Analytics-Timestamp"],
        headers["X-Video-Analytics-Signature"],
    )
    assert not verify_signature(
        "other",
        body,
        headers["X-Video-Analytics-Timestamp"],
        headers["X-Video-Analytics-Signature"],
    )
    assert headers["X-Video-Analytics-Event"] == "camera_health"


def test_nothing_is_posted_without_a_url(camera, receiver):
    record_change(camera, "online", SINCE)
    assert not receiver.received.wait(0.5) and receiver.requests == []
