"""``zone_alert`` from the stored zone visits: loitering, and occupancy over a zone's limit.

Connected to ``events_stored``, so it runs once per stored visit report (``events.outbox``).
A visit raises each alert on its first report only: the open (loitering) report when it
loitered, else the closed one; a loitering visit's closed report raises nothing new. A zone
with a ``webhook_url`` is owed a signed webhook of each alert, in the same transaction
(``zone_webhooks``, ``webhook_outbox``).
"""

import logging
from functools import partial

from django.db import DatabaseError, transaction
from django.dispatch import receiver

from . import webhook_outbox
from .models import PendingZoneWebhook, Zone, ZoneVisitEvent
from .signals import events_stored, zone_alert

logger = logging.getLogger(__name__)

LOITERING, OCCUPANCY = "loitering", "occupancy"


@receiver(events_stored, dispatch_uid="django_video_analytics.zone_alerts")
def raise_zone_alerts(sender, counts, events, **kwargs):
    """Send ``zone_alert`` for the stored visits that loiter or crowd their zone."""
    if not counts.get("zone_visit"):
        return  # no query for batches without visits
    visits = [event for event in events if isinstance(event, ZoneVisitEvent)]
    zones = Zone.objects.select_related("camera").in_bulk({visit.zone_id for visit in visits})
    for visit in visits:
        zone = zones.get(visit.zone_id)
        if zone is not None:
            for kind in alert_kinds(visit, zone):
                logger.info("zone alert %s: zone %r of %s", kind, zone.name, zone.camera.camera_id)
                if zone.webhook_url:
                    owe_webhook(zone, kind, visit)
                send(sender, zone, kind, visit)


def owe_webhook(zone, kind, visit):
    """Owe the zone's webhook of the alert; wake its runner once the transaction commits."""
    row = webhook_outbox.owe(PendingZoneWebhook, visit=visit, kind=kind)
    transaction.on_commit(partial(webhook_outbox.start_runner_quietly, row.subject()))


def send(sender, zone, kind, visit):
    """``zone_alert`` to every receiver; one that fails does not cost the others theirs.

    A database error is raised: the whole ``events_stored`` delivery is then retried.
    """
    responses = zone_alert.send_robust(
        sender=sender, camera=zone.camera, zone=zone, kind=kind, visit=visit,
        occupancy=visit.occupancy,
    )  # fmt: skip
    for receiver_function, response in responses:
        if isinstance(response, DatabaseError):
            raise response
        if isinstance(response, Exception):
            logger.error("zone_alert receiver %r failed", receiver_function, exc_info=response)


def alert_kinds(visit, zone):
    """The alerts ``visit`` (a stored report) raises in ``zone``."""
    first_report = visit.exited is None or not visit.loitered
    if not first_report:
        return []
    kinds = [LOITERING] if visit.loitered else []
    if zone.occupancy_limit is not None and visit.occupancy > zone.occupancy_limit:
        kinds.append(OCCUPANCY)
    return kinds
