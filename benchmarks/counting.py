"""Line counting: our ``ZoneCounter`` against supervision's ``LineZone``, same tracks.

    .venv/bin/python benchmarks/counting.py [--synthetic 300] [--seed 5] [--no-clips]

Every scene is a line and objects whose anchor (bottom centre) walks known waypoints. The
same tracked detections go to ``ZoneCounter`` (bottom-centre anchor, 0.03 hysteresis) and
to supervision 0.31.2 ``LineZone``: its defaults (the four box corners trigger,
minimum_crossing_threshold=1), the bottom centre only like ours, and the bottom centre with
3 frames on the new side (its own guard against jitter). Scenes:

- clips: real photo crops walked along the paths (``pipeline.path_clips``), detected and
  tracked by YOLOv8n + ByteTrack at 5 fps, the analyzer's default;
- synthetic: random walks at 5 fps with a detector's box noise and missed frames, some
  hovering on the line, some passing beside its end;
- jitter: objects standing on the line, their anchor swinging across it by less than the
  hysteresis (truth: no crossing, or the one crossing when they finally walk on).

Truth: a crossing wherever the path goes from one side of the line (at least 0.05 away)
to the other through the segment, dated by its last passage. A reported crossing matches
a true one of the object its track follows (the path its boxes stay nearest to) within
1.5 s. Prints precision and recall of crossings,
the share of matched crossings reported with the right direction, and the cost per frame.
"""

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from math import cos, hypot, pi, sin
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django_video_analytics.pipeline.types import Detection  # noqa: E402
from django_video_analytics.pipeline.zones import (  # noqa: E402
    IN,
    OUT,
    LineSpec,
    ZoneCounter,
    ZoneSpec,
    anchor_point,
)
from django_video_analytics.pipeline.zones.geometry import (  # noqa: E402
    crossing_parameter,
    side_of_line,
)

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
FPS = 5  # analysed frames per second, the analyzer's default max_fps
CLEAR = 0.05  # how far from the line a waypoint must be to be on a side
MATCH_SECONDS = 1.5
PERSON_SIZE = (0.08, 0.3)  # a synthetic person's box, normalised width and height


@dataclass
class Scene:
    name: str
    group: str
    line: LineSpec
    paths: list  # per object: waypoints (seconds, x, y) of its anchor
    frames: list = field(default_factory=list)  # (seconds, [Detection]) as tracked
    clip: bool = False  # tracked by the real detector on a rendered clip

    def truth(self):
        """(seconds, object, direction) of every true crossing."""
        return [
            (seconds, number, direction)
            for number, path in enumerate(self.paths)
            for seconds, direction in true_crossings(path, self.line)
        ]

    def owners(self):
        """Which object each track id follows: the path its anchors stay nearest to."""
        distances = {}
        for seconds, detections in self.frames:
            for detection in detections:
                x, y = anchor_point(detection.box)
                for number, path in enumerate(self.paths):
                    where = position(path, seconds)
                    gap = 1.0 if where is None else hypot(x - where[0], y - where[1])
                    distances.setdefault(detection.track_id, {}).setdefault(number, []).append(gap)
        return {
            track_id: min(per_object, key=lambda n: sum(per_object[n]) / len(per_object[n]))
            for track_id, per_object in distances.items()
        }


def true_crossings(path, line):
    """(seconds, direction) of each passage from one clear side to the other."""
    start, end = line.points
    sign = 1 if line.in_side == "left" else -1
    clear = [
        (i, 1 if sign * side_of_line((x, y), start, end) > 0 else -1)
        for i, (_, x, y) in enumerate(path)
        if abs(side_of_line((x, y), start, end)) >= CLEAR
    ]
    crossings = []
    for (i, before), (j, after) in zip(clear, clear[1:], strict=False):
        if before == after:
            continue
        for k in range(j - 1, i - 1, -1):  # the last passage between the two
            (t0, x0, y0), (t1, x1, y1) = path[k], path[k + 1]
            fraction = crossing_parameter((x0, y0), (x1, y1), start, end)
            if fraction is None:
                continue
            if 0.0 <= fraction <= 1.0:
                d0 = side_of_line((x0, y0), start, end)
                d1 = side_of_line((x1, y1), start, end)
                seconds = t0 + (t1 - t0) * d0 / (d0 - d1)
                crossings.append((seconds, IN if after > 0 else OUT))
            break
    return crossings


