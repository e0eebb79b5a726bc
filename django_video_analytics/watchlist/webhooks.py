"""Webhook delivery of plate alerts: the payload, one signed POST per attempt, logged.

The POST is ``webhook_post.post``, signed with the entry's secret; every attempt is a
``WebhookDelivery`` row. Which attempt runs when is the outbox's business
(``webhook_outbox.py``).
"""

import logging

from .. import webhook_post
from ..models import PlateAlert, WebhookDelivery

logger = logging.getLogger(__name__)


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


def deliver_owed(row):
    """POST the alert of a ``PendingWebhook`` once, logged as a ``WebhookDelivery``.

    True when delivered, False when it failed, None when the entry no longer has a URL.
    """
    alert = PlateAlert.objects.select_related("entry", "event__camera").get(pk=row.alert_id)
    entry = alert.entry
    if not entry.webhook_url:
        logger.info("Webhook of alert %s dropped: its entry no longer has a URL", alert.pk)
        return None
    result = webhook_post.post(entry.webhook_url, entry.webhook_secret, alert_payload(alert))
    WebhookDelivery.objects.create(
        alert=alert,
        url=entry.webhook_url,
        attempt=row.attempts,
        succeeded=result.succeeded,
        status_code=result.status_code,
        error=result.error,
        duration_ms=result.duration_ms,
    )
    if not result.succeeded:
        webhook_post.log_failure(logger, row.subject(), entry.webhook_url, row.attempts, result)
    return result.succeeded
