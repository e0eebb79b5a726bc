import hashlib
import hmac
import logging
from datetime import datetime, timezone

import pytest

from django_video_analytics import webhook_outbox
from django_video_analytics.models import ANPREvent, PlateAlert, WatchlistEntry, WebhookDelivery
from django_video_analytics.watchlist.matching import raise_alerts

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
SECRET = "s3cret-key"

pytestmark = pytest.mark.django_db(transaction=True)


def sighting(camera, plate, source_id):
    event = ANPREvent.objects.create(
        camera=camera,
        timestamp=NOW,
        license_plate=plate,
        confidence=0.87,
        region="GB",
        source_id=source_id,
    )
    return raise_alerts([event])


def entry_for(receiver, **values):
    return WatchlistEntry.objects.create(
        plate="AB12CDE",
        max_distance=1,
        label="Stolen van",
        webhook_url=receiver.url,
        webhook_secret=SECRET,
        **values,
    )


def wait_for_deliveries(count, timeout=10.0):
    import time

    deadline = time.monotonic() + timeout
    while WebhookDelivery.objects.count() < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(WebhookDelivery.objects.order_by("attempt"))


def test_hit_at_distance_one_reaches_the_server_with_a_valid_signature(
    camera, webhook_receiver, watchlist_settings
):
    entry = entry_for(webhook_receiver)
    [alert] = sighting(camera, "AB12CDF", "t:1")
    assert webhook_receiver.received.wait(10)
    headers, body = webhook_receiver.requests[0]
    signed = headers["X-Video-Analytics-Timestamp"].encode() + b"." + body
    expected = "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-Video-Analytics-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    payload = webhook_receiver.json()
    assert payload["alert_id"] == alert.pk
    assert (payload["license_plate"], payload["distance"]) == ("AB12CDF", 1)
    assert (payload["camera_id"], payload["region"]) == ("cam-1", "GB")
    assert payload["entry"] == {
        "id": entry.pk,
        "plate": "AB12CDE",
        "label": "Stolen van",
        "note": "",
    }
    [delivery] = wait_for_deliveries(1)
    assert (delivery.attempt, delivery.succeeded, delivery.status_code) == (1, True, 200)


def test_non_matching_plate_neither_alerts_nor_calls(camera, webhook_receiver, watchlist_settings):
    entry_for(webhook_receiver)
    assert sighting(camera, "AB21DCE", "t:2") == []  # distance 4
    assert PlateAlert.objects.count() == 0
    assert not webhook_receiver.received.wait(0.5)
    assert webhook_receiver.requests == []


def test_celery_task_retries_a_failing_server_and_logs_each_attempt(
    camera, webhook_receiver, watchlist_settings, celery_eager, caplog
):
    watchlist_settings(WEBHOOK_DELIVERY="celery")
    webhook_receiver.statuses = [500, 503]
    entry_for(webhook_receiver)
    with caplog.at_level(logging.WARNING, logger="django_video_analytics.watchlist.webhooks"):
        sighting(camera, "AB12CDE", "t:3")
    deliveries = wait_for_deliveries(3)
    assert [(d.attempt, d.succeeded, d.status_code) for d in deliveries] == [
        (1, False, 500),
        (2, False, 503),
        (3, True, 200),
    ]
    assert deliveries[0].error.startswith("HTTP 500")
    assert len(webhook_receiver.requests) == 3
    # Every attempt carries the same signed body.
    assert len({body for _headers, body in webhook_receiver.requests}) == 1
    failures = [r for r in caplog.records if "failed (attempt" in r.getMessage()]
    assert len(failures) == 2


def test_unreachable_server_is_given_up_after_the_last_attempt(camera, watchlist_settings, caplog):
    watchlist_settings(WEBHOOK_MAX_ATTEMPTS=3)
    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url="http://127.0.0.1:9/closed")
    with caplog.at_level(logging.WARNING, logger="django_video_analytics.watchlist.webhooks"):
        [alert] = sighting(camera, "AB12CDE", "t:4")
        deliveries = wait_for_deliveries(3)
        # The thread logs "given up" right after its last row.
        for _ in range(100):
            if any("given up" in r.getMessage() for r in caplog.records):
                break
            import time

            time.sleep(0.05)
    assert [(d.attempt, d.succeeded) for d in deliveries] == [(1, False), (2, False), (3, False)]
    assert all(d.error for d in deliveries)
    assert any(f"alert {alert.pk} given up" in r.getMessage() for r in caplog.records)


def test_retry_delay_doubles(watchlist_settings):
    watchlist_settings(WEBHOOK_RETRY_BACKOFF=1.5)
    assert [webhook_outbox.retry_delay(n) for n in (1, 2, 3)] == [1.5, 3.0, 6.0]


def test_entries_without_secret_send_no_signature(camera, webhook_receiver, watchlist_settings):
    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=webhook_receiver.url)
    sighting(camera, "AB12CDE", "t:5")
    assert webhook_receiver.received.wait(10)
    headers, _body = webhook_receiver.requests[0]
    assert "X-Video-Analytics-Signature" not in headers
    wait_for_deliveries(1)