def position(path, seconds):
    """Where the anchor is at ``seconds`` along its waypoints, or None off the path."""
    if not path[0][0] <= seconds <= path[-1][0]:
        return None
    for (t0, x0, y0), (t1, x1, y1) in zip(path, path[1:], strict=False):
        if t0 <= seconds <= t1:
            share = (seconds - t0) / (t1 - t0) if t1 > t0 else 1.0
            return x0 + (x1 - x0) * share, y0 + (y1 - y0) * share
    return path[-1][1:]


# -- the methods ---------------------------------------------------------------------------


def run_ours(scene):
    counter = ZoneCounter([scene.line])
    reported, elapsed = [], 0.0
    for seconds, detections in scene.frames:
        now = START + timedelta(seconds=seconds)
        started = time.perf_counter()
        events = [
            event
            for detection in detections
            for event in counter.observe(
                detection.track_id, detection.class_name, detection.box, now
            )
        ]
        elapsed += time.perf_counter() - started
        reported += [(seconds, event.track_id, event.direction) for event in events]
    return reported, elapsed


def run_supervision(scene, anchors, threshold=1):
    import supervision as sv

    (x0, y0), (x1, y1) = scene.line.points
    if scene.line.in_side == "right":  # supervision's "in" is the left of start -> end
        (x0, y0), (x1, y1) = (x1, y1), (x0, y0)
    zone = sv.LineZone(
        start=sv.Point(x0, y0),
        end=sv.Point(x1, y1),
        triggering_anchors=anchors,
        minimum_crossing_threshold=threshold,
    )
    reported, elapsed = [], 0.0
    for seconds, detections in scene.frames:
        if detections:
            boxes = np.array([(x, y, x + w, y + h) for x, y, w, h in (d.box for d in detections)])
            batch = sv.Detections(
                xyxy=boxes,
                class_id=np.zeros(len(detections), int),
                tracker_id=np.array([d.track_id for d in detections]),
            )
        else:
            batch = sv.Detections.empty()
        started = time.perf_counter()
        crossed_in, crossed_out = zone.trigger(batch)
        elapsed += time.perf_counter() - started
        for detection, went_in, went_out in zip(detections, crossed_in, crossed_out, strict=False):
            if went_in or went_out:
                reported.append((seconds, detection.track_id, IN if went_in else OUT))
    return reported, elapsed


def methods():
    import supervision as sv

    corners = (
        sv.Position.TOP_LEFT,
        sv.Position.TOP_RIGHT,
        sv.Position.BOTTOM_LEFT,
        sv.Position.BOTTOM_RIGHT,
    )
    bottom = (sv.Position.BOTTOM_CENTER,)
    return {
        "ours (bottom centre, 0.03)": run_ours,
        "supervision (4 corners)": lambda scene: run_supervision(scene, corners),
        "supervision (bottom centre)": lambda scene: run_supervision(scene, bottom),
        "supervision (bottom, 3 frames)": lambda scene: run_supervision(scene, bottom, 3),
    }


def match(reported, truth, owners):
    """(true positives, of which with the right direction): same object, nearest in time."""
    pairs = sorted(
        (abs(r[0] - t[0]), i, j)
        for i, r in enumerate(reported)
        for j, t in enumerate(truth)
        if owners.get(r[1]) == t[1] and abs(r[0] - t[0]) <= MATCH_SECONDS
    )
    used_r, used_t, right = set(), set(), 0
    for _, i, j in pairs:
        if i in used_r or j in used_t:
            continue
        used_r.add(i)
        used_t.add(j)
        right += reported[i][2] == truth[j][2]
    return len(used_r), right


