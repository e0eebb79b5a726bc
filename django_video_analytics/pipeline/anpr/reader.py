"""OCR backends that read the text of a plate crop (the ``PLATE_READER`` setting)."""

import logging
import threading
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

# Separators are allowed so that the OCR reads them as such (normalising strips them).
PLATE_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -."

# Below this height the recogniser sees mush; smaller crops are upscaled first.
MIN_TEXT_HEIGHT = 32

# Longest side the text detector works at: plates on a vehicle crop stay legible, and the
# detector takes ~0.2 s instead of seconds on a large crop.
DETECTION_CANVAS = 640


@dataclass(frozen=True)
class TextRead:
    """One line of text the OCR found, with its confidence 0..1."""

    text: str
    confidence: float


class EasyOCRPlateReader:
    """EasyOCR with the offline English weights; the model loads once per process, lazily."""

    _models: dict[bool, Any] = {}
    _lock = threading.Lock()

    def __init__(self, gpu=False):
        self.gpu = gpu

    @property
    def model(self):
        with self._lock:
            if self.gpu not in self._models:
                self._models[self.gpu] = self._load(self.gpu)
            return self._models[self.gpu]

    @staticmethod
    def _load(gpu):
        import easyocr_en_models

        from ..env import easyocr

        logger.info("Loading the EasyOCR model (gpu=%s)", gpu)
        return easyocr().Reader(
            ["en"],
            gpu=gpu,
            model_storage_directory=easyocr_en_models.model_dir(),
            download_enabled=False,
            verbose=False,
        )

    def read(self, image):
        """The text lines of a plate crop (BGR), best first."""
        if not image.size:
            return []
        grey = _grey(_upscaled(image))
        results = self.model.recognize(grey, allowlist=PLATE_CHARACTERS, detail=1)
        reads = [TextRead(text, float(confidence)) for _box, text, confidence in results]
        return sorted(reads, key=lambda read: -read.confidence)

    def find_text(self, image):
        """Boxes ``(x1, y1, x2, y2)`` of text lines in ``image`` (BGR), by EasyOCR's detector."""
        # Words of one plate line are merged (width_ths); a small canvas keeps it fast.
        horizontal, _free = self.model.detect(
            image, min_size=10, width_ths=1.5, canvas_size=DETECTION_CANVAS
        )
        return [(int(x1), int(y1), int(x2), int(y2)) for x1, x2, y1, y2 in horizontal[0]]


def _upscaled(image):
    import cv2

    height = image.shape[0]
    if height >= MIN_TEXT_HEIGHT:
        return image
    scale = MIN_TEXT_HEIGHT / height
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)


def _grey(image):
    import cv2

    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
