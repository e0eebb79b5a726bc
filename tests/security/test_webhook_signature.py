"""Webhook signatures cover the timestamp, so a captured delivery cannot be replayed later."""

import time

import pytest

from django_video_analytics.signing import sign, verify_signature

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
