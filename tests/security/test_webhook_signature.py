"""Webhook signatures cover the timestamp, so a captured delivery cannot be replayed later."""

import time

import pytest

from django_video_analytics.models import WatchlistEntry
from django_video_analytics.signing import sign, verify_signature

from .test_webhook_delivery import deliver_pending, sighting

SECRET = "whsec-test"


def test_a_fresh_signature_verifies():
    now = int(time.time())
    body = b'{"alert_id":1}'
    assert verify_signature(SECRET, body, str(now), sign(SECRET, now, body))


@pytest.mark.parametrize(
    "change",
    [
        {"body": b'{"alert_id":2}'},
        {"secret": "other"},
        {"timestamp": "not-a-number"},
        {"timestamp": None},
        {"signature": ""},
        {"signature": None},
    ],
)
def test_tampering_fails(change):
    now = int(time.time())
    body = b'{"alert_id":1}'
    values = {"secret": SECRET, "body": body, "timestamp": str(now)}
    values["signature"] = sign(SECRET, now, body)
    values.update(change)
    assert not verify_signature(**values)


def test_a_replayed_delivery_is_refused_after_the_tolerance():
    then = int(time.time()) - 301
    body = b'{"alert_id":1}'
    signature = sign(SECRET, then, body)
    assert not verify_signature(SECRET, body, str(then), signature)
    assert verify_signature(SECRET, body, str(then), signature, tolerance=600)


def test_the_same_body_under_a_new_timestamp_needs_a_new_signature():
    now = int(time.time())
    body = b'{"alert_id":1}'
    assert not verify_signature(SECRET, body, str(now), sign(SECRET, now - 10, body))


@pytest.mark.django_db(transaction=True)
def test_a_delivery_verifies_with_the_shipped_function(camera, receiver, loopback_allowed):
    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=receiver.url, webhook_secret=SECRET)
    sighting(camera, "AB12CDE")
    deliver_pending()
    [(headers, body)] = receiver.requests
    timestamp = headers["X-Video-Analytics-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert verify_signature(SECRET, body, timestamp, headers["X-Video-Analytics-Signature"])
    # A body-only HMAC (the old scheme) no longer verifies: the timestamp is signed.
    import hashlib
    import hmac

    body_only = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Video-Analytics-Signature"] != body_only


@pytest.mark.django_db(transaction=True)
def test_the_snippet_in_the_docs_verifies_a_real_delivery(camera, receiver, loopback_allowed):
    """docs/security.md's copy-paste verifier, extracted from the Markdown, so it cannot drift."""
    import re
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "security.md"
    section = docs.read_text().split("## Webhook verification", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(compile(code, str(docs), "exec"), namespace)
    verify = namespace["verify_signature"]

    WatchlistEntry.objects.create(plate="AB12CDE", webhook_url=receiver.url, webhook_secret=SECRET)
    sighting(camera, "AB12CDE")
    deliver_pending()
    [(headers, body)] = receiver.requests
    timestamp, signature = (
        headers["X-Video-Analytics-Timestamp"],
        headers["X-Video-Analytics-Signature"],
    )
    assert verify(SECRET, body, timestamp, signature)
    assert not verify(SECRET, body + b" ", timestamp, signature)
    assert not verify(SECRET, body, str(int(timestamp) - 301), signature)
