"""Plate reading per vehicle: voting over a clip against single-frame reads.

Renders plates (random text of five regional formats, two fonts, 28-52 px high, angles,
blur and noise) onto the real vehicle photos that ship in installed wheels, slides each
scene across a few frames, finds and tracks the vehicle with the real detector, and runs
``PlateReadingStage`` with each localiser order over the same detections:

    .venv/bin/python benchmarks/anpr.py [--clips 30] [--frames 6] [--fonts a,b]
        [--orders cascade,text text,cascade detector,cascade,text]

Prints, per order, exact-plate accuracy per vehicle after voting, the single-frame accuracy
(each attempted frame's own best read, a frame without a read counting as a miss) and the
stage's milliseconds per vehicle (OCR and localisation; the detector is not counted).
"""

import argparse
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django_video_analytics.pipeline.anpr.localize import build_localizers  # noqa: E402
from django_video_analytics.pipeline.anpr.reader import EasyOCRPlateReader  # noqa: E402
from django_video_analytics.pipeline.anpr.stage import PlateReadingStage  # noqa: E402
from django_video_analytics.pipeline.detectors import OnnxRuntimeDetector  # noqa: E402
from testing_media.plates import (  # noqa: E402
    PHOTOS,
    WHITE,
    YELLOW,
    mount_plate,
    moving_clip,
    render_plate,
)

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
DIGITS = "0123456789"
# Shapes per preset: L a letter, N a digit, space a separator printed on the plate.
SHAPES = {
    "uk": "LLNN LLL",
    "in": "LLNNLLNNNN",
    "br": "LLLNLNN",
    "eu": "LL-NNN-LL",
    "us": "NLLLNNN",
}
VEHICLE_CLASSES = ("car", "truck", "bus", "motorcycle")
TARGET_ACCURACY = 0.90


def plate_text(shape, rng):
    return "".join(
        rng.choice(LETTERS) if c == "L" else rng.choice(DIGITS) if c == "N" else c for c in shape
    )


def make_cases(count, frames, fonts, seed=7):
    """``count`` varied clips: (description, expected plate, preset, frames)."""
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        preset = sorted(SHAPES)[index % len(SHAPES)]
        text = plate_text(SHAPES[preset], rng)
        photo = PHOTOS["bus" if index % 2 else "motorcycle"]
        font = fonts[(index // 2) % len(fonts)]
        height = rng.choice([30, 36, 44, 52]) if photo.name == "bus" else rng.choice([28, 32, 36])
        angle = rng.uniform(-6, 6)
        blur = rng.choice([0, 0, 3, 5])
        noise = rng.choice([0.0, 3.0, 6.0, 9.0])
        colour = YELLOW if preset == "uk" and rng.random() < 0.5 else WHITE
        plate = render_plate(text, font, height, colour)
        scene = mount_plate(photo.load(), plate, photo.plate_centre, angle)
        clip = moving_clip(scene, frames=frames, start=index * 100, blur=blur, noise=noise)
        description = (
            f"{photo.name:10s} {preset} {text:12s} {font:11s} h={height} "
            f"angle={angle:+.1f} blur={blur} noise={noise:.0f}"
        )
        cases.append((description, text.replace(" ", "").replace("-", ""), preset, clip))
    return cases


def tracked_vehicles(clip):
    """The real detector and tracker over the clip: vehicle detections per frame."""
    detector = OnnxRuntimeDetector(input_size=640)  # a fresh tracker per clip
    return [
        [d for d in detector.track(frame.image, confidence=0.4) if d.class_name in VEHICLE_CLASSES]
        for frame in clip
    ]


def run_order(order, cases, detections, reader):
    exact_votes = exact_frames = attempts = vehicles = 0
    seconds = 0.0
    misses = []
    for (description, expected, preset, clip), per_frame in zip(cases, detections, strict=True):
        camera = SimpleNamespace(enable_anpr=True, plate_format=preset)
        stage = PlateReadingStage(camera, reader=reader, localizers=build_localizers(order, reader))
        started = time.perf_counter()
        results = []  # a decisive vote reports from update(), the rest from flush()
        for frame, found in zip(clip, per_frame, strict=True):
            for detection in found:
                results += stage.update(detection, frame)
        seconds += time.perf_counter() - started
        tracks = dict(stage.tracks)
        results += stage.flush()
        # The vehicle is the track read most often (a stray second track reads nothing).
        track_id = max(tracks, key=lambda t: tracks[t].attempts, default=None)
        vehicles += 1
        if track_id is None:
            misses.append(f"  no vehicle track: {description}")
            continue
        track = tracks[track_id]
        attempts += track.attempts
        exact_frames += sum(c.text == expected for c in track.voter.candidates)
        voted = [r.payload.license_plate for r in results if r.track_id == track_id]
        if voted == [expected]:
            exact_votes += 1
        else:
            misses.append(f"  voted {voted or '-'} for {expected}: {description}")
    return {
        "voted": exact_votes / vehicles,
        "single": exact_frames / attempts if attempts else 0.0,
        "ms_per_vehicle": seconds * 1000 / vehicles,
        "misses": misses,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=30)
    parser.add_argument("--frames", type=int, default=6)
    parser.add_argument(
        "--fonts",
        default="dejavu-bold,dejavu-mono",
        help="comma-separated: dejavu-bold, dejavu-mono (TrueType from the matplotlib wheel), "
        "duplex, simplex (OpenCV Hershey)",
    )
    parser.add_argument(
        "--orders",
        nargs="+",
        default=["cascade,text", "text,cascade", "detector,cascade,text"],
    )
    args = parser.parse_args()

    reader = EasyOCRPlateReader()
    started = time.perf_counter()
    reader.model  # noqa: B018  (load once, outside the timings)
    print(f"EasyOCR model loaded in {time.perf_counter() - started:.1f} s")
    cases = make_cases(args.clips, args.frames, args.fonts.split(","))
    started = time.perf_counter()
    detections = [tracked_vehicles(clip) for _d, _e, _p, clip in cases]
    print(
        f"{len(cases)} clips x {args.frames} frames; detector+tracker "
        f"{(time.perf_counter() - started) * 1000 / len(cases):.0f} ms per clip (not counted)"
    )
    for order in args.orders:
        names = order.split(",")
        figures = run_order(names, cases, detections, reader)
        ratio = figures["voted"] / max(figures["single"], 1e-9)
        print(
            f"\nlocalisers {' > '.join(names)}:\n"
            f"  exact per vehicle after voting: {figures['voted']:.1%}\n"
            f"  exact single-frame reads:       {figures['single']:.1%}\n"
            f"  voting / single-frame ratio:    {ratio:.2f}\n"
            f"  stage time per vehicle:         {figures['ms_per_vehicle']:.0f} ms "
            f"({args.frames} frames)\n"
            f"  target >= {TARGET_ACCURACY:.0%} after voting: "
            f"{'met' if figures['voted'] >= TARGET_ACCURACY else 'NOT met'}"
        )
        for line in figures["misses"]:
            print(line)


if __name__ == "__main__":
    main()
