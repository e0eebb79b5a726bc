"""Durable webhook deliveries: owed in the alert's transaction, done by any runner, never lost."""

import logging
from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone as django_timezone

from django_video_analytics import webhook_outbox as outbox
from django_video_analytics.events import wire
from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.models import (
    ANPREvent,
    PendingWebhook,
    PlateAlert,
    WatchlistEntry,
    WebhookDelivery,
)
from django_video_analytics.watchlist.matching import raise_alerts

from ..api.factories import BASE, client_for, make_user
from ..events.processes import start_consumer, wait_for
from .conftest import LOOPBACK, kill_consumer_mid_delivery

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.django_db(transaction=True)


def sighting(camera, plate, source_id="t:1"):
    event = ANPREvent.objects.create(
        camera=camera, timestamp=NOW, license_plate=plate, confidence=0.9, source_id=source_id
    )
    return raise_alerts([event])


def deliver_pending():
    """What any runner does: attempt every due delivery."""
    return outbox.run_due()


def make_due_now():
    PendingWebhook.objects.update(due_at=django_timezone.now() - timedelta(seconds=1))


def test_the_delivery_is_owed_in_the_alerts_transaction(camera, receiver, loopback_allowed):
    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        sighting(camera, "AB12CDE")
        assert PendingWebhook.objects.count() == 1
        raise RuntimeError("the batch fails after the alert")
    assert PlateAlert.objects.count() == PendingWebhook.objects.count() == 0

    [alert] = sighting(camera, "AB12CDE")
    assert PendingWebhook.objects.get().alert_id == alert.pk


def test_an_entry_without_webhook_owes_nothing(camera, loopback_allowed):
    WatchlistEntry.objects.create(plate="AB12CDE")
    sighting(camera, "AB12CDE")
    assert not PendingWebhook.objects.exists()


def test_a_webhook_removed_before_delivery_is_dropped(camera, receiver, loopback_allowed):
    entry = WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=receiver.url)
    sighting(camera, "AB12CDE")
    WatchlistEntry.objects.filter(pk=entry.pk).update(webhook_url="")
    deliver_pending()
    assert not PendingWebhook.objects.exists() and not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_a_claimed_row_is_not_claimed_twice(camera, receiver, loopback_allowed):
    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=receiver.url)
    sighting(camera, "AB12CDE")
    first = outbox.claim_next()
    assert first is not None and first.attempts == 1
    assert outbox.claim_next() is None  # the lease keeps it with the first runner


def test_retries_are_bounded_and_back_off(camera, receiver, settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        **LOOPBACK,
        "WEBHOOK_MAX_ATTEMPTS": 3,
        "WEBHOOK_RETRY_BACKOFF": 30.0,
        "WEBHOOK_DELIVERY": "consumer",
    }
    receiver.statuses = [500, 502, 503, 200]
    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=receiver.url)
    sighting(camera, "AB12CDE")
    delays = []
    for _ in range(3):
        before = django_timezone.now()
        assert deliver_pending() == 1
        assert deliver_pending() == 0  # the next attempt is not due yet
        row = PendingWebhook.objects.first()
        if row is not None:
            delays.append(round((row.due_at - before).total_seconds() / 30))
            make_due_now()
    assert delays == [1, 2]  # 30 s, then 60 s
    assert not PendingWebhook.objects.exists()  # given up after the third attempt
    attempts = WebhookDelivery.objects.order_by("attempt")
    assert [(d.attempt, d.status_code) for d in attempts] == [(1, 500), (2, 502), (3, 503)]
    assert len(receiver.requests) == 3


def test_delivery_errors_in_the_api_are_generic(camera, settings, hanging_receiver, caplog):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, **LOOPBACK, "WEBHOOK_TIMEOUT": 1.0}
    closed_port = WatchlistEntry.objects.create(
        plate="AB12CDE", webhook_url="http://127.0.0.1:9/hook"
    )
    # Open but silent: a timeout reads the same as a refused connection (no port scanning).
    silent = WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=hanging_receiver.url)
    # A row saved before the policy existed: refused at delivery time.
    metadata = WatchlistEntry.objects.create(
        plate="AB12CDE", webhook_url="http://169.254.169.254/latest/meta-data/"
    )
    sighting(camera, "AB12CDE")
    with caplog.at_level(logging.WARNING, logger="django_video_analytics.watchlist.webhooks"):
        deliver_pending()
    assert "refused" in caplog.text.lower() and "timed out" in caplog.text  # the detail: logs
    errors = dict(WebhookDelivery.objects.values_list("alert__entry", "error"))
    assert errors == {
        closed_port.pk: "connection failed",
        silent.pk: "connection failed",
        metadata.pk: "blocked by the outbound request policy",
    }
    client = client_for(make_user("reader", "view_platealert"))
    text = client.get(f"{BASE}alerts/").content.decode()
    assert "connection failed" in text
    assert "refused" not in text.lower() and "errno" not in text.lower()


