"""Regions of interest: polygons of normalised ``[x, y]`` points (0..1 of the frame).

A zone is a list of at least three points, or a mapping with such a list under
``"points"`` (so zones may carry a name). No zones means the whole frame.
"""

import numpy as np

from .zones.geometry import point_in_polygon


def zone_points(zone) -> list[tuple[float, float]]:
    """The points of one zone as (x, y) floats; raises ValueError for a malformed zone."""
    points = zone.get("points") if isinstance(zone, dict) else zone
    try:
        points = [(float(x), float(y)) for x, y in points]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"ROI zone {zone!r} is not a list of [x, y] points") from exc
    if len(points) < 3:
        raise ValueError(f"ROI zone {zone!r} needs at least three points")
    return points


def zones_mask(zones, width: int, height: int):
    """A uint8 mask (255 inside any zone) of ``width`` x ``height``, or None for no zones."""
    if not zones:
        return None
    import cv2

    mask = np.zeros((height, width), np.uint8)
    for zone in zones:
        polygon = np.array(zone_points(zone), np.float64) * (width, height)
        cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 255)
    return mask


def centre_in_zones(point: tuple[float, float], zones) -> bool:
    """Whether a normalised point lies inside any zone (always True without zones)."""
    return not zones or any(point_in_polygon(point, zone_points(zone)) for zone in zones)
