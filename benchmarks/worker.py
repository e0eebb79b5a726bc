"""Benchmark: naive YOLO on every frame v. the camera analyzer, on the same 60 s clip.

(a) naive: ultralytics predict on every frame at 640 (the weights' own size).
(b) ours:  CameraAnalyzer: motion-gated detection at 320, ByteTrack, MAX_FPS 5.
(c) ours with MOTION_REGIONS: detection on 320 crops around motion, IoU tracker.

Prints frames/s, CPU-seconds per video-minute, the recall of (b) against (a) on object
appearances (a class present in (a) over a contiguous run of frames; recalled when (b)
reported that class during the run), the recall cost of 320 v 640 input on the shipped
photographs, and the CPU share of a static camera analysed in real time.

On two clips: ``quiet`` (large objects) and ``distant`` (small, distant objects).

Run: .venv/bin/python benchmarks/worker.py [--clips distant] [--no-static]
(about 5 minutes on 2 cores)
"""

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2  # noqa: E402

from django_video_analytics.pipeline.analyzer import AnalyzerConfig, CameraAnalyzer  # noqa: E402
from django_video_analytics.pipeline.detectors import UltralyticsDetector  # noqa: E402
from django_video_analytics.pipeline.tracking import iou  # noqa: E402
from testing_media import clips  # noqa: E402

CONFIDENCE = 0.5  # the Camera default
# quiet: mostly still, large objects pass; distant: small objects (a few % of the frame).
CLIPS = {"quiet": clips.quiet_clip, "distant": clips.distant_clip}


def cpu_seconds():
    """CPU time of this process, every thread (onnxruntime runs several)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Run:
    """Wall and CPU time of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = cpu_seconds() - self.cpu


def naive(path):
    """Classes found on every frame by predict at 640."""
    detector = UltralyticsDetector(input_size=640)
    per_frame = []
    with Run() as run:
        for frame in clips.clip_frames(path):
            found = detector.detect(frame.image, confidence=CONFIDENCE)
            per_frame.append({d.class_name for d in found})
    return per_frame, run


def analyzed(path, input_size, regions=False):
    """Classes the analyzer has reported (its live tracked set) at every frame."""
    config = AnalyzerConfig(confidence=CONFIDENCE, motion_regions=regions)
    analyzer = CameraAnalyzer(config, UltralyticsDetector(input_size=input_size))
    per_frame, events = [], 0
    with Run() as run:
        for frame in clips.clip_frames(path):
            events += len(analyzer.process(frame))
            per_frame.append({d.class_name for d in analyzer.tracks.live_detections()})
    return per_frame, run, analyzer, events


def appearances(per_frame, bridge=0):
    """(class, first frame, last frame) for every run of a class in ``per_frame``.

    Gaps of up to ``bridge`` frames inside a run are detector flicker, not a new arrival.
    """
    runs, open_runs = [], {}  # class -> [first, last seen]
    for index, names in enumerate([*per_frame, *[set()] * (bridge + 1)]):
        for name in names:
            open_runs.setdefault(name, [index, index])[1] = index
        for name, (first, last) in list(open_runs.items()):
            if index - last > bridge:
                runs.append((name, first, last))
                del open_runs[name]
    return sorted(runs, key=lambda run: run[1])


def recall(reference, candidate, bridge=0, min_frames=1):
    """Share of the reference's appearances during which the candidate named the class."""
    spans = [span for span in appearances(reference, bridge) if span[2] - span[1] + 1 >= min_frames]
    hit = [
        span for span in spans if any(span[0] in candidate[i] for i in range(span[1], span[2] + 1))
    ]
    missed = [span for span in spans if span not in hit]
    return len(hit) / len(spans) if spans else 1.0, len(spans), missed


def photo_recall(input_size):
    """Objects found at 640 that are found again (same class, IoU >= 0.5) at input_size."""
    reference = UltralyticsDetector(input_size=640)
    candidate = UltralyticsDetector(input_size=input_size)
    found = total = 0
    for name in ("bus.jpg", "zidane.jpg"):
        image = cv2.imread(str(clips.asset_path(name)))
        truth = reference.detect(image, confidence=CONFIDENCE)
        seen = candidate.detect(image, confidence=CONFIDENCE)
        total += len(truth)
        found += sum(
            any(s.class_name == t.class_name and iou(s.box, t.box) >= 0.5 for s in seen)
            for t in truth
        )
    return found, total


