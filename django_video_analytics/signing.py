"""Webhook signatures: HMAC-SHA256 over ``"{timestamp}.{body}"`` (Stripe/Standard Webhooks style).

Signing the timestamp with the body lets a receiver refuse a captured delivery replayed
later. Django-free, so a receiver can use ``verify_signature`` as it is.
"""

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Video-Analytics-Timestamp"
SIGNATURE_HEADER = "X-Video-Analytics-Signature"
DEFAULT_TOLERANCE = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: ``sha256=<hex HMAC of "timestamp." + body>``."""
    message = str(int(timestamp)).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_headers(secret: str, body: bytes) -> dict[str, str]:
    """The timestamp and signature headers for ``body`` sent now."""
    timestamp = int(time.time())
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str | int | None,
    signature: str | None,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True if ``signature`` signs ``body`` at ``timestamp`` (seconds) within ``tolerance``."""
    if timestamp is None:
        return False  # a missing header
    try:
        seconds = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - seconds) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, seconds, body), signature or "")
