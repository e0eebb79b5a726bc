"""Detection on regions around motion, as Frigate does: small objects at the model's own size.

``detection_regions(boxes, frame_size, side)`` turns motion (and tracked-object) boxes into
crop rectangles at least ``side`` pixels square, merged while they overlap; None means one
run on the whole frame (nothing to look around, large motion, or too many crops).
``RegionTracker`` runs a detector on the crops (one ``detect_batch`` call), maps its boxes
back to the frame, removes the duplicates of an object seen by two crops and tracks the
result.
"""

from .tracking import IouTracker, iou
from .types import Box, Detection

MARGIN = 0.15  # every box grows by this share of its size on each side
WHOLE_FRAME_SHARE = 0.6  # a region covering more of the frame than this: the whole frame
MAX_REGIONS = 4  # more crops than this cost more than they find: the whole frame
DUPLICATE_IOU = 0.5  # two crops' boxes of one class overlapping this much are one object

Rect = tuple[int, int, int, int]  # x, y, width, height in pixels


def detection_regions(
    boxes: list[Box], frame_size: tuple[int, int], side: int
) -> list[Rect] | None:
    """Crops around ``boxes`` (normalised), merged while they overlap; None: the whole frame."""
    width, height = frame_size
    rects = [_around(box, width, height, side) for box in boxes]
    if not rects:
        return None
    merged = _merge(rects, width, height)
    if len(merged) > MAX_REGIONS or any(
        w * h > WHOLE_FRAME_SHARE * width * height for _, _, w, h in merged
    ):
        return None
    return merged


def _around(box: Box, width: int, height: int, side: int) -> Rect:
    """A rectangle of at least ``side`` (or the frame) around a box grown by ``MARGIN``."""
    x, y, w, h = box[0] * width, box[1] * height, box[2] * width, box[3] * height
    x, y, w, h = x - MARGIN * w, y - MARGIN * h, w * (1 + 2 * MARGIN), h * (1 + 2 * MARGIN)
    return _fit(x + w / 2, y + h / 2, max(w, side), max(h, side), width, height)


def _fit(cx, cy, w, h, width, height) -> Rect:
    """A ``w`` x ``h`` rectangle centred on (cx, cy), moved (and cut) to lie in the frame."""
    w, h = min(round(w), width), min(round(h), height)
    x = min(max(0, round(cx - w / 2)), width - w)
    y = min(max(0, round(cy - h / 2)), height - h)
    return x, y, w, h


def _merge(rects: list[Rect], width: int, height: int) -> list[Rect]:
    """Replace overlapping rectangles by their bounding rectangle until none overlap."""
    rects = list(rects)
    merged = True
    while merged:
        merged = False
        for i in range(len(rects)):
            for j in range(i + 1, len(rects)):
                if _overlap(rects[i], rects[j]):
                    rects[i] = _union(rects[i], rects[j])
                    del rects[j]
                    merged = True
                    break
            if merged:
                break
    return rects


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _union(a: Rect, b: Rect) -> Rect:
    x, y = min(a[0], b[0]), min(a[1], b[1])
    return x, y, max(a[0] + a[2], b[0] + b[2]) - x, max(a[1] + a[3], b[1] + b[3]) - y


def to_frame(detection: Detection, region: Rect, frame_size: tuple[int, int]) -> Detection:
    """A detection on a crop, its box mapped back to normalised frame coordinates."""
    (rx, ry, rw, rh), (width, height) = region, frame_size
    x, y, w, h = detection.box
    box = ((rx + x * rw) / width, (ry + y * rh) / height, w * rw / width, h * rh / height)
    return Detection(detection.class_name, detection.confidence, box, detection.track_id)


def without_duplicates(detections: list[Detection]) -> list[Detection]:
    """Keep the most confident of boxes of one class that overlap by ``DUPLICATE_IOU``."""
    kept: list[Detection] = []
    for detection in sorted(detections, key=lambda d: d.confidence, reverse=True):
        if not any(
            k.class_name == detection.class_name and iou(k.box, detection.box) >= DUPLICATE_IOU
            for k in kept
        ):
            kept.append(detection)
    return kept


class RegionTracker:
    """Detects on the regions around ``boxes`` (or the whole frame) and tracks the objects."""

    def __init__(self, detector):
        self.detector = detector
        self.tracker = IouTracker()
        self.runs = 0  # detector calls (one per crop)

    def detect(self, image, boxes, classes=None, confidence=0.25) -> list[Detection]:
        height, width = image.shape[:2]
        regions = detection_regions(boxes, (width, height), self.detector.input_size)
        if regions is None:
            self.runs += 1
            return self.detector.detect(image, classes, confidence)
        self.runs += len(regions)
        crops = [image[y : y + h, x : x + w] for x, y, w, h in regions]
        found = [
            to_frame(detection, region, (width, height))
            for region, detections in zip(
                regions, self.detector.detect_batch(crops, classes, confidence), strict=True
            )
            for detection in detections
        ]
        return without_duplicates(found)

    def track(self, image, boxes, classes=None, confidence=0.25) -> list[Detection]:
        return self.tracker.update(self.detect(image, boxes, classes, confidence))
