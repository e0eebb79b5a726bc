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
from ..models import LineCrossingEvent, Zone, ZoneVisitEvent

MODELS = {"line_crossing": LineCrossingEvent, "zone_visit": ZoneVisitEvent}
# The rows' own fields, in the models' field order (ingest writes them after the common ones).
TYPE_FIELDS = {
    "line_crossing": ("zone_id", "zone_name", "track_id", "class_name", "direction"),
    "zone_visit": (
        "zone_id",
        "zone_name",
        "track_id",
        "class_name",
        "entered",
        "exited",
        "dwell_seconds",
        "loitered",
        "occupancy",
    ),
}
ZONE_KINDS = {"line_crossing": Zone.Kind.LINE, "zone_visit": Zone.Kind.POLYGON}


def type_values(event, db_datetime):
    """The values of ``TYPE_FIELDS`` for ``event``; ``db_datetime`` adapts the times."""
    common = (event.zone_id, event.zone, event.track_id, event.class_name)
    if event.event_type == "line_crossing":
        return (*common, event.direction)
    exited = None if event.exited is None else db_datetime(event.exited)
    return (
        *common,
        db_datetime(event.entered),
        exited,
        event.dwell_seconds,
        event.loitered,
        event.occupancy,
    )


def reject_unknown_zones(using, incoming, cameras, result):
    """``incoming`` without the crossings and visits of no zone of theirs (those: rejected).

    ``cameras``: camera_id -> pk. No query when the batch holds neither.
    """
    zone_ids = {item.event.zone_id for item in incoming if item.event.event_type in MODELS}
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
        if event.event_type not in MODELS:
            kept.append(item)
            continue
        wanted = (cameras.get(event.camera_id), ZONE_KINDS[event.event_type])
        if zones.get(event.zone_id) == wanted:
            kept.append(item)
            continue
        kind = "line" if event.event_type == "line_crossing" else "polygon zone"
        reason = (
            f"zone_id {event.zone_id} ({event.zone!r}) is no {kind} of camera {event.camera_id!r}"
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
