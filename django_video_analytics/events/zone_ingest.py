"""Line crossings and zone visits in a consumer batch: their rows, their zones, their counts.

``ingest.store_events`` stores them like every event (unique ``source_id``, so a redelivered
entry finds its row), after ``reject_unknown_zones`` has set aside the ones whose ``zone_id``
is not a line (crossings) or polygon zone (visits) of their camera. In the same transaction
``count`` feeds the rows it inserted, and only those, to ``zone_counts.apply``: a redelivery
or a second consumer storing the same entries never counts twice.

A visit is ``(camera, zone, track_id, entered)``. It is reported closed once and, when it
loiters, open once before; the open report only raises the hour's peak occupancy, so the
visit counts once. The table holds at most one open and one closed report per visit.
"""

from .. import zone_counts
from ..models import Zone
from .incoming import IncomingBatch
from .kinds import STORED_KINDS

# Event type -> the Zone.kind its zone_id must name (line crossings, zone visits).
ZONE_KINDS = {kind.name: kind.zone_kind for kind in STORED_KINDS.values() if kind.zone_kind}


def reject_unknown_zones(using, batch, cameras, result):
    """``batch`` without the crossings and visits of no zone of theirs (those: rejected).

    ``cameras``: camera_id -> pk. No query when the batch holds neither.
    """
    zone_items = [item for event_type in ZONE_KINDS for item in batch.by_type.get(event_type, ())]
    if not zone_items:
        return batch
    zones = {
        pk: (camera_pk, kind)
        for pk, camera_pk, kind in Zone.objects.using(using)
        .filter(pk__in={item.event.zone_id for item in zone_items})
        .values_list("pk", "camera_id", "kind")
    }
    rejected = set()
    for item in zone_items:
        event = item.event
        zone_kind = ZONE_KINDS[event.event_type]
        if zones.get(event.zone_id) == (cameras.get(event.camera_id), zone_kind):
            continue
        wanted = "line" if zone_kind == Zone.Kind.LINE else "polygon zone"
        reason = (
            f"zone_id {event.zone_id} ({event.zone!r}) is no {wanted} of camera {event.camera_id!r}"
        )
        result.rejected.append((item, reason))
        rejected.add(id(item))
    if not rejected:
        return batch
    return IncomingBatch(item for item in batch.unique if id(item) not in rejected)


def count(using, new, cameras):
    """Add the newly stored crossings and visits to the counts.

    ``new``: event type -> the items whose rows were inserted; ``cameras``: camera_id -> pk.
    """
    crossings = [
        zone_counts.Crossing(
            cameras[event.camera_id], event.zone_id, event.class_name, event.direction,
            event.timestamp,
        )
        for event in (item.event for item in new.get("line_crossing", ()))
    ]  # fmt: skip
    visits = [
        zone_counts.Visit(
            cameras[event.camera_id], event.zone_id, event.class_name, event.entered,
            event.exited, event.dwell_seconds, event.occupancy,
        )
        for event in (item.event for item in new.get("zone_visit", ()))
    ]  # fmt: skip
    if crossings or visits:
        zone_counts.apply(crossings, visits, using=using)
