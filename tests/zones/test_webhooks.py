"""Zone alerts' webhooks through the real stream, consumer and a local HTTP receiver.

Owed in the transaction that raises the alert, delivered by the runners of the plate alerts
(``webhook_outbox``): signed, retried with back-off, once, and only where the policy allows.
"""

import logging
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from django_video_analytics import webhook_outbox
from django_video_analytics.models import PendingZoneWebhook, ZoneVisitEvent
from django_video_analytics.signing import verify_signature
from tests.events.processes import wait_for
from tests.security.conftest import LOOPBACK, kill_consumer_mid_delivery
from tests.watchlist.conftest import WebhookReceiver

from .test_consumed_counts import at, visit

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "zone-s3cret"


@pytest.fixture
def delivery_settings(settings, stream_names):
    """The default runner (the consumer, between batches) and the loopback receivers allowed."""

    def apply(**values):
        settings.VIDEO_ANALYTICS = {
            **settings.VIDEO_ANALYTICS,
            **LOOPBACK,
            "WEBHOOK_DELIVERY": "consumer",
            "WEBHOOK_TIMEOUT": 2.0,
            **values,
        }

    apply()
    return apply


def hooked(zone, url, **values):
    for name, value in {"webhook_url": url, "webhook_secret": SECRET, **values}.items():
        setattr(zone, name, value)
    zone.save()
    return zone


def consume(publisher, *entries):
    publisher.publish_many(list(entries))
    call_command("consume_events", "--burst")


def verified(request):
    headers, body = request
    return verify_signature(
        SECRET,
        body,
        headers["X-Video-Analytics-Timestamp"],
        headers["X-Video-Analytics-Signature"],
    )


def test_a_loitering_visit_delivers_one_signed_webhook(
    waiting_area, receiver, publisher, delivery_settings
):
    hooked(waiting_area, receiver.url)
    consume(
        publisher,
        visit(waiting_area, 100, None, 7, loitered=True, event_id="open"),
        visit(waiting_area, 100, 200, 7, loitered=True, event_id="closed"),  # no new alert
    )
    assert len(receiver.requests) == 1
    assert verified(receiver.requests[0])
    headers, _body = receiver.requests[0]
    assert headers["X-Video-Analytics-Event"] == "zone_alert"
    assert headers["Content-Type"] == "application/json"
    report = ZoneVisitEvent.objects.get(source_id="event:open")
    assert receiver.json() == {
        "type": "zone_alert",
        "kind": "loitering",
        "camera_id": "cam-1",
        "timestamp": at(161).isoformat(),
        "zone": {
            "id": waiting_area.pk,
            "name": "waiting",
            "loiter_seconds": 60.0,
            "occupancy_limit": None,
        },
        "visit": {
            "id": report.pk,
            "track_id": 7,
            "class_name": "person",
            "entered": at(100).isoformat(),
            "exited": None,
            "dwell_seconds": 61.0,
            "loitered": True,
            "occupancy": 1,
        },
    }
    assert not PendingZoneWebhook.objects.exists()
    # Another consumer run finds nothing owed: delivered once.
    call_command("consume_events", "--burst")
    assert len(receiver.requests) == 1


def test_an_occupancy_over_the_limit_delivers_its_alert(
    waiting_area, receiver, publisher, delivery_settings
):
    hooked(waiting_area, receiver.url, occupancy_limit=2)
    consume(
        publisher,
        visit(waiting_area, 10, 20, 1, occupancy=2, event_id="at-limit"),  # not over: nothing
        visit(waiting_area, 11, 25, 2, occupancy=3, event_id="over"),
    )
    assert len(receiver.requests) == 1 and verified(receiver.requests[0])
    payload = receiver.json()
    assert (payload["kind"], payload["zone"]["occupancy_limit"]) == ("occupancy", 2)
    assert (payload["visit"]["track_id"], payload["visit"]["occupancy"]) == (2, 3)
    assert payload["visit"]["exited"] == at(25).isoformat()


