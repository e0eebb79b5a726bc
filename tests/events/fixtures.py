"""Fixtures of the event tests, shared with the command and task tests (import them)."""

import pytest
import redis

from django_video_analytics.events.consumer import EventConsumer
from django_video_analytics.events.dead_letters import DeadLetterStream
from django_video_analytics.events.publisher import EventPublisher


@pytest.fixture
def publisher(stream_names):
    return EventPublisher()


@pytest.fixture
def make_consumer(stream_names):
    """``make_consumer(name, **options)``: consumers of this test's stream and group."""

    def make(name="consumer-1", **options):
        return EventConsumer(name, **options)

    return make


@pytest.fixture
def dead_letters(stream_names):
    return DeadLetterStream()


def pending_counter(stream_names, redis_client):
    """A function counting this test's entries delivered but not acknowledged."""

    def count():
        try:
            summary = redis_client.xpending(
                stream_names["STREAM_NAME"], stream_names["CONSUMER_GROUP"]
            )
        except redis.ResponseError as exc:  # no group yet
            if "NOGROUP" not in str(exc):
                raise
            return 0
        return summary["pending"]

    return count


@pytest.fixture
def pending(stream_names, redis_client):
    """``pending()``: entries of this test's group delivered but not acknowledged."""
    return pending_counter(stream_names, redis_client)
