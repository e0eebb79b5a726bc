"""Connects the watchlist to the consumer: every stored batch is checked for listed plates."""

import logging

from django.db import DatabaseError
from django.dispatch import receiver

from ..signals import events_stored
from .matching import raise_alerts

logger = logging.getLogger(__name__)


@receiver(events_stored, dispatch_uid="django_video_analytics.watchlist.alerts")
def alert_on_events_stored(sender, events=(), counts=None, **kwargs):
    if counts is not None and not counts.get("anpr"):
        return
    try:
        # The consumer's StoredEvents builds the ANPR instances only; other senders' lists whole.
        of_type = getattr(events, "of_type", None)
        raise_alerts(of_type("anpr") if of_type else list(events))
    except DatabaseError:
        raise  # the consumer retries the whole delivery: no alert is lost
    except Exception:
        # The batch is stored; a failing alert check must not stop the consumer.
        logger.exception("Watchlist check of a stored batch failed")
