"""Counting: line crossings, zone visits, dwell, loitering and occupancy of tracks."""

from .counting import IN, OUT, LineCrossing, Occupancy, ZoneCounter, ZoneVisit
from .specs import ANCHORS, LineSpec, SpecError, ZoneSpec, anchor_point, spec_from_dict

__all__ = [
    "ANCHORS",
    "IN",
    "OUT",
    "LineCrossing",
    "LineSpec",
    "Occupancy",
    "SpecError",
    "ZoneCounter",
    "ZoneSpec",
    "ZoneVisit",
    "anchor_point",
    "spec_from_dict",
]
