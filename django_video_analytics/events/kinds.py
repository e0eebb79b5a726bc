"""The event types as stored: each one's model, its columns and its statistics counter.

The Django half of the event types, keyed by the names of the wire half (``wire.KINDS``:
event class, parser, builder); the worker's ``encoder.ENCODERS`` uses the same names, and
``tests/events/test_kinds.py`` keeps the three in step. Adding an event type is one entry
in each.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

from ..models import ANPREvent, DetectionEvent, LineCrossingEvent, MotionEvent, Zone, ZoneVisitEvent

# Adapts an aware datetime to the database (naive where ``USE_TZ`` is off).
DbDatetime = Callable[[datetime], datetime]

# The fields every event row has, by attribute name, in the models' order.
COMMON_FIELDS = ("id", "camera_id", "timestamp", "frame_number", "created_at", "processed",
                 "source_id")  # fmt: skip


@dataclass(frozen=True)
class StoredKind:
    """How the events of one type are stored; ``values`` gives ``fields``' values of a row."""

    name: str  # the wire event type
    model: type[models.Model]
    fields: tuple[str, ...]  # the row's own fields, in the model's order after COMMON_FIELDS
    values: Callable[[Any, DbDatetime], tuple]  # (wire event, adapt a datetime) -> values
    counter: str | None = None  # the EventStatistics counter each row adds one to
    retention: str | None = None  # the setting of the days its rows are kept (cleanup_events)
    zone_kind: object = None  # the ``Zone.Kind`` its ``zone_id`` must name, if any

    @property
    def columns(self) -> tuple[str, ...]:
        """Every field of the row, in the model's order (the columns ingest writes)."""
        return COMMON_FIELDS + self.fields


def _detection(event, db_datetime):
    detections = list(event.detections)
    snapshot = event.snapshot or ""
    return (detections, len(detections), event.model_type, event.model_version, snapshot)


def _motion(event, db_datetime):
    return (event.motion_intensity, event.affected_area_percentage)


def _anpr(event, db_datetime):
    candidates = list(event.candidates)
    return (event.license_plate, event.confidence, event.region, candidates, event.snapshot or "")


ZONE_FIELDS = ("zone_id", "zone_name", "track_id", "class_name")


def _zone(event):
    return (event.zone_id, event.zone, event.track_id, event.class_name)


def _line_crossing(event, db_datetime):
    return (*_zone(event), event.direction)


def _zone_visit(event, db_datetime):
    exited = None if event.exited is None else db_datetime(event.exited)
    return (
        *_zone(event),
        db_datetime(event.entered),
        exited,
        event.dwell_seconds,
        event.loitered,
        event.occupancy,
    )


STORED_KINDS: dict[str, StoredKind] = {
    kind.name: kind
    for kind in (
        StoredKind(
            "detection",
            DetectionEvent,
            ("detections", "detection_count", "model_type", "model_version", "snapshot"),
            _detection,
            counter="detection_count",
            retention="RETENTION_DETECTION_DAYS",
        ),
        StoredKind(
            "motion",
            MotionEvent,
            ("motion_intensity", "affected_area_percentage"),
            _motion,
            counter="motion_count",
            retention="RETENTION_MOTION_DAYS",
        ),
        StoredKind(
            "anpr",
            ANPREvent,
            ("license_plate", "confidence", "region", "candidates", "snapshot"),
            _anpr,
            counter="anpr_count",
            retention="RETENTION_ANPR_DAYS",
        ),
        StoredKind(
            "line_crossing",
            LineCrossingEvent,
            (*ZONE_FIELDS, "direction"),
            _line_crossing,
            retention="RETENTION_LINE_CROSSING_DAYS",
            zone_kind=Zone.Kind.LINE,
        ),
        StoredKind(
            "zone_visit",
            ZoneVisitEvent,
            (*ZONE_FIELDS, "entered", "exited", "dwell_seconds", "loitered", "occupancy"),
            _zone_visit,
            retention="RETENTION_ZONE_VISIT_DAYS",
            zone_kind=Zone.Kind.POLYGON,
        ),
    )
}