def static_camera_share(size, fps, analyse=True, seconds=20):
    """CPU share of one core for a static camera played in real time (decode + analysis)."""
    path = clips.static_clip(seconds=seconds, size=size, fps=fps)
    analyzer = CameraAnalyzer(AnalyzerConfig(), UltralyticsDetector())
    with Run() as run:
        started = time.perf_counter()
        for frame in clips.clip_frames(path):
            if analyse:
                analyzer.process(frame)
            delay = started + (frame.index + 1) / fps - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
    return run.cpu / run.wall, analyzer.stats.detector_frames


def compare(path):
    """Naive 640 v the analyzer (320, 320 on motion regions, 640) on one clip."""
    frames = sum(1 for _ in clips.clip_frames(path))
    minutes = frames / clips.FPS / 60
    print(f"\nclip: {path.name}, {frames} frames, {minutes * 60:.0f} s at {clips.FPS} fps")

    reference, naive_run = naive(path)
    ours, ours_run, analyzer, events = analyzed(path, 320)
    regions, regions_run, regions_analyzer, _ = analyzed(path, 320, regions=True)
    ours640, ours640_run, _, _ = analyzed(path, 640)

    # Flicker of (a) shorter than half a second is bridged, and an "appearance" must last
    # half a second: a one-frame false positive of (a) is no object that (b) should report.
    half_second = clips.FPS // 2
    debounced = {"bridge": half_second, "min_frames": half_second + 1}
    print(f"\n{'':34}{'frames/s':>10}{'CPU-s/video-min':>17}{'recall':>9}{'strict':>9}")
    rows = [("(a) naive YOLO 640, every frame", naive_run, None)]
    for label, run, candidate in (
        ("(b) analyzer 320, motion+track", ours_run, ours),
        ("(c) analyzer 320, motion regions", regions_run, regions),
        ("    analyzer 640, motion+track", ours640_run, ours640),
    ):
        rows.append(
            (
                label,
                run,
                (recall(reference, candidate, **debounced)[0], recall(reference, candidate)[0]),
            )
        )
    for label, run, rates in rows:
        shown = f"{rates[0]:>9.1%}{rates[1]:>9.1%}" if rates else f"{'ref':>9}{'ref':>9}"
        print(f"{label:34}{frames / run.wall:>10.1f}{run.cpu / minutes:>17.1f}{shown}")

    rate, spans, missed = recall(reference, ours, **debounced)
    print(f"\nappearances in (a) (>= 0.5 s, flicker bridged): {spans}; missed by (b): {missed}")
    print(f"strict appearances (every run of frames) missed by (b): {recall(reference, ours)[2]}")
    print(
        f"(b) ran the detector on {analyzer.stats.detector_frames} of {frames} frames, "
        f"emitted {events} observations"
    )
    speedup = naive_run.wall / ours_run.wall
    cpu_ratio = naive_run.cpu / ours_run.cpu
    print(f"throughput ratio (b)/(a): {speedup:.1f}x (target >= 5x); CPU ratio {cpu_ratio:.1f}x")
    print(f"recall of (b) against (a): {rate:.1%} (target >= 95 %)")
    print(
        f"(c) ran the detector on {regions_analyzer.stats.detector_frames} frames in "
        f"{regions_analyzer.regions.runs} runs (crops); missed: "
        f"{recall(reference, regions, **debounced)[2]}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="+", choices=CLIPS, default=list(CLIPS))
    parser.add_argument("--no-static", action="store_true", help="skip photos and static share")
    args = parser.parse_args()
    for name in args.clips:
        compare(CLIPS[name]())
    if args.no_static:
        return

    for size in (320, 416):
        found, total = photo_recall(size)
        print(f"photos (bus.jpg + zidane.jpg): {size} finds {found}/{total} of 640's objects")

    for size, fps in (((640, 360), 15), ((1280, 720), 25)):
        share, ran = static_camera_share(size, fps)
        decode, _ = static_camera_share(size, fps, analyse=False)
        print(
            f"static camera in real time ({size[0]}x{size[1]} at {fps} fps): {share:.1%} of one"
            f" core (target < 5 %), of which decoding the file {decode:.1%}; "
            f"detector ran {ran} times"
        )


if __name__ == "__main__":
    main()
