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


def sign(secret, timestamp, body):
    """The signature header value: ``sha256=<hex HMAC of "timestamp." + body>``."""
    message = str(int(timestamp)).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(secret, body, timestamp, signature, tolerance=DEFAULT_TOLERANCE, now=None):
    """True if ``signature`` signs ``body`` at ``timestamp`` (seconds) within ``tolerance``."""
    try:
        seconds = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - seconds) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, seconds, body), signature or "")