# -- the scenes ----------------------------------------------------------------------------


def clip_scenes():
    """Real crops walked along paths, detected and tracked by YOLOv8n + ByteTrack at 5 fps."""
    from django_video_analytics.pipeline.clips import PERSON, clip_frames
    from django_video_analytics.pipeline.detectors import UltralyticsDetector
    from django_video_analytics.pipeline.path_clips import Walk, walk_clip

    gate = LineSpec("gate", ((0.5, 0.3), (0.5, 1.0)))
    short = LineSpec("short", ((0.5, 0.3), (0.5, 0.85)))  # feet pass below its end
    kerb = LineSpec("kerb", ((0.05, 0.75), (0.95, 0.75)))
    shuffle = [(1.0 + 0.2 * i, 0.5 + (0.015 if i % 2 else -0.015), 0.95) for i in range(11)]
    still = [(0.2 * i, 0.5 + (0.02 if i % 2 else -0.02), 0.95) for i in range(21)]
    layouts = [
        ("walks right", "clips", gate, 3.0, [[(0, 0.3, 0.95), (2.8, 0.72, 0.95)]]),
        ("walks left", "clips", gate, 3.0, [[(0, 0.72, 0.95), (2.8, 0.3, 0.95)]]),
        (
            "there and back",
            "clips",
            gate,
            4.8,
            [[(0, 0.35, 0.95), (2.0, 0.65, 0.95), (2.6, 0.65, 0.95), (4.6, 0.35, 0.95)]],
        ),
        (
            "two at once",
            "clips",
            kerb,
            2.4,
            [[(0.2, 0.25, 0.52), (2.2, 0.25, 0.98)], [(0.2, 0.75, 0.98), (2.2, 0.75, 0.52)]],
        ),
        ("beside the end", "clips", short, 3.0, [[(0, 0.3, 0.95), (2.8, 0.72, 0.95)]]),
        ("hovers, crosses", "jitter", gate, 4.2, [[(0, 0.35, 0.95), *shuffle, (4.0, 0.65, 0.95)]]),
        ("hovers, returns", "jitter", gate, 4.2, [[(0, 0.35, 0.95), *shuffle, (4.0, 0.35, 0.95)]]),
        ("stands on the line", "jitter", gate, 4.2, [still]),
    ]
    scenes = []
    for name, group, line, seconds, paths in layouts:
        height = 0.5 if line is kerb else 0.7
        walks = [Walk(PERSON, height, tuple(path)) for path in paths]
        clip = walk_clip(f"bench-{name.replace(' ', '-').replace(',', '')}", seconds, walks)
        detector = UltralyticsDetector()  # a fresh ByteTrack per clip
        scene = Scene(name, group, line, paths, clip=True)
        for frame in clip_frames(clip):
            if frame.index % 3 == 0:  # 15 fps clips analysed at 5 fps
                tracked = detector.track(frame.image, classes=("person",), confidence=0.5)
                scene.frames.append((frame.index / 15, tracked))
        scenes.append(scene)
    return scenes


