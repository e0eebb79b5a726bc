"""Clips of real photo crops that follow known paths, for counting tests and benchmarks.

Like ``clips``, but each crop's bottom centre (where a person or vehicle touches the
ground) follows straight legs between waypoints ``(seconds, x, y)``, normalised to the
frame. The paths are the ground truth: where each object stood at every moment.
"""

import hashlib
from bisect import bisect_right
from dataclasses import dataclass

from .clips import BUS_BACKGROUND, FPS, FRAME_SIZE, _clip_path, _crop, _sprite, _write_clip


@dataclass(frozen=True)
class Walk:
    """A real crop, ``height`` of the frame tall, on screen from its first to its last waypoint."""

    region: tuple
    height: float
    waypoints: tuple[tuple[float, float, float], ...]

    def anchor(self, seconds: float) -> tuple[float, float] | None:
        """Where the bottom centre is at ``seconds``, or None while off the clip."""
        times = [t for t, _, _ in self.waypoints]
        if not times[0] <= seconds <= times[-1]:
            return None
        leg = min(bisect_right(times, seconds), len(times) - 1)
        (t0, x0, y0), (t1, x1, y1) = self.waypoints[leg - 1], self.waypoints[leg]
        share = (seconds - t0) / (t1 - t0) if t1 > t0 else 1.0
        return x0 + (x1 - x0) * share, y0 + (y1 - y0) * share


def walk_clip(name, seconds, walks, directory=None, fps=FPS, size=FRAME_SIZE, seed=0):
    """Compose a clip of ``walks`` over the still facade (reused when already built)."""
    digest = hashlib.sha1(repr((walks, seconds)).encode()).hexdigest()[:10]
    path = _clip_path(f"{name}-{digest}", seconds, size, fps, seed, directory)
    if path.is_file():
        return path
    background = _crop(BUS_BACKGROUND, size)
    sprites = [(walk, _sprite(walk.region, round(walk.height * size[1]))) for walk in walks]

    def frames():
        for index in range(round(seconds * fps)):
            frame = background.copy()
            for walk, sprite in sprites:
                anchor = walk.anchor(index / fps)
                if anchor is not None:
                    _paste(frame, sprite, anchor)
            yield frame

    return _write_clip(path, frames(), fps, size, seed)


def _paste(frame, sprite, anchor):
    """Paste ``sprite`` with its bottom centre at the normalised ``anchor``, cut at the edges."""
    frame_height, frame_width = frame.shape[:2]
    sprite_height, sprite_width = sprite.shape[:2]
    left = round(anchor[0] * frame_width - sprite_width / 2)
    top = round(anchor[1] * frame_height) - sprite_height
    x0, x1 = max(0, left), min(frame_width, left + sprite_width)
    y0, y1 = max(0, top), min(frame_height, top + sprite_height)
    if x0 < x1 and y0 < y1:
        frame[y0:y1, x0:x1] = sprite[y0 - top : y1 - top, x0 - left : x1 - left]
