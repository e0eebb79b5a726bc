"""Camera health changes POSTed to ``CAMERA_HEALTH_WEBHOOK_URL``, signed like plate alerts.

The body is ``{"type": "camera_health", "camera_id", "state", "previous", "since",
"reason"}``; with ``CAMERA_HEALTH_WEBHOOK_SECRET`` set it is signed like plate alerts
(``signing.py``). Delivered in the background (Celery with ``WEBHOOK_DELIVERY="celery"``,
else a thread), retried up to ``WEBHOOK_MAX_ATTEMPTS`` times. The URL is the operator's own
setting, so, like ``ANALYTICS_SERVICE_URL``, it is not held to the outbound address policy.
"""

import json
import logging
import threading
import time

from .. import outbound, signing
from ..conf import analytics_settings
from ..masking import mask_url
from ..signals import camera_health_changed
from ..webhook_outbox import retry_delay
from ..webhook_post import EVENT_HEADER

logger = logging.getLogger(__name__)


def health_payload(camera, state, previous, since, reason):
    return {
        "type": "camera_health",
        "camera_id": camera.camera_id,
        "state": state,
        "previous": previous,
        "since": since.isoformat(),
        "reason": reason,
    }


def post(payload):
    """POST ``payload`` once; True when answered 2xx."""
    url = analytics_settings.CAMERA_HEALTH_WEBHOOK_URL
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", EVENT_HEADER: "camera_health"}
    secret = analytics_settings.CAMERA_HEALTH_WEBHOOK_SECRET
    if secret:
        headers.update(signing.signature_headers(secret, body))
    try:
        reply = outbound.request(
            "POST",
            url,
            body=body,
            headers=headers,
            timeout=analytics_settings.WEBHOOK_TIMEOUT,
            enforce_policy=False,
        )
    except outbound.OutboundError as exc:
        error = exc.detail
    else:
        if 200 <= reply.status < 300:
            return True
        error = f"HTTP {reply.status}"
    logger.warning(
        "Camera health webhook to %s failed for %s: %s",
        mask_url(url),
        payload["camera_id"],
        error,
    )
    return False


def deliver_with_retries(payload):
    attempts = analytics_settings.WEBHOOK_MAX_ATTEMPTS
    for attempt in range(1, attempts + 1):
        if post(payload):
            return True
        if attempt < attempts:
            time.sleep(retry_delay(attempt))
    logger.error("Camera health webhook for %s given up", payload["camera_id"])
    return False


def on_health_changed(sender, camera, state, previous, since, reason, **kwargs):
    """Schedule the POST of a change when ``CAMERA_HEALTH_WEBHOOK_URL`` is set."""
    if not analytics_settings.CAMERA_HEALTH_WEBHOOK_URL:
        return None
    payload = health_payload(camera, state, previous, since, reason)
    if analytics_settings.WEBHOOK_DELIVERY == "celery":
        from ..tasks import deliver_camera_health

        deliver_camera_health.delay(payload)
        return None
    thread = threading.Thread(
        target=deliver_with_retries, args=(payload,), name="camera-health-webhook", daemon=True
    )
    thread.start()
    return thread


camera_health_changed.connect(on_health_changed, dispatch_uid="video_analytics_health_webhook")
