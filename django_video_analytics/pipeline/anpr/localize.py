"""Plate localisers: where on a vehicle crop the plate text is, behind one interface.

Each localiser's ``locate(image)`` returns boxes ``(x1, y1, x2, y2)`` in the crop's pixels,
most likely first, tight around the plate's characters (plate borders confuse the OCR).
"""

import logging
import threading
from importlib import resources

import cv2
import numpy as np

logger = logging.getLogger(__name__)

Box = tuple[int, int, int, int]

# A plate line has at least this many character-like blobs.
MIN_CHARACTERS = 3

# Steepest character line taken for a plate (tan 15 degrees).
MAX_TILT = 0.27

# Width over height of the narrowest text line that can be a plate.
MIN_PLATE_ASPECT = 1.5


class PlateLocalizer:
    """Base class: ``locate(vehicle_image) -> [Box]``."""

    name = "base"

    def locate(self, image) -> list[Box]:
        raise NotImplementedError


class PlateDetectorLocalizer(PlateLocalizer):
    """The YOLOv8s-seg plate model of ``platedet`` (boxes only) through onnxruntime."""

    name = "detector"
    input_size = 640

    def __init__(self, model_path=None, confidence=0.35, iou=0.5):
        self.model_path = model_path or str(
            resources.files("platedet").joinpath("artifacts", "platedet.onnx")
        )
        self.confidence = confidence
        self.iou = iou
        self._session = None
        self._lock = threading.Lock()

    @property
    def session(self):
        with self._lock:
            if self._session is None:
                import onnxruntime

                self._session = onnxruntime.InferenceSession(
                    self.model_path, providers=["CPUExecutionProvider"]
                )
            return self._session

    def locate(self, image):
        blob, scale, (pad_x, pad_y) = _letterbox(image, self.input_size)
        session = self.session
        feed = {session.get_inputs()[0].name: blob.astype(np.float16)}
        rows = session.run(None, feed)[0][0].astype(np.float32).T  # anchors x (box, score, masks)
        rows = rows[rows[:, 4] > self.confidence]
        if not len(rows):
            return []
        centre_x, centre_y, width, height, scores = rows[:, :5].T
        left, top = (centre_x - width / 2 - pad_x) / scale, (centre_y - height / 2 - pad_y) / scale
        boxes = np.column_stack([left, top, width / scale, height / scale])
        kept = np.array(
            cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), self.confidence, self.iou)
        ).flatten()
        kept = kept[np.argsort(-scores[kept])]
        return [_clipped((x, y, x + w, y + h), image.shape) for x, y, w, h in boxes[kept]]


class CascadeLocalizer(PlateLocalizer):
    """OpenCV's Haar cascade for plates (shipped with opencv-python 4.x)."""

    name = "cascade"

    def __init__(self, cascade="haarcascade_russian_plate_number.xml"):
        self.cascade_path = cv2.data.haarcascades + cascade
        self._cascade = None

    def locate(self, image):
        if self._cascade is None:
            self._cascade = cv2.CascadeClassifier(self.cascade_path)
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        found = self._cascade.detectMultiScale(
            grey, scaleFactor=1.1, minNeighbors=3, minSize=(40, 12)
        )
        by_area = sorted(found, key=lambda box: -box[2] * box[3])
        return [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h in by_area]


class TextLocalizer(PlateLocalizer):
    """The OCR's own text detector on the lower part of the vehicle, where plates hang."""

    name = "text"

    def __init__(self, reader, top=0.35):
        self.reader = reader
        self.top = top

    def locate(self, image):
        offset = int(image.shape[0] * self.top)
        # Plates are wide lines of text: longest lines first, no single characters.
        boxes = [
            box
            for box in self.reader.find_text(image[offset:])
            if box[2] - box[0] >= MIN_PLATE_ASPECT * (box[3] - box[1])
        ]
        boxes.sort(key=lambda box: -(box[2] - box[0]))
        return [
            _clipped((x1, y1 + offset, x2, y2 + offset), image.shape) for x1, y1, x2, y2 in boxes
        ]


LOCALIZERS = {
    "detector": lambda reader: PlateDetectorLocalizer(),
    "cascade": lambda reader: CascadeLocalizer(),
    "text": lambda reader: TextLocalizer(reader),
}


