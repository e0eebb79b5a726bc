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
    from .webhook_outbox import run_after_batch

    consumer = EventConsumer(consumer_name=default_consumer_name(prefix="celery"))
    result = consumer.drain(max_messages or analytics_settings.CELERY_TASK_MAX_MESSAGES)
    consumer.leave_group()
    run_after_batch()  # owed webhook deliveries, as the consume_events loop does
    return result.as_dict()


@shared_task(name="video_analytics.cleanup_events")
def cleanup_events():
    """Delete what is older than its retention setting; returns the counts."""
    from .operations.retention import apply_retention

    return apply_retention().as_dict()


@shared_task(name="video_analytics.check_statistics")
def check_statistics(days=7):
    """Compare the last ``days`` days of statistics with a recount; logs the differences."""
    from datetime import timedelta

    from django.utils import timezone

    from .operations.statistics_rebuild import compare_statistics

    since = timezone.now().date() - timedelta(days=days)
    return [difference.as_dict() for difference in compare_statistics(since, log=True)]


@shared_task(name="video_analytics.sweep_camera_health")
def sweep_camera_health():
    """Record cameras whose worker lease or heartbeat expired as offline."""
    from .operations.camera_health import sweep

    return sweep()


@shared_task(bind=True, name="video_analytics.deliver_webhooks", ignore_result=True)
def deliver_webhooks(self):
    """Attempt the due webhook deliveries; come back when the next retry is due.

    The runner of ``WEBHOOK_DELIVERY = "celery"`` (``webhook_outbox``).
    """
    import time

    from .webhook_outbox import run_due, seconds_until_next

    while True:
        run_due()
        wait = seconds_until_next()
        if wait is None:
            return
        if not self.request.is_eager:
            self.apply_async(countdown=wait)
            return
        # Eager (tests, hosts without a broker): no queue to come back through, so wait here.
        time.sleep(wait)