def test_a_zone_without_webhook_owes_nothing_and_a_removed_url_drops_it(
    waiting_area, receiver, publisher, delivery_settings
):
    consume(publisher, visit(waiting_area, 100, None, 1, loitered=True, event_id="a"))
    assert not PendingZoneWebhook.objects.exists()

    delivery_settings(WEBHOOK_DELIVERY="celery")  # no runner now: the row stays owed
    hooked(waiting_area, receiver.url)
    from celery import current_app

    broker = current_app.conf.broker_url
    current_app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens: not started
    try:
        consume(publisher, visit(waiting_area, 300, None, 2, loitered=True, event_id="b"))
    finally:
        current_app.conf.broker_url = broker
    assert PendingZoneWebhook.objects.count() == 1
    hooked(waiting_area, "")
    assert webhook_outbox.run_due() == 1
    assert not PendingZoneWebhook.objects.exists() and receiver.requests == []


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_receiver_that_is_down_gets_it_later_exactly_once(
    waiting_area, publisher, delivery_settings, caplog
):
    delivery_settings(WEBHOOK_RETRY_BACKOFF=30.0)
    port = free_port()  # nothing listens there yet
    hooked(waiting_area, f"http://127.0.0.1:{port}/hooks/zones")
    with caplog.at_level(logging.WARNING, logger="django_video_analytics.zone_webhooks"):
        consume(publisher, visit(waiting_area, 100, None, 7, loitered=True, event_id="open"))
    [row] = PendingZoneWebhook.objects.all()
    assert row.attempts == 1
    assert 25 < (row.due_at - timezone.now()).total_seconds() <= 30  # the back-off
    assert f"zone alert loitering of visit {row.visit_id}" in caplog.text
    assert webhook_outbox.run_due() == 0  # not due yet

    receiver = WebhookReceiver(port=port)  # the receiver comes back
    receiver.thread.start()
    try:
        PendingZoneWebhook.objects.update(due_at=timezone.now() - timedelta(seconds=1))
        assert webhook_outbox.run_due() == 1
        assert webhook_outbox.run_due() == 0
        call_command("consume_events", "--burst")
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
    assert len(receiver.requests) == 1 and verified(receiver.requests[0])
    assert receiver.json()["kind"] == "loitering"
    assert not PendingZoneWebhook.objects.exists()


def test_a_refused_address_is_never_called(
    waiting_area, receiver, publisher, delivery_settings, caplog
):
    hooked(waiting_area, receiver.url)  # saved while the policy allowed loopback
    delivery_settings(OUTBOUND_ALLOWED_NETWORKS=[], WEBHOOK_RETRY_BACKOFF=30.0)
    with caplog.at_level(logging.WARNING, logger="django_video_analytics.zone_webhooks"):
        consume(publisher, visit(waiting_area, 100, None, 7, loitered=True, event_id="open"))
    assert receiver.requests == []
    assert PendingZoneWebhook.objects.get().attempts == 1  # refused again at each attempt
    assert "non-public" in caplog.text


@pytest.mark.slow
def test_a_runner_killed_mid_delivery_neither_loses_nor_duplicates_it(
    waiting_area, hanging_receiver, stream_names, settings, tmp_path
):
    overrides = {**stream_names, **LOOPBACK, "WEBHOOK_TIMEOUT": 1.0, "CONSUMER_BLOCK_MS": 100}
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, **overrides}
    hooked(waiting_area, hanging_receiver.url)
    from django_video_analytics.events.publisher import EventPublisher

    EventPublisher().publish(visit(waiting_area, 100, None, 7, loitered=True, event_id="open"))
    kill_consumer_mid_delivery(hanging_receiver, overrides, tmp_path / "consumer.log")
    [row] = PendingZoneWebhook.objects.all()
    assert row.attempts == 1

    # A later runner delivers once the dead runner's lease ends; once.
    wait_for(lambda: webhook_outbox.run_due() == 1, timeout=10, interval=0.2, message="the lease")
    assert webhook_outbox.run_due() == 0
    assert len(hanging_receiver.requests) == 1  # the hung request never got this far
    assert verified(hanging_receiver.requests[0])
    assert not PendingZoneWebhook.objects.exists()
