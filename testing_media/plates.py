"""Licence plates rendered onto real vehicle photos that ship in installed wheels.

Makes the demo's plate clip (``clips.plates_clip``) and the ANPR tests' and
``benchmarks/anpr.py``'s scenes; numpy, OpenCV and Pillow only.
"""

import importlib.util
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from django_video_analytics.pipeline.types import Frame

FONTS = {"duplex": cv2.FONT_HERSHEY_DUPLEX, "simplex": cv2.FONT_HERSHEY_SIMPLEX}
# TrueType fonts shipped in the matplotlib wheel (closer to real plate typefaces).
TRUETYPE = {
    "dejavu-bold": "mpl-data/fonts/ttf/DejaVuSans-Bold.ttf",
    "dejavu-mono": "mpl-data/fonts/ttf/DejaVuSansMono-Bold.ttf",
}

WHITE = (245, 245, 245)
YELLOW = (40, 200, 250)


def package_file(package, path) -> Path:
    """A file shipped in an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"{package} is not installed; {path} ships in it")
    return Path(spec.origin).parent / path


@dataclass(frozen=True)
class VehiclePhoto:
    """A real photo and where, in its pixels, a plate can be mounted on the vehicle."""

    name: str
    package: str
    path: str
    plate_centre: tuple[int, int]  # (x, y) in the photo's pixels

    def load(self):
        """The photo as a BGR array."""
        return cv2.imread(str(package_file(self.package, self.path)))


PHOTOS = {
    # The side skirt of the bus, below the logo, left of the rear wheel.
    "bus": VehiclePhoto("bus", "ultralytics", "assets/bus.jpg", (560, 640)),
    # The rear mudguard of the motorcycle.
    "motorcycle": VehiclePhoto("motorcycle", "skimage", "data/motorcycle_left.png", (190, 250)),
}


def two_vehicle_scene(bus_plate, motorcycle_plate):
    """The bus and the motorcycle photos side by side, each with its plate mounted."""
    bus, motorcycle = PHOTOS["bus"], PHOTOS["motorcycle"]
    left = mount_plate(bus.load(), bus_plate, bus.plate_centre, angle=2)
    right = mount_plate(motorcycle.load(), motorcycle_plate, motorcycle.plate_centre, angle=-2)
    scene = np.full((left.shape[0], left.shape[1] + right.shape[1], 3), 128, np.uint8)
    scene[:, : left.shape[1]] = left
    top = left.shape[0] - right.shape[0] - 80
    scene[top : top + right.shape[0], left.shape[1] :] = right
    return scene


def render_plate(text, font="duplex", height=48, colour=WHITE):
    """A plate image (BGR) with ``text`` in one of the ``FONTS`` or ``TRUETYPE`` fonts."""
    if font in TRUETYPE:
        return _render_truetype(text, TRUETYPE[font], height, colour)
    face = FONTS[font]
    scale = cv2.getFontScaleFromHeight(face, int(height * 0.62), 2)
    thickness = max(2, height // 14)
    (width, text_height), baseline = cv2.getTextSize(text, face, scale, thickness)
    margin = height // 5
    plate = np.full((height, width + 2 * margin, 3), colour, np.uint8)
    origin = (margin, (height + text_height) // 2)
    cv2.putText(plate, text, origin, face, scale, (20, 20, 20), thickness, cv2.LINE_AA)
    cv2.rectangle(plate, (0, 0), (plate.shape[1] - 1, height - 1), (20, 20, 20), 2)
    return plate


def _render_truetype(text, path, height, colour):
    """``render_plate`` with a TrueType font from the matplotlib wheel."""
    font = ImageFont.truetype(str(package_file("matplotlib", path)), int(height * 0.7))
    left, top, right, bottom = font.getbbox(text)
    margin = height // 5
    image = Image.new("RGB", (right - left + 2 * margin, height), colour[::-1])
    draw = ImageDraw.Draw(image)
    draw.text(
        (margin - left, (height - (bottom - top)) // 2 - top), text, font=font, fill=(20,) * 3
    )
    draw.rectangle((0, 0, image.width - 1, height - 1), outline=(20,) * 3, width=2)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


def mount_plate(image, plate, centre, angle=0.0):
    """Paste ``plate`` into ``image`` centred on ``centre``, rotated by ``angle`` degrees."""
    out = image.copy()
    height, width = plate.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    matrix[:, 2] += (centre[0] - width / 2, centre[1] - height / 2)
    size = (image.shape[1], image.shape[0])
    warped = cv2.warpAffine(plate, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(np.full((height, width), 255, np.uint8), matrix, size)
    out[mask > 127] = warped[mask > 127]
    return out


def degrade(image, blur=0, noise=0.0, rng=None):
    """Gaussian blur of kernel ``blur`` (odd, 0 for none) and Gaussian noise of sigma ``noise``."""
    if blur:
        image = cv2.GaussianBlur(image, (blur, blur), 0)
    if noise:
        rng = rng or np.random.default_rng(0)
        jitter = rng.normal(0, noise, image.shape)
        image = np.clip(image.astype(np.float32) + jitter, 0, 255).astype(np.uint8)
    return image


def moving_clip(scene, frames=8, step=(12, 4), canvas_margin=120, start=0, blur=0, noise=0.0):
    """``Frame``s of ``scene`` sliding across a grey canvas ``step`` pixels per frame."""
    rng = np.random.default_rng(start)
    height, width = scene.shape[:2]
    canvas_size = (height + canvas_margin, width + canvas_margin, 3)
    t0 = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    clip = []
    for index in range(frames):
        canvas = np.full(canvas_size, 110, np.uint8)
        dx = (index * step[0]) % canvas_margin
        dy = (index * step[1]) % canvas_margin
        canvas[dy : dy + height, dx : dx + width] = scene
        image = degrade(canvas, blur=blur, noise=noise, rng=rng)
        clip.append(Frame(image, start + index, t0 + timedelta(seconds=(start + index) / 10)))
    return clip