def test_default_delivery_needs_no_celery(camera, receiver, stream_names, loopback_allowed):
    """Issue 17: the default WEBHOOK_DELIVERY delivers with no Celery app or broker."""
    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=receiver.url)
    EventPublisher().publish(wire.build_anpr("cam-1", NOW, 1, "AB12CDE", 0.9))
    call_command("consume_events", "--burst")
    assert len(receiver.requests) == 1
    assert receiver.json()["license_plate"] == "AB12CDE"
    assert not PendingWebhook.objects.exists()


def test_a_broker_outage_loses_nothing(camera, receiver, settings):
    from celery import current_app

    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        **LOOPBACK,
        "WEBHOOK_DELIVERY": "celery",
    }
    broker = current_app.conf.broker_url
    current_app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
    try:
        WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=receiver.url)
        sighting(camera, "AB12CDE")  # the task cannot be sent: logged, not raised
    finally:
        current_app.conf.broker_url = broker
    assert receiver.requests == []
    assert PendingWebhook.objects.count() == 1
    # Once overdue, the consumer takes the row whatever WEBHOOK_DELIVERY says.
    PendingWebhook.objects.update(
        due_at=django_timezone.now() - timedelta(seconds=outbox.OVERDUE_SWEEP_SECONDS + 1)
    )
    outbox.run_after_batch()
    assert len(receiver.requests) == 1
    assert not PendingWebhook.objects.exists()


@pytest.mark.slow
def test_a_consumer_killed_mid_delivery_leaves_it_to_a_later_runner(
    camera, hanging_receiver, stream_names, settings, tmp_path
):
    overrides = {**stream_names, **LOOPBACK, "WEBHOOK_TIMEOUT": 1.0, "CONSUMER_BLOCK_MS": 100}
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, **overrides}
    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=hanging_receiver.url)
    EventPublisher().publish(wire.build_anpr("cam-1", NOW, 1, "AB12CDE", 0.9))
    kill_consumer_mid_delivery(hanging_receiver, overrides, tmp_path / "consumer.log")
    [row] = PendingWebhook.objects.all()
    assert row.attempts == 1 and not WebhookDelivery.objects.exists()

    # A later runner (the next consumer run) delivers once the dead runner's lease ends.
    wait_for(lambda: outbox.run_due() == 1, timeout=10, interval=0.2, message="the lease")
    assert len(hanging_receiver.requests) == 1  # the hung request never got this far
    assert not PendingWebhook.objects.exists()
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.attempt, delivery.succeeded) == (2, True)


@pytest.mark.slow
def test_a_burst_consumer_exiting_under_its_delivery_thread_loses_nothing(
    camera, hanging_receiver, stream_names, settings, tmp_path
):
    """``WEBHOOK_DELIVERY="thread"`` with ``--burst``: the daemon thread dies with the process."""
    overrides = {
        **stream_names,
        **LOOPBACK,
        "WEBHOOK_DELIVERY": "thread",
        "WEBHOOK_TIMEOUT": 1.0,
        "CONSUMER_BLOCK_MS": 100,
    }
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, **overrides}
    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=hanging_receiver.url)
    EventPublisher().publish(wire.build_anpr("cam-1", NOW, 1, "AB12CDE", 0.9))
    log = tmp_path / "consumer.log"
    burst = start_consumer("--burst", overrides=overrides, log_path=log)
    assert burst.wait(60) == 0, log.read_text()
    assert PlateAlert.objects.count() == 1
    assert PendingWebhook.objects.count() == 1  # owed, although its process is gone

    hanging_receiver.release.set()
    hanging_receiver.hang = 0
    wait_for(lambda: outbox.run_due() == 1, timeout=10, interval=0.2, message="the lease")
    assert not PendingWebhook.objects.exists()
    assert WebhookDelivery.objects.filter(succeeded=True).count() == 1


def test_concurrent_runners_deliver_each_alert_once(camera, receiver, loopback_allowed):
    import threading

    from django.db import connection

    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=receiver.url)
    for index in range(20):
        sighting(camera, "AB12CDE", source_id=f"t:{index}")
    failures = []

    def runner():
        try:
            deliver_pending()
        except Exception as exc:  # a runner must not crash on a busy database
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    delivered = sorted(receiver.json(index)["alert_id"] for index in range(len(receiver.requests)))
    assert delivered == sorted(PlateAlert.objects.values_list("pk", flat=True))
    assert not PendingWebhook.objects.exists()
