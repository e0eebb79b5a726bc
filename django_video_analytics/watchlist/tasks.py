"""Celery task of the watchlist (``WEBHOOK_DELIVERY = "celery"``)."""

import time

from celery import shared_task

from . import outbox


@shared_task(bind=True, name="video_analytics.deliver_webhooks", ignore_result=True)
def deliver_webhooks(self):
    """Attempt the due webhook deliveries; come back when the next retry is due."""
    while True:
        outbox.run_due()
        wait = outbox.seconds_until_next()
        if wait is None:
            return
        if not self.request.is_eager:
            self.apply_async(countdown=wait)
            return
        # Eager (tests, hosts without a broker): no queue to come back through, so wait here.
        time.sleep(wait)