def synthetic_scenes(count, rng):
    """Random lines and walks, some hovering; tracks with box noise and missed frames."""
    scenes = []
    for number in range(count):
        line = random_line(rng)
        paths = [random_walk(line, rng) for _ in range(rng.choice((1, 1, 2, 3)))]
        scenes.append(track(Scene(f"random {number}", "synthetic", line, paths), rng))
    for number in range(count // 10):
        line = random_line(rng)
        paths = [standing_on(line, rng, walks_on=number % 3 == 0)]
        scenes.append(track(Scene(f"standing {number}", "jitter", line, paths), rng))
    return scenes


def random_line(rng):
    angle, length = rng.uniform(0, pi), rng.uniform(0.3, 0.7)
    cx, cy = rng.uniform(0.35, 0.65), rng.uniform(0.35, 0.65)
    dx, dy = cos(angle) * length / 2, sin(angle) * length / 2
    return LineSpec("line", ((cx - dx, cy - dy), (cx + dx, cy + dy)))


def on_line(line, along, offset):
    """The point ``along`` the line (0..1, beyond on its extension), ``offset`` to its left."""
    (x0, y0), (x1, y1) = line.points
    length = hypot(x1 - x0, y1 - y0)
    nx, ny = (y1 - y0) / length, -(x1 - x0) / length  # the left normal on the image
    x, y = x0 + (x1 - x0) * along + nx * offset, y0 + (y1 - y0) * along + ny * offset
    return min(max(x, 0.02), 0.98), min(max(y, 0.1), 0.98)


def random_walk(line, rng):
    """2-4 waypoints on random sides, sometimes beside the segment, hovering at times."""
    seconds, path = rng.uniform(0, 2), []
    side = rng.choice((-1, 1))
    for _ in range(rng.randint(2, 4)):
        point = on_line(line, rng.uniform(-0.3, 1.3), side * rng.uniform(0.08, 0.3))
        if path:
            last = path[-1][1:]
            if rng.random() < 0.3:  # hover at the line on the way
                along = rng.uniform(0.1, 0.9)
                seconds, path = hover(line, along, seconds, path, rng)
                last = path[-1][1:]
            speed = rng.uniform(0.08, 0.3)
            seconds += hypot(point[0] - last[0], point[1] - last[1]) / speed
        path.append((seconds, *point))
        seconds += rng.choice((0, 0, rng.uniform(0.5, 2)))  # sometimes a pause
        if path[-1][0] != seconds:
            path.append((seconds, *point))
        side = -side if rng.random() < 0.75 else side
    return path


def hover(line, along, seconds, path, rng):
    """Walk to the line and shuffle across it, less than the hysteresis either side."""
    amplitude = rng.uniform(0.005, 0.02)
    x, y = path[-1][1:]
    target = on_line(line, along, 0)
    seconds += hypot(target[0] - x, target[1] - y) / rng.uniform(0.1, 0.3)
    for step in range(rng.randint(5, 15)):
        offset = amplitude if step % 2 else -amplitude
        path.append((seconds, *on_line(line, along, offset)))
        seconds += 1 / FPS
    return seconds, path


def standing_on(line, rng, walks_on):
    """Someone standing on the line, swaying across it; perhaps walking on at the end."""
    along, side = rng.uniform(0.2, 0.8), rng.choice((-1, 1))
    path = [(0.0, *on_line(line, along, side * 0.15))]
    seconds, path = hover(line, along, 0.0, path, rng)
    end = on_line(line, along, (-side if walks_on else side) * 0.15)
    path.append((seconds + 1.0, *end))
    return path


def track(scene, rng, noise=0.002, miss=0.05):
    """Sample the paths at 5 fps as tracked boxes with noise; a few frames are missed."""
    width, height = PERSON_SIZE
    end = max(path[-1][0] for path in scene.paths)
    for index in range(int(end * FPS) + 2):
        seconds, detections = index / FPS, []
        for track_id, path in enumerate(scene.paths, 1):
            anchor = position(path, seconds)
            if anchor is None or rng.random() < miss:
                continue
            w, h = width + rng.gauss(0, noise), height + rng.gauss(0, noise)
            x, y = anchor[0] + rng.gauss(0, noise), anchor[1] + rng.gauss(0, noise)
            detections.append(Detection("person", 0.8, (x - w / 2, y - h, w, h), track_id))
        scene.frames.append((seconds, detections))
    return scene


# -- the report ----------------------------------------------------------------------------


def report(scenes, runners):
    groups = sorted({scene.group for scene in scenes}, key=("clips", "synthetic", "jitter").index)
    header = f"{'':30}{'true':>6}{'reported':>10}{'precision':>11}{'recall':>8}{'direction':>11}"
    for group in groups:
        members = [scene for scene in scenes if scene.group == group]
        truth = sum(len(scene.truth()) for scene in members)
        frames = sum(len(scene.frames) for scene in members)
        print(f"\n{group}: {len(members)} scenes, {frames} frames, {truth} true crossings")
        print(header)
        for label, run in runners.items():
            reported = hits = right = 0
            for scene in members:
                crossings, _ = run(scene)
                found, correct = match(crossings, scene.truth(), scene.owners())
                reported, hits, right = reported + len(crossings), hits + found, right + correct
            precision = hits / reported if reported else 1.0
            recall = hits / truth if truth else 1.0
            direction = right / hits if hits else 1.0
            print(
                f"{label:30}{truth:>6}{reported:>10}{precision:>11.1%}{recall:>8.1%}"
                f"{direction:>11.1%}"
            )


def report_clips(scenes, runners):
    """One row per clip: true crossings, then reported/matched per method."""
    clips = [scene for scene in scenes if scene.paths and scene.frames and scene.clip]
    if not clips:
        return
    columns = [f"#{number}" for number in range(1, len(runners) + 1)]
    legend = ", ".join(f"{c} {label}" for c, label in zip(columns, runners, strict=True))
    print(f"\nper clip: true crossings, then reported/matched by {legend}")
    print(f"{'':22}{'true':>5}" + "".join(f"{c:>9}" for c in columns))
    for scene in clips:
        cells = []
        for run in runners.values():
            crossings, _ = run(scene)
            found, _ = match(crossings, scene.truth(), scene.owners())
            cells.append(f"{len(crossings)}/{found}")
        print(f"{scene.name:22}{len(scene.truth()):>5}" + "".join(f"{c:>9}" for c in cells))


def report_cost(scenes, runners):
    frames = sum(len(scene.frames) for scene in scenes)
    observations = sum(len(d) for scene in scenes for _, d in scene.frames)
    print(f"\ncost on these tracks ({frames} frames, {observations} tracked boxes), one line:")
    for label, run in runners.items():
        elapsed = sum(run(scene)[1] for scene in scenes)
        print(f"{label:30}{elapsed / frames * 1e6:>8.1f} us/frame")
    print(f"\n{load_cost():.0f} us/frame for 20 tracks against 4 lines and 4 zones of 8 points")


def load_cost(tracks=20, frames=500, seed=1):
    """Microseconds per frame of ``ZoneCounter`` under a busier camera's load."""
    rng = random.Random(seed)
    lines = [random_line(rng) for _ in range(4)]
    lines = [LineSpec(f"line {i}", line.points) for i, line in enumerate(lines)]
    octagon = [(0.5 + 0.2 * cos(i * pi / 4), 0.5 + 0.2 * sin(i * pi / 4)) for i in range(8)]
    zones = [ZoneSpec(f"zone {i}", tuple(octagon), loiter_seconds=30) for i in range(4)]
    counter = ZoneCounter(lines + zones)
    walks = [(rng.random(), rng.random(), rng.uniform(-0.01, 0.01)) for _ in range(tracks)]
    started = time.perf_counter()
    for index in range(frames):
        now = START + timedelta(seconds=index / FPS)
        for track_id, (x, y, speed) in enumerate(walks):
            anchor_x = (x + speed * index) % 1.0
            counter.observe(track_id, "person", (anchor_x - 0.04, y - 0.3, 0.08, 0.3), now)
    return (time.perf_counter() - started) / frames * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=300, help="random scenes")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-clips", action="store_true", help="skip the detector clips")
    options = parser.parse_args()
    import supervision

    print(f"supervision {supervision.__version__}, {FPS} analysed frames per second")
    rng = random.Random(options.seed)
    scenes = [] if options.no_clips else clip_scenes()
    scenes += synthetic_scenes(options.synthetic, rng)
    runners = methods()
    report(scenes, runners)
    report_clips(scenes, runners)
    report_cost(scenes, runners)


if __name__ == "__main__":
    main()
