"""The Celery task, run eagerly with ``.apply()`` on the real Redis and database."""

import pytest

from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.models import DetectionEvent, MotionEvent
from django_video_analytics.tasks import consume_redis_events
from tests.events.entries import mixed_entries, recount_statistics, stored_statistics

pytestmark = pytest.mark.django_db(transaction=True)


def test_task_name_is_the_one_beat_schedules_use():
    assert consume_redis_events.name == "video_analytics.consume_redis_events"


def test_task_drains_a_bounded_batch_and_returns_counts(settings, stream_names, redis_client):
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "CELERY_TASK_MAX_MESSAGES": 60}
    EventPublisher().publish_many(mixed_entries(100))

    first = consume_redis_events.apply().get()
    assert first["read"] == 60 and first["stored"] == 60
    assert first["duplicates"] == 0 and first["dead_lettered"] == 0
    assert sum(first["counts"].values()) == 60

    second = consume_redis_events.apply(kwargs={"max_messages": 1000}).get()
    assert (second["read"], second["stored"]) == (40, 40)
    assert consume_redis_events.apply().get()["read"] == 0

    assert DetectionEvent.objects.count() + MotionEvent.objects.count() <= 100
    assert stored_statistics() == recount_statistics()
    # Each run read as a consumer of its own and left the group afterwards.
    consumers = redis_client.xinfo_consumers(
        stream_names["STREAM_NAME"], stream_names["CONSUMER_GROUP"]
    )
    assert consumers == []
