"""Webhook delivery of plate alerts: one signed JSON POST per attempt, logged.

Each POST carries ``X-Video-Analytics-Timestamp`` and ``X-Video-Analytics-Signature:
sha256=<hex HMAC-SHA256 of "timestamp.body">`` keyed with the entry's secret (see
``django_video_analytics.signing``); every attempt is a ``WebhookDelivery`` row. Which
attempt runs when is the outbox's business (``outbox.py``).
"""

import json
import logging
import time

from .. import metrics, outbound, signing
from ..conf import analytics_settings
from ..masking import mask_url
from ..models import PlateAlert, WebhookDelivery

logger = logging.getLogger(__name__)

EVENT_HEADER = "X-Video-Analytics-Event"
# What the delivery log (and so the API) says; the detail goes to the log only.
CONNECTION_FAILED = "connection failed"
BLOCKED = "blocked by the outbound request policy"


def alert_payload(alert):
    """The JSON document POSTed for an alert."""
    event, entry = alert.event, alert.entry
    return {
        "type": "plate_alert",
        "alert_id": alert.pk,
        "license_plate": alert.license_plate,
        "distance": alert.distance,
        "camera_id": event.camera.camera_id,
        "timestamp": event.timestamp.isoformat(),
        "confidence": event.confidence,
        "region": event.region,
        "event_id": event.pk,
        "entry": {"id": entry.pk, "plate": entry.plate, "label": entry.label, "note": entry.note},
    }


def retry_delay(attempt):
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, 4 ... x back-off)."""
    return analytics_settings.WEBHOOK_RETRY_BACKOFF * 2 ** (attempt - 1)


def deliver(alert_id, attempt):
    """POST one alert once; return the logged ``WebhookDelivery`` (None: no webhook left)."""
    alert = PlateAlert.objects.select_related("entry", "event__camera").get(pk=alert_id)
    entry = alert.entry
    if not entry.webhook_url:
        logger.info("Webhook of alert %s dropped: its entry no longer has a URL", alert_id)
        return None
    body = json.dumps(alert_payload(alert), separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", EVENT_HEADER: "plate_alert"}
    if entry.webhook_secret:
        headers.update(signing.signature_headers(entry.webhook_secret, body))
    delivery = WebhookDelivery(alert=alert, url=entry.webhook_url, attempt=attempt)
    started = time.monotonic()
    try:
        response = outbound.request(
            "POST",
            entry.webhook_url,
            body=body,
            headers=headers,
            timeout=analytics_settings.WEBHOOK_TIMEOUT,
        )
    except outbound.OutboundBlocked as exc:
        delivery.error, detail = BLOCKED, str(exc)
    except outbound.OutboundError as exc:
        # One message for refused, unreachable and silent receivers: no port-scan oracle.
        delivery.error, detail = CONNECTION_FAILED, exc.detail
    else:
        delivery.status_code = response.status
        delivery.succeeded = 200 <= response.status < 300
        if not delivery.succeeded:
            delivery.error = detail = f"HTTP {response.status}"
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    delivery.save()
    metrics.record_webhook(delivery.succeeded)
    if not delivery.succeeded:
        logger.warning(
            "Webhook of alert %s to %s failed (attempt %d): %s",
            alert_id,
            mask_url(entry.webhook_url),
            attempt,
            detail,
        )
    return delivery
