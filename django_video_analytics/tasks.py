"""Celery tasks (found by the host's ``app.autodiscover_tasks()``)."""

from celery import shared_task


@shared_task(name="video_analytics.consume_redis_events")
def consume_redis_events(max_messages=None):
    """Store up to ``CELERY_TASK_MAX_MESSAGES`` waiting entries; returns the counts.

    The name is the one existing beat schedules use. Each run reads as a consumer of its own
    and leaves the group when done, so overlapping runs are safe; entries of a run that died
    are claimed by later runs after ``CONSUMER_CLAIM_IDLE_MS``.
    """
    from .conf import analytics_settings
    from .events.consumer import EventConsumer, default_consumer_name
    from .watchlist.outbox import run_after_batch

    consumer = EventConsumer(consumer_name=default_consumer_name(prefix="celery"))
    result = consumer.drain(max_messages or analytics_settings.CELERY_TASK_MAX_MESSAGES)
    consumer.leave_group()
    run_after_batch()  # owed webhook deliveries, as the consume_events loop does
    return result.as_dict()
