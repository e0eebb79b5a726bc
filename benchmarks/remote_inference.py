"""Benchmark: the remote detector backend (KServe v2) with and without batching v. local.

Starts MLServer (.server-venv) and KServe's model server (.kserve-venv), both made by
scripts/inference_server.sh, serving the shipped YOLOv8n at 320, then runs the same frames
of the objects clip through:
  local   OnnxRuntimeDetector in this process (one frame per call);
  remote  RemoteDetector over gRPC and HTTP JSON (MLServer; it has no binary extension)
          and HTTP binary tensors (KServe), batch 1, 4 and 8 (``detect_batch``);
  cameras ``--cameras`` threads each detecting its share of the frames one at a time, as
          a worker's cameras do: "in turn" (one backend per camera behind the worker's
          lock, the path of a backend that cannot batch) against "batched" (one backend
          shared through ``InferenceBatcher``: what is pending goes in one call), locally
          and over gRPC, and with the default ultralytics backend (in this process); the
          mean batch size seen is printed beside.
Prints frames/s, the ratio to local, and the worker's own CPU ms per frame (what a worker
host still spends when inference runs elsewhere). Server and client share this machine's
cores here, so the figures show protocol and batching costs, not a GPU server's speed.

Run: .venv/bin/python benchmarks/remote_inference.py [--frames 48]   (about 2 minutes)
"""

import argparse
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django_video_analytics.pipeline.batching import InferenceBatcher  # noqa: E402
from django_video_analytics.pipeline.detectors import (  # noqa: E402
    OnnxRuntimeDetector,
    UltralyticsDetector,
)
from django_video_analytics.pipeline.remote_inference import (  # noqa: E402
    InferenceServerError,
    RemoteDetector,
)
from django_video_analytics.workers.detectors import SerialDetector  # noqa: E402
from testing_media import clips  # noqa: E402
from tests.inference_server.server import InferenceServer, KServeServer  # noqa: E402

CONFIDENCE = 0.5


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(detect_batch, images, batch):
    """Frames/s and this process's CPU ms per frame for ``images`` in batches of ``batch``."""
    detect_batch(images[:batch])  # warm up: connections, metadata, first inference
    wall, cpu = time.perf_counter(), cpu_seconds()
    for start in range(0, len(images), batch):
        detect_batch(images[start : start + batch])
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    return len(images) / wall, 1000 * cpu / len(images)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--cameras", type=int, default=4, help="camera threads (cross-camera)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = clips.objects_clip(Path(scratch))
        frames = [frame.image for frame in clips.clip_frames(path)]
        images = [frames[i % len(frames)] for i in range(0, 3 * args.frames, 3)]
        server = InferenceServer(Path(scratch) / "repository", input_size=320).start()
        kserve_folder = Path(scratch) / "kserve"
        kserve_folder.mkdir()
        model_file = server.folder / "yolov8n" / "1" / "model.onnx"
        kserve = KServeServer(kserve_folder, model_file).start()
        try:
            local = OnnxRuntimeDetector(input_size=320)
            rows = [("local onnxruntime", 1, *measure(_singles(local), images, 1))]
            grpc = {"url": server.grpc_url, "protocol": "grpc", "timeout": 60}
            for name, build in (
                ("local", lambda: OnnxRuntimeDetector(input_size=320)),
                ("ultralytics", lambda: UltralyticsDetector(input_size=320)),
                ("gRPC (MLServer)", lambda: RemoteDetector(**grpc)),
            ):
                for batched in (False, True):
                    rows.append(cameras(name, build, images, args.cameras, batched))
            for name, protocol, url, binary in (
                ("gRPC (MLServer)", "grpc", server.grpc_url, False),
                ("HTTP JSON (MLServer)", "http", server.http_url, False),
                ("HTTP binary (KServe)", "http", kserve.http_url, True),
            ):
                remote = RemoteDetector(url=url, protocol=protocol, http_binary=binary, timeout=60)
                for batch in (1, 4, 8):
                    try:
                        figures = measure(_batched(remote), images, batch)
                    except InferenceServerError as exc:
                        print(f"{name} batch {batch} failed: {exc}")
                        continue
                    rows.append((name, batch, *figures))
        finally:
            kserve.stop()
            server.stop()
    base = rows[0][2]
    print(f"{len(images)} frames of {images[0].shape[1]}x{images[0].shape[0]}, input 320")
    print(f"{'backend':<36}{'batch':>6}{'frames/s':>10}{'x local':>9}{'worker CPU ms/frame':>21}")
    for name, batch, fps, cpu_ms in rows:
        print(f"{name:<36}{batch:>6}{fps:>10.1f}{fps / base:>9.2f}{cpu_ms:>21.1f}")


def cameras(name, build, images, count, batched):
    """A row for ``count`` camera threads detecting ``images`` one at a time (see above).

    Its batch column is the mean number of frames per model call (1 in turn).
    """
    if batched:
        batcher = InferenceBatcher(build())
        detectors = [batcher.for_camera() for _ in range(count)]
    else:
        lock = threading.Lock()
        detectors = [SerialDetector(build(), lock) for _ in range(count)]
    shares = [images[index::count] for index in range(count)]
    for detector, share in zip(detectors, shares, strict=True):
        detector.detect(share[0], confidence=CONFIDENCE)  # warm up
    if batched:
        batcher.batch_sizes.clear()
    threads = [
        threading.Thread(target=_singles(detector), args=(share,))
        for detector, share in zip(detectors, shares, strict=True)
    ]
    wall, cpu = time.perf_counter(), cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    mean = 1.0
    if batched:
        batcher.close()
        calls = sum(batcher.batch_sizes.values())
        mean = sum(size * n for size, n in batcher.batch_sizes.items()) / calls
    label = f"{name}, {count} cameras {'batched' if batched else 'in turn'}"
    return (label, round(mean, 2), len(images) / wall, 1000 * cpu / len(images))


def _singles(detector):
    return lambda images: [detector.detect(image, confidence=CONFIDENCE) for image in images]


def _batched(detector):
    return lambda images: detector.detect_batch(images, confidence=CONFIDENCE)


if __name__ == "__main__":
    main()
