"""Webhooks of zone alerts: the payload, and one signed POST to the zone's own URL.

``zone_alerts`` owes a ``PendingZoneWebhook`` in the transaction that raises the alert, when
the zone has a ``webhook_url``; ``webhook_outbox`` attempts it, retries it and gives it up
like a plate alert's. The URL and secret are read at each attempt: a zone whose URL was
removed meanwhile drops its deliveries, a new secret signs the next attempt.
"""

import logging

from . import webhook_post
from .models import ZoneVisitEvent

logger = logging.getLogger(__name__)


def alert_payload(zone, kind, visit):
    """The JSON document POSTed for a zone alert; ``visit.id`` and ``kind`` identify it."""
    return {
        "type": "zone_alert",
        "kind": kind,
        "camera_id": zone.camera.camera_id,
        "timestamp": visit.timestamp.isoformat(),
        "zone": {
            "id": zone.pk,
            "name": zone.name,
            "loiter_seconds": zone.loiter_seconds,
            "occupancy_limit": zone.occupancy_limit,
        },
        "visit": {
            "id": visit.pk,
            "track_id": visit.track_id,
            "class_name": visit.class_name,
            "entered": visit.entered.isoformat(),
            "exited": visit.exited.isoformat() if visit.exited else None,
            "dwell_seconds": visit.dwell_seconds,
            "loitered": visit.loitered,
            "occupancy": visit.occupancy,
        },
    }


def deliver_owed(row):
    """POST the alert of a ``PendingZoneWebhook`` once: True, False, or None (no URL left)."""
    visit = ZoneVisitEvent.objects.select_related("zone__camera").get(pk=row.visit_id)
    zone = visit.zone
    if not zone.webhook_url:
        logger.info("Webhook of %s dropped: its zone no longer has a URL", row.subject())
        return None
    result = webhook_post.post(
        zone.webhook_url, zone.webhook_secret, alert_payload(zone, row.kind, visit)
    )
    if not result.succeeded:
        webhook_post.log_failure(logger, row.subject(), zone.webhook_url, row.attempts, result)
    return result.succeeded
