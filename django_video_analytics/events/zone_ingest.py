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
from .kinds import STORED_KINDS

# Event type -> the Zone.kind its zone_id must name (line crossings, zone visits).
ZONE_KINDS = {kind.name: kind.zone_kind for kind in STORED_KINDS.values() if kind.zone_kind}


def reject_unknown_zones(using, incoming, cameras, result):
    """``incoming`` without the crossings and visits of no zone of theirs (those: rejected).

    ``cameras``: camera_id -> pk. No query when the batch holds neither.
    """
    zone_ids = {item.event.zone_id for item in incoming if item.event.event_type in ZONE_KINDS}
    if not zone_ids:
        return incoming
    zones = {
        pk: (camera_pk, kind)
        for pk, camera_pk, kind in Zone.objects.using(using)
        .filter(pk__in=zone_ids)
        .values_list("pk", "camera_id", "kind")
    }
    kept = []
    for item in incoming:
        event = item.event
        if event.event_type not in ZONE_KINDS:
            kept.append(item)
            continue
        zone_kind = ZONE_KINDS[event.event_type]
        if zones.get(event.zone_id) == (cameras.get(event.camera_id), zone_kind):
            kept.append(item)
            continue
        wanted = "line" if zone_kind == Zone.Kind.LINE else "polygon zone"
        reason = (
            f"zone_id {event.zone_id} ({event.zone!r}) is no {wanted} of camera {event.camera_id!r}"
        )
        result.rejected.append((item, reason))
    return kept


def count(using, rows):
    """Add the newly stored crossings and visits of ``rows`` ((camera pk, event)) to the counts."""
    crossings, visits = [], []
    for camera_pk, event in rows:
        if event.event_type == "line_crossing":
            crossings.append(
                zone_counts.Crossing(
                    camera_pk, event.zone_id, event.class_name, event.direction, event.timestamp
                )
            )
        elif event.event_type == "zone_visit":
            visits.append(
                zone_counts.Visit(
                    camera_pk,
                    event.zone_id,
                    event.class_name,
                    event.entered,
                    event.exited,
                    event.dwell_seconds,
                    event.occupancy,
                )
            )
    if crossings or visits:
        zone_counts.apply(crossings, visits, using=using)
