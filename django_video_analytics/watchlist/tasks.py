"""Celery task of the watchlist (``WEBHOOK_DELIVERY = "celery"``)."""

from celery import shared_task

from ..conf import analytics_settings
from . import webhooks


@shared_task(bind=True, name="video_analytics.deliver_plate_alert", ignore_result=True)
def deliver_plate_alert(self, alert_id):
    """POST one alert to its webhook; retry with exponential back-off while it fails."""
    attempt = self.request.retries + 1
    if webhooks.deliver(alert_id, attempt).succeeded:
        return
    if attempt < analytics_settings.WEBHOOK_MAX_ATTEMPTS:
        raise self.retry(countdown=webhooks.retry_delay(attempt), max_retries=None)