def plate_characters(image):
    """The plate's line of characters, levelled and cut out of ``image``; None if unclear.

    Boxes from every localiser include some of the plate's frame or the car around it, and
    a tilted line reads worse: OCR reads a frame edge as an ``I`` or drops a character. The
    characters are the blobs of one height after Otsu thresholding; the line through their
    centres gives the tilt, which is undone before cutting.
    """
    blobs = _character_blobs(image)
    if blobs is None:
        return None
    centres = blobs[:, :2] + blobs[:, 2:4] / 2
    if len(blobs) >= 2 and np.ptp(centres[:, 0]) > 0:
        slope = np.polyfit(centres[:, 0], centres[:, 1], 1)[0]
        angle = float(np.degrees(np.arctan(slope)))
        if abs(angle) > 1.0:
            centre = (float(centres[:, 0].mean()), float(centres[:, 1].mean()))
            matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
            size = (image.shape[1], image.shape[0])
            image = cv2.warpAffine(image, matrix, size, borderMode=cv2.BORDER_REPLICATE)
            blobs = _character_blobs(image)
            if blobs is None:
                return None
    x1, y1 = blobs[:, 0].min(), blobs[:, 1].min()
    x2, y2 = (blobs[:, 0] + blobs[:, 2]).max(), (blobs[:, 1] + blobs[:, 3]).max()
    # Half a character each side: a character touching the frame is no blob of its own.
    pad_x, pad_y = max(2, int((y2 - y1) * 0.5)), max(2, int((y2 - y1) * 0.15))
    x1, y1, x2, y2 = _clipped((x1 - pad_x, y1 - pad_y, x2 + pad_x, y2 + pad_y), image.shape)
    return image[y1:y2, x1:x2]


def _character_blobs(image):
    """``(x, y, w, h)`` rows of the character-like blobs of the best polarity, or None."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    height, width = grey.shape
    if height < 8 or width < 16:
        return None
    best = []
    for polarity in (cv2.THRESH_BINARY_INV, cv2.THRESH_BINARY):  # dark on light, light on dark
        _, binary = cv2.threshold(grey, 0, 255, polarity | cv2.THRESH_OTSU)
        stats = cv2.connectedComponentsWithStats(binary, connectivity=8)[2][1:]
        blobs = [
            (x, y, w, h)
            for x, y, w, h, area in stats
            # Up to three touching characters make one blob; frames are hollow.
            if 0.15 * height <= h <= 0.95 * height and w <= 3 * h and area >= 0.15 * w * h
        ]
        if len(blobs) < MIN_CHARACTERS:
            continue
        line = _longest_line(np.array(blobs, dtype=np.float64))
        if len(line) > len(best):
            best = line
    return best if len(best) >= MIN_CHARACTERS else None


def _longest_line(blobs):
    """The most blobs of one height whose centres lie on one straight, nearly level line."""
    centres = blobs[:, :2] + blobs[:, 2:4] / 2
    best = blobs[:0]
    for i in range(len(blobs)):
        for j in range(i + 1, len(blobs)):
            (x1, y1), (x2, y2) = centres[i], centres[j]
            if x1 == x2 or abs(y2 - y1) > MAX_TILT * abs(x2 - x1):
                continue
            height = (blobs[i, 3] + blobs[j, 3]) / 2
            if abs(blobs[i, 3] - blobs[j, 3]) > 0.25 * height:
                continue
            slope = (y2 - y1) / (x2 - x1)
            off_line = np.abs(centres[:, 1] - (y1 + slope * (centres[:, 0] - x1)))
            same_height = np.abs(blobs[:, 3] - height) <= 0.25 * height
            inliers = blobs[(off_line <= 0.3 * height) & same_height]
            if len(inliers) > len(best):
                best = inliers
    return best


def build_localizers(names, reader):
    """Localisers by name (``detector``, ``cascade``, ``text``), in the order given."""
    unknown = set(names) - set(LOCALIZERS)
    if unknown:
        raise ValueError(
            f"Unknown plate localisers {sorted(unknown)}; choose from {sorted(LOCALIZERS)}"
        )
    return [LOCALIZERS[name](reader) for name in names]


def _letterbox(image, size):
    height, width = image.shape[:2]
    scale = min(size / height, size / width)
    resized = cv2.resize(image, (round(width * scale), round(height * scale)))
    pad_x = (size - resized.shape[1]) / 2
    pad_y = (size - resized.shape[0]) / 2
    canvas = np.full((size, size, 3), 114, np.uint8)
    top, left = int(round(pad_y - 0.1)), int(round(pad_x - 0.1))
    canvas[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
    rgb = canvas[:, :, ::-1].transpose(2, 0, 1)[None]
    return np.ascontiguousarray(rgb, dtype=np.float32) / 255.0, scale, (left, top)


def _clipped(box, shape):
    x1, y1, x2, y2 = box
    return (
        int(max(0, x1)),
        int(max(0, y1)),
        int(min(shape[1], x2)),
        int(min(shape[0], y2)),
    )
