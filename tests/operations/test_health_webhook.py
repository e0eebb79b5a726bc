"""Camera health changes POSTed, signed, to a real local HTTP server (thread and Celery)."""

from datetime import datetime, timedelta, timezone

import pytest
from django.db import transaction

from django_video_analytics import webhook_outbox
from django_video_analytics.models import PendingHealthWebhook
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


def test_a_change_is_owed_with_its_period_and_delivered_once_by_a_later_runner(
    settings, camera, receiver
):
    configure(settings, receiver, "consumer")  # no consumer runs in this test
    receiver.statuses = []
    with pytest.raises(RuntimeError), transaction.atomic():
        record_change(camera, "offline", SINCE, "no heartbeat")
        raise RuntimeError("rolled back with the period")
    assert not PendingHealthWebhook.objects.exists()

    record_change(camera, "offline", SINCE, "no heartbeat")
    record_change(camera, "online", SINCE + timedelta(minutes=5))
    assert PendingHealthWebhook.objects.count() == 2 and receiver.requests == []
    assert webhook_outbox.run_due() == 2  # e.g. the consumer, after a restart
    assert webhook_outbox.run_due() == 0
    states = sorted((r["state"], r["previous"]) for r in map(receiver.json, range(2)))
    assert states == [("offline", None), ("online", "offline")]
    assert len(receiver.requests) == 2 and not PendingHealthWebhook.objects.exists()
