"""``events_stored``, sent exactly once per stored event through the ``SignalOutbox`` table.

``ingest.store_events`` writes an outbox row in the transaction that inserts the rows. After
the commit the consumer delivers it in one transaction: the row is deleted first (which
claims it: whoever deletes it second finds nothing), then every receiver runs in a savepoint
of its own. What the receivers write to the database commits together with that deletion, so
it happens exactly once per stored event, even when the process dies or the connection drops
between the commit and the receivers: the row survives and is delivered later, by the same
consumer's next sweep or by any consumer when it starts. Several batches stored in quick
succession may be delivered together, as one signal.

The contract for receivers:

- they run inside that transaction; work outside the database belongs in
  ``transaction.on_commit`` (it then runs once, after the commit);
- a receiver that raises an exception other than a database error is logged and its
  savepoint rolled back; the other receivers' work is kept and it is not called again;
- a database error (raised, or left behind as an aborted transaction) rolls the whole
  delivery back: every receiver is called again for the batch on the next attempt, and none
  of the writes of the failed attempt were kept.
"""

import logging
from collections import Counter

from asgiref.sync import async_to_sync
from django.db import DatabaseError, transaction

from ..models import SignalOutbox
from ..signals import events_stored
from .ingest import StoredEvents
from .kinds import STORED_KINDS

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 100  # outbox rows delivered per sweep


def deliver(batches, *, sender, using):
    """One ``events_stored`` for ``batches`` (``ingest.StoredBatch``); returns how many it sent.

    Batches another consumer delivered meanwhile (its sweep) are left out.
    """
    with transaction.atomic(using=using):
        if _claim([batch.outbox_id for batch in batches], using) == len(batches):
            camera_ids = set().union(*(batch.camera_ids for batch in batches))
            counts = sum((Counter(batch.counts) for batch in batches), Counter())
            events = StoredEvents.joined([batch.events for batch in batches])
            _send(sender, using, camera_ids, counts, events)
            return len(batches)
        transaction.set_rollback(True, using=using)
    if len(batches) == 1:
        return 0
    return sum(deliver([batch], sender=sender, using=using) for batch in batches)


def deliver_pending(*, sender, using, exclude=(), limit=SWEEP_LIMIT):
    """Deliver outbox rows left by a crash or a failed delivery; returns how many.

    ``exclude``: ids of rows the caller is about to deliver itself.
    """
    delivered = 0
    rows = SignalOutbox.objects.using(using).exclude(pk__in=list(exclude)).order_by("id")
    for row in rows[:limit]:
        with transaction.atomic(using=using):
            if not _claim([row.pk], using):
                continue  # another consumer delivered it meanwhile
            events = _load_events(row.event_ids, using)
            counts = {event_type: len(ids) for event_type, ids in row.event_ids.items()}
            _send(sender, using, set(row.camera_ids), counts, events)
        delivered += 1
    if delivered:
        logger.info("Delivered events_stored for %d batch(es) left in the outbox", delivered)
    return delivered


def _claim(outbox_ids, using):
    """Delete the outbox rows; returns how many there were.

    The first statement of the transaction: it locks the rows (PostgreSQL) or the database
    (SQLite) until the receivers' work commits with it.
    """
    deleted, _by_model = SignalOutbox.objects.using(using).filter(pk__in=outbox_ids).delete()
    return deleted


def _load_events(event_ids, using):
    def loader(event_type, ids):
        model = STORED_KINDS[event_type].model
        return lambda: model.objects.using(using).filter(pk__in=ids).order_by("pk")

    return StoredEvents(
        {event_type: (len(ids), loader(event_type, ids)) for event_type, ids in event_ids.items()}
    )


def _send(sender, using, camera_ids, counts, events):
    arguments = {"camera_ids": set(camera_ids), "counts": dict(counts), "events": events}
    for receiver in _receivers(sender):
        try:
            with transaction.atomic(using=using):
                receiver(signal=events_stored, sender=sender, **arguments)
        except DatabaseError:
            raise  # the whole delivery is retried
        except Exception:
            logger.exception("events_stored receiver %r failed; its writes are undone", receiver)


def _receivers(sender):
    live = events_stored._live_receivers(sender)
    if isinstance(live, tuple):  # Django 5: (sync receivers, async receivers)
        synchronous, asynchronous = live
        return list(synchronous) + [async_to_sync(receiver) for receiver in asynchronous]
    return live
