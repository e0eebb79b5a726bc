"""Camera health changes POSTed to ``CAMERA_HEALTH_WEBHOOK_URL``, durable like alert webhooks.

The body is ``{"type": "camera_health", "camera_id", "state", "previous", "since",
"reason"}``; with ``CAMERA_HEALTH_WEBHOOK_SECRET`` set it is signed like plate alerts
(``webhook_post``). ``camera_health.record_change`` owes a ``PendingHealthWebhook`` in the
transaction that opens the period; the runners of ``webhook_outbox`` deliver it, retried up
to ``WEBHOOK_MAX_ATTEMPTS`` times. The URL is the operator's own setting, so, like
``ANALYTICS_SERVICE_URL``, it is not held to the outbound address policy.
"""

import logging

from .. import webhook_post
from ..conf import analytics_settings
from ..models import CameraHealth

logger = logging.getLogger(__name__)


def health_payload(period, previous):
    return {
        "type": "camera_health",
        "camera_id": period.camera.camera_id,
        "state": period.state,
        "previous": previous or None,
        "since": period.since.isoformat(),
        "reason": period.reason,
    }


def deliver_owed(row):
    """POST the change of a ``PendingHealthWebhook`` once: True, False, or None (no URL)."""
    url = analytics_settings.CAMERA_HEALTH_WEBHOOK_URL
    if not url:
        logger.info("Webhook of %s dropped: CAMERA_HEALTH_WEBHOOK_URL is unset", row.subject())
        return None
    period = CameraHealth.objects.select_related("camera").get(pk=row.period_id)
    result = webhook_post.post(
        url,
        analytics_settings.CAMERA_HEALTH_WEBHOOK_SECRET,
        health_payload(period, row.previous),
        enforce_policy=False,
    )
    if not result.succeeded:
        webhook_post.log_failure(logger, row.subject(), url, row.attempts, result)
    return result.succeeded
