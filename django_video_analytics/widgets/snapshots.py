"""What a snapshot shows: the stored boxes of its event as percentages, with their labels."""

import math
from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext as _

from .formatting import format_plate


@dataclass(frozen=True)
class Box:
    """One detection's box in percent of the frame (x, y: top-left corner) and its label."""

    class_name: str  # a CSS-safe slug of the detection's class
    x: str
    y: str
    width: str
    height: str
    label: str
    label_x: str  # where the label starts, or ends for a box in the right half
    label_anchor: str  # SVG text-anchor: "start" or "end", so the label stays in the frame


def percent(value):
    """A 0..1 fraction as a percentage string for SVG attributes (no locale, 3 decimals)."""
    return f"{min(max(value, 0.0), 1.0) * 100:.3f}"


def number_or_none(value):
    if type(value) not in (int, float) or not math.isfinite(value):
        return None
    return float(value)


def box_label(detection):
    """``person 0.90 #3 AB12 CDE``: class, confidence, track and plate when the row has them."""
    parts = [str(detection.get("class_name") or "?")]
    confidence = number_or_none(detection.get("confidence"))
    if confidence is not None:
        parts.append(f"{confidence:.2f}")
    if detection.get("track_id") is not None:
        parts.append(f"#{detection['track_id']}")
    if detection.get("license_plate"):
        parts.append(format_plate(detection["license_plate"]))
    return " ".join(parts)


def box_of(detection):
    """The Box of one stored detection, or None when its box is missing or malformed."""
    if not isinstance(detection, dict) or not isinstance(detection.get("bounding_box"), dict):
        return None
    box = detection["bounding_box"]
    values = [number_or_none(box.get(key)) for key in ("x", "y", "width", "height")]
    if None in values or values[2] <= 0 or values[3] <= 0:
        return None
    x, y, width, height = values
    width, height = min(width, 1.0 - max(x, 0.0)), min(height, 1.0 - max(y, 0.0))
    right_half = x + width / 2 > 0.5
    return Box(
        class_name=slugify(str(detection.get("class_name") or "")) or "other",
        x=percent(x),
        y=percent(y),
        width=percent(width),
        height=percent(height),
        label=box_label(detection),
        label_x=percent(max(x, 0.0) + width if right_half else x),
        label_anchor="end" if right_half else "start",
    )


def boxes_of(detections):
    """The drawable Boxes of an event's ``detections`` list; rows without a box are skipped."""
    if not isinstance(detections, list):
        return []
    return [box for box in map(box_of, detections) if box is not None]


def snapshot_of(event):
    """The template context of an event's snapshot (None when it has none)."""
    if not getattr(event, "snapshot", None):
        return None
    plate = getattr(event, "license_plate", None)
    if plate is not None:
        caption = format_plate(plate)
        return {
            "url": event.snapshot.url,
            "boxes": [],
            "caption": caption,
            "alt": _("Plate %(plate)s") % {"plate": caption},
        }
    boxes = boxes_of(event.detections)
    labels = ", ".join(box.label for box in boxes)
    return {
        "url": event.snapshot.url,
        "boxes": boxes,
        "caption": "",
        "alt": _("Snapshot: %(labels)s") % {"labels": labels} if labels else _("Snapshot"),
    }
