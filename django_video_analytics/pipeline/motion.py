"""Motion by background subtraction (MOG2) on a small grey copy of each frame."""

from typing import Any

import cv2
import numpy as np

from .roi import zones_mask
from .types import MotionResult

# Frames are shrunk to this width first: motion of anything worth detecting survives it,
# and MOG2 then costs well under a millisecond per frame.
ANALYSIS_WIDTH = 160
# Blobs smaller than this (in pixels of the small copy) are noise, not a region to detect on.
MIN_BLOB_PIXELS = 4
# Frames the background model needs before its verdicts mean anything.
WARMUP_FRAMES = 2


class MotionDetector:
    """Tells, frame by frame, how much of the (ROI-masked) picture moves.

    ``area_percentage`` is the share (0..100) of the watched area that differs from the
    learnt background; ``intensity`` (0..1) is how strongly those pixels differ from the
    previous frame on average; ``moving`` is ``area_percentage >= threshold``.
    """

    def __init__(self, roi_zones=(), threshold: float = 0.5, history: int = 500):
        self.roi_zones = roi_zones
        self.threshold = threshold
        self.history = history
        self._subtractor: Any = None
        self._kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        self._size: tuple[int, int] | None = None
        self._mask: Any = None
        self._watched = 0
        self._previous: Any = None
        self._frames = 0

    def update(self, image) -> MotionResult:
        """Feed one BGR (or grey) frame; return the motion in it."""
        grey = self._prepare(image)
        foreground = self._subtractor.apply(grey)
        foreground = cv2.morphologyEx(foreground, cv2.MORPH_OPEN, self._kernel)
        if self._mask is not None:
            foreground = cv2.bitwise_and(foreground, self._mask)
        previous, self._previous = self._previous, grey
        self._frames += 1
        if self._frames <= WARMUP_FRAMES or not self._watched:
            return MotionResult(0.0, 0.0, False)
        changed = cv2.countNonZero(foreground)
        area = 100.0 * changed / self._watched
        intensity = 0.0
        if changed:
            difference = cv2.absdiff(grey, previous)
            intensity = cv2.mean(difference, mask=foreground)[0] / 255.0
        moving = area >= self.threshold
        boxes = self._boxes(foreground) if moving else ()
        return MotionResult(float(intensity), float(area), moving, boxes)

    def _boxes(self, foreground):
        """Normalised bounding boxes of the moving blobs (specks of a pixel or two left out)."""
        width, height = self._small_size
        contours, _ = cv2.findContours(foreground, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes = []
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if w * h >= MIN_BLOB_PIXELS:
                boxes.append((x / width, y / height, w / width, h / height))
        return tuple(boxes)

    def _prepare(self, image):
        height, width = image.shape[:2]
        if self._size != (width, height):
            self._configure(width, height)
        if width > 4 * self._small_size[0]:
            # A cheap first halving step for large frames; the area step still averages noise.
            double = (2 * self._small_size[0], 2 * self._small_size[1])
            image = cv2.resize(image, double, interpolation=cv2.INTER_LINEAR)
        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        small = cv2.resize(grey, self._small_size, interpolation=cv2.INTER_AREA)
        return cv2.GaussianBlur(small, (3, 3), 0)

    def _configure(self, width: int, height: int):
        """(Re)start the model for a frame size (a source may change resolution)."""
        scale = min(1.0, ANALYSIS_WIDTH / width)
        self._size = (width, height)
        self._subtractor = cv2.createBackgroundSubtractorMOG2(
            history=self.history, varThreshold=25, detectShadows=False
        )
        self._small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
        self._mask = zones_mask(self.roi_zones, *self._small_size)
        self._watched = (
            int(np.count_nonzero(self._mask))
            if self._mask is not None
            else self._small_size[0] * self._small_size[1]
        )
        self._previous = None
        self._frames = 0
