"""Durable webhook deliveries: an ``OwedWebhook`` row per alert, worked off by any runner.

The row is written in the transaction that creates the alert, so an alert never exists
without its delivery being owed: a ``PendingWebhook`` per plate alert (``watchlist``), a
``PendingZoneWebhook`` per zone alert (``zone_alerts``), a ``PendingHealthWebhook`` per
camera health change (``operations.camera_health``). ``QUEUES`` says which function
makes one attempt of each kind of row; the rest is the same for all.

Runners (the consumer after each batch, a thread, a Celery task) claim due rows one at a
time: the claim moves ``due_at`` a lease into the future and counts the attempt, so a
runner that dies mid-delivery leaves a row that becomes due again when the lease ends.
Rows are locked with ``SKIP LOCKED`` where the database has it; the claim itself is a
compare-and-set on ``due_at``, which is what keeps two runners apart on SQLite.
"""

import logging
import threading
import time
from datetime import timedelta

from django.db import close_old_connections, connection, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from . import zone_webhooks
from .conf import analytics_settings
from .models import PendingHealthWebhook, PendingWebhook, PendingZoneWebhook
from .operations import health_webhook
from .watchlist import webhooks

logger = logging.getLogger(__name__)

CANDIDATES_PER_CLAIM = 5
# Rows this late are the consumer's even when WEBHOOK_DELIVERY names another runner: a
# broker that was down or a thread that died with its process must not lose them.
OVERDUE_SWEEP_SECONDS = 60


# Each table of owed rows, and its attempt: ``deliver(row)`` POSTs once (attempt number
# ``row.attempts``) and returns True (delivered), False (failed) or None (nothing to send).
QUEUES = (
    (PendingWebhook, webhooks.deliver_owed),
    (PendingZoneWebhook, zone_webhooks.deliver_owed),
    (PendingHealthWebhook, health_webhook.deliver_owed),
)


def lease_seconds():
    """How long a claimed row stays with its runner: the attempt's timeout, three times over."""
    return 3 * analytics_settings.WEBHOOK_TIMEOUT


def owe(model, **fields):
    """Owe a delivery: a ``model`` row due now (call inside the transaction of the alert)."""
    return model.objects.create(due_at=timezone.now(), **fields)


def claim_next(overdue_seconds=0):
    """The next due row of any queue, claimed for this runner, or None when nothing is due."""
    for model, _deliver in QUEUES:
        row = _claim_next(model, overdue_seconds)
        if row is not None:
            return row
    return None


def _claim_next(model, overdue_seconds):
    now = timezone.now()
    due = model.objects.filter(due_at__lte=now - timedelta(seconds=overdue_seconds))
    database = router.db_for_write(model)
    if not connections[database].features.has_select_for_update_skip_locked:
        return _claim_first(due, now)  # the compare-and-set alone keeps runners apart
    with transaction.atomic(using=database):
        return _claim_first(due.select_for_update(skip_locked=True), now)


def _claim_first(due, now):
    for row in due.order_by("due_at")[:CANDIDATES_PER_CLAIM]:
        lease_end = now + timedelta(seconds=lease_seconds())
        claimed = due.model.objects.filter(pk=row.pk, due_at=row.due_at).update(
            due_at=lease_end, attempts=F("attempts") + 1
        )
        if claimed:
            row.due_at, row.attempts = lease_end, row.attempts + 1
            return row
    return None


def attempt(row):
    """Make the claimed attempt; then forget the row, or reschedule it with back-off."""
    deliver = dict(QUEUES)[type(row)]
    delivered = deliver(row)
    if delivered is None or delivered:
        row.delete()
    elif row.attempts >= analytics_settings.WEBHOOK_MAX_ATTEMPTS:
        logger.error("Webhook of %s given up after %d attempts", row.subject(), row.attempts)
        row.delete()
    else:
        row.due_at = timezone.now() + timedelta(seconds=retry_delay(row.attempts))
        row.save(update_fields=["due_at"])
    return delivered


def retry_delay(attempt):
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, 4 ... x back-off)."""
    return analytics_settings.WEBHOOK_RETRY_BACKOFF * 2 ** (attempt - 1)


def run_due(max_seconds=None, overdue_seconds=0):
    """Attempt due deliveries until none is due (or ``max_seconds`` passed); return the count."""
    started = time.monotonic()
    count = 0
    while max_seconds is None or time.monotonic() - started < max_seconds:
        row = claim_next(overdue_seconds)
        if row is None:
            break
        try:
            attempt(row)
        except Exception:
            # The row keeps its lease and comes back when it ends; the next row may be fine.
            logger.exception("Webhook of %s failed", row.subject())
        count += 1
    return count


def seconds_until_next():
    """Seconds until the earliest pending row is due (0 if overdue), None if there is none."""
    due = [
        model.objects.order_by("due_at").values_list("due_at", flat=True).first()
        for model, _deliver in QUEUES
    ]
    due = [due_at for due_at in due if due_at is not None]
    if not due:
        return None
    return max(0.0, (min(due) - timezone.now()).total_seconds())


def start_runner():
    """After an alert's commit: wake the runner ``WEBHOOK_DELIVERY`` names."""
    mode = analytics_settings.WEBHOOK_DELIVERY
    if mode == "celery":
        from .tasks import deliver_webhooks  # Celery is imported only in this mode

        deliver_webhooks.delay()
    elif mode == "thread":
        delivery_thread.wake_up()
    # "consumer": the consumer runs due rows right after the batch that raised the alert.


def start_runner_quietly(subject):
    """``start_runner``, logging instead of raising: the delivery is owed whatever happens.

    E.g. the Celery broker is down: the consumer takes the row once it is overdue.
    """
    try:
        start_runner()
    except Exception:
        logger.exception("Webhook runner of %s not started", subject)


def run_after_batch():
    """The consumer's turn after each batch: due rows, or in other modes overdue ones."""
    if analytics_settings.WEBHOOK_DELIVERY == "consumer":
        # Bounded, so a slow receiver delays the next batch by about one timeout at most.
        return run_due(max_seconds=analytics_settings.WEBHOOK_TIMEOUT)
    return run_due(
        max_seconds=analytics_settings.WEBHOOK_TIMEOUT, overdue_seconds=OVERDUE_SWEEP_SECONDS
    )


class DeliveryThread:
    """One background thread per process that works off due rows, then waits for more."""

    def __init__(self):
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread = None

    def wake_up(self):
        with self.lock:
            self.wake.set()
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self.run, name="video-analytics-webhooks", daemon=True
                )
                self.thread.start()
            return self.thread

    def run(self):
        # Daemon: a process exit may cut an attempt short, the row's lease brings it back.
        close_old_connections()
        try:
            while True:
                self.wake.clear()
                run_due()
                wait = seconds_until_next()
                with self.lock:
                    if wait is None and not self.wake.is_set():
                        self.thread = None  # decided under the lock: no wake-up is missed
                        return
                self.wake.wait(wait)
        except Exception:
            logger.exception("Webhook delivery thread stopped; pending rows wait for a runner")
            with self.lock:
                self.thread = None
        finally:
            connection.close()  # the thread's own connection


delivery_thread = DeliveryThread()
