"""Test and demo clips made from the real photographs that ship with ultralytics.

No video ships in any wheel, so clips are composed with OpenCV: a still background cut
from ``bus.jpg`` (the building above the bus), real crops of the bus and its passengers
(or all of ``zidane.jpg``) passing through, and a little seeded sensor noise. The same
arguments always give the same frames. Each function returns the path of an mp4v file.
``plates_clip`` adds scikit-image's motorcycle and plates drawn by ``plates``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np

from django_video_analytics.pipeline.env import cache_dir
from django_video_analytics.pipeline.types import Frame

from .plates import moving_clip, package_file, render_plate, two_vehicle_scene

FRAME_SIZE = (640, 360)
FPS = 15
NOISE_SIGMA = 2.0
# Bump when the composition changes, so cached clips are rebuilt.
CLIPS_VERSION = 1

# Regions of the real photographs (x, y, width, height in pixels of the originals).
BUS_BACKGROUND = ("bus.jpg", (0, 0, 810, 220))  # the building facade above the bus
BUS = ("bus.jpg", (20, 220, 790, 560))  # the bus, passengers in front of it
PERSON = ("bus.jpg", (30, 380, 220, 550))  # the man on the left
PLAYERS = ("zidane.jpg", (0, 0, 1280, 720))  # two people
# The gate's plates (text, font, height in the photos' pixels) and the rows of the bus and
# motorcycle scene it films: oversized plates stay legible in 640x360.
PLATES = (("AB12 CDE", "dejavu-bold", 110), ("GX19 WHN", "dejavu-mono", 90))
PLATES_ROWS = (220, 1000)


@dataclass(frozen=True)
class Pass:
    """A real crop crossing the frame from ``start`` to ``end`` seconds."""

    region: tuple
    start: float
    end: float
    height: float  # of the frame, 0..1
    bottom: float = 0.95  # where its lower edge runs, 0..1 of the frame height
    leftwards: bool = False


def asset_path(name: str) -> Path:
    """A photograph shipped in the ultralytics wheel (found without importing it)."""
    return package_file("ultralytics", f"assets/{name}")


def objects_clip(directory=None) -> Path:
    """10 s: a person walks across, then a bus drives through the other way."""
    return build_clip(
        "objects",
        seconds=10,
        passes=(
            Pass(PERSON, start=1.0, end=6.0, height=0.8),
            Pass(BUS, start=4.0, end=9.5, height=0.75, leftwards=True),
        ),
        directory=directory,
    )


def static_clip(directory=None, seconds=6, size=FRAME_SIZE, fps=FPS) -> Path:
    """Nothing moves: the whole bus photograph, still, with sensor noise only."""
    return build_clip("static", seconds=seconds, still=BUS, directory=directory, size=size, fps=fps)


def quiet_clip(directory=None) -> Path:
    """60 s, mostly quiet: a person, later a bus, later two players pass through."""
    return build_clip(
        "quiet",
        seconds=60,
        passes=(
            Pass(PERSON, start=8.0, end=14.0, height=0.8),
            Pass(BUS, start=27.0, end=33.0, height=0.75, leftwards=True),
            Pass(PLAYERS, start=46.0, end=53.0, height=0.7),
        ),
        directory=directory,
    )


def street_clip(directory=None, size=(1280, 720), fps=25) -> Path:
    """20 s in which something always moves: people and the bus cross, overlapping in time."""
    return build_clip(
        "street",
        seconds=20,
        passes=(
            Pass(PERSON, start=0.0, end=7.0, height=0.7),
            Pass(BUS, start=5.0, end=12.0, height=0.6, leftwards=True),
            Pass(PLAYERS, start=10.0, end=17.0, height=0.6),
            Pass(PERSON, start=15.0, end=20.0, height=0.5, leftwards=True),
        ),
        directory=directory,
        size=size,
        fps=fps,
    )


def distant_clip(directory=None) -> Path:
    """30 s of small, distant objects (a few % of the frame) crossing a still street."""
    return build_clip(
        "distant",
        seconds=30,
        passes=(
            Pass(PERSON, start=1.0, end=11.0, height=0.2, bottom=0.6),
            Pass(BUS, start=6.0, end=16.0, height=0.16, bottom=0.5, leftwards=True),
            Pass(PERSON, start=14.0, end=24.0, height=0.18, bottom=0.75, leftwards=True),
            Pass(PLAYERS, start=19.0, end=29.0, height=0.2, bottom=0.9),
        ),
        directory=directory,
    )


def plates_clip(directory=None) -> Path:
    """5 s at a gate: the bus and the motorcycle drift by, UK plates AB12 CDE and GX19 WHN."""
    path = _clip_path("plates", 5, FRAME_SIZE, FPS, 0, directory)
    if path.is_file():
        return path
    plates = [render_plate(text, font, height) for text, font, height in PLATES]
    scene = two_vehicle_scene(*plates)[PLATES_ROWS[0] : PLATES_ROWS[1]]
    # Shrink the scene so that it, plus the margin it drifts across, fills the frame.
    (width, height), aspect = FRAME_SIZE, scene.shape[1] / scene.shape[0]
    margin = round((aspect * height - width) / (aspect - 1))
    scene = cv2.resize(scene, (width - margin, height - margin), interpolation=cv2.INTER_AREA)
    frames = moving_clip(scene, frames=5 * FPS, step=(1, 1), canvas_margin=margin)
    images = (frame.image for frame in frames)
    return _write_clip(path, images, FPS, FRAME_SIZE, 0)


def build_clip(
    name, seconds, passes=(), still=None, directory=None, fps=FPS, size=FRAME_SIZE, seed=0
) -> Path:
    """Compose a clip (or reuse the one already built with the same arguments)."""
    path = _clip_path(name, seconds, size, fps, seed, directory)
    if path.is_file():
        return path
    background = _crop(BUS_BACKGROUND, size)
    if still is not None:
        background = _crop(still, size)
    sprites = [(item, _sprite(item.region, round(item.height * size[1]))) for item in passes]

    def frames():
        for index in range(round(seconds * fps)):
            frame = background.copy()
            for item, sprite in sprites:
                _place(frame, item, sprite, index / fps)
            yield frame

    return _write_clip(path, frames(), fps, size, seed)


def clip_frames(path, start=None):
    """Yield a clip's frames as ``Frame``s timestamped on the video's own time line."""
    start = start or datetime(2026, 1, 1, tzinfo=timezone.utc)
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS) or FPS
    index = 0
    try:
        while True:
            ok, image = capture.read()
            if not ok:
                return
            yield Frame(image=image, index=index, timestamp=start + timedelta(seconds=index / fps))
            index += 1
    finally:
        capture.release()


def _clip_path(name, seconds, size, fps, seed, directory):
    """Where the clip built with these arguments is cached."""
    directory = Path(directory) if directory else cache_dir() / "clips"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / (
        f"{name}-v{CLIPS_VERSION}-{seconds}s-{size[0]}x{size[1]}-{fps}fps-{seed}.mp4"
    )


def _write_clip(path, images, fps, size, seed):
    """Write ``images`` with seeded sensor noise as mp4v, atomically, to ``path``."""
    random = np.random.default_rng(seed)
    partial = path.with_suffix(".partial.mp4")
    writer = cv2.VideoWriter(str(partial), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write mp4v video to {partial}")
    try:
        for image in images:
            noise = random.normal(0.0, NOISE_SIGMA, image.shape)
            writer.write(np.clip(image + noise, 0, 255).astype(np.uint8))
    finally:
        writer.release()
    partial.replace(path)
    return path


def _crop(region, size):
    """A region of a photograph resized to fill ``size``."""
    name, (x, y, width, height) = region
    image = cv2.imread(str(asset_path(name)))
    return cv2.resize(image[y : y + height, x : x + width], size, interpolation=cv2.INTER_AREA)


def _sprite(region, height):
    name, (x, y, width, crop_height) = region
    image = cv2.imread(str(asset_path(name)))[y : y + crop_height, x : x + width]
    scale = height / crop_height
    return cv2.resize(image, (round(width * scale), height), interpolation=cv2.INTER_AREA)


def _place(frame, item: Pass, sprite, seconds):
    """Paste the sprite where it is at ``seconds``: off screen before start and after end."""
    if not item.start <= seconds <= item.end:
        return
    frame_height, frame_width = frame.shape[:2]
    sprite_height, sprite_width = sprite.shape[:2]
    progress = (seconds - item.start) / (item.end - item.start)
    if item.leftwards:
        progress = 1.0 - progress
    left = round(-sprite_width + progress * (frame_width + sprite_width))
    top = round(item.bottom * frame_height) - sprite_height
    x0, x1 = max(0, left), min(frame_width, left + sprite_width)
    y0, y1 = max(0, top), min(frame_height, top + sprite_height)
    if x0 < x1 and y0 < y1:
        frame[y0:y1, x0:x1] = sprite[y0 - top : y1 - top, x0 - left : x1 - left]
