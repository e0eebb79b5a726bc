"""One webhook attempt: a signed JSON POST through the outbound policy, and what came of it.

Each POST carries ``X-Video-Analytics-Event`` (the payload's ``type``) and, with a secret,
``X-Video-Analytics-Timestamp`` and ``X-Video-Analytics-Signature: sha256=<hex HMAC-SHA256
of "timestamp.body">`` (``signing.py``). Plate and zone alerts share it; which attempt runs
when is the outbox's business (``webhook_outbox.py``).
"""

import json
import logging
import time
from dataclasses import dataclass

from . import metrics, outbound, signing
from .conf import analytics_settings
from .masking import mask_url

EVENT_HEADER = "X-Video-Analytics-Event"
# What a delivery log (and so the API) says; the detail goes to the log only.
CONNECTION_FAILED = "connection failed"
BLOCKED = "blocked by the outbound request policy"


@dataclass(frozen=True)
class Attempt:
    """The outcome of one POST: ``error`` is safe to show, ``detail`` is for the log."""

    succeeded: bool
    status_code: int | None
    error: str
    detail: str
    duration_ms: int


def body_of(payload: dict) -> bytes:
    """The exact bytes POSTed (and signed) for ``payload``."""
    return json.dumps(payload, separators=(",", ":")).encode()


def post(url: str, secret: str, payload: dict, *, enforce_policy: bool = True) -> Attempt:
    """POST ``payload`` to ``url`` once, signed with ``secret`` (unsigned when it is empty).

    ``enforce_policy=False`` only for a URL of the operator's settings, never of a user's row.
    """
    body = body_of(payload)
    headers = {"Content-Type": "application/json", EVENT_HEADER: payload["type"]}
    if secret:
        headers.update(signing.signature_headers(secret, body))
    status_code, error, detail = None, "", ""
    started = time.monotonic()
    try:
        response = outbound.request(
            "POST",
            url,
            body=body,
            headers=headers,
            timeout=analytics_settings.WEBHOOK_TIMEOUT,
            enforce_policy=enforce_policy,
        )
    except outbound.OutboundBlocked as exc:
        error, detail = BLOCKED, str(exc)
    except outbound.OutboundError as exc:
        # One message for refused, unreachable and silent receivers: no port-scan oracle.
        error, detail = CONNECTION_FAILED, exc.detail
    else:
        status_code = response.status
        if not 200 <= status_code < 300:
            error = detail = f"HTTP {status_code}"
    duration_ms = int((time.monotonic() - started) * 1000)
    attempt = Attempt(not error, status_code, error, detail, duration_ms)
    metrics.record_webhook(attempt.succeeded)
    return attempt


def log_failure(logger: logging.Logger, subject: str, url: str, number: int, attempt: Attempt):
    """The warning of a failed attempt, with the receiver's URL masked."""
    logger.warning(
        "Webhook of %s to %s failed (attempt %d): %s",
        subject,
        mask_url(url),
        number,
        attempt.detail,
    )
