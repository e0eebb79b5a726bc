"""Live capacity: how many 720p RTSP cameras one ``run_camera_worker --all`` holds.

    .venv/bin/python benchmarks/live.py --seconds 60 --cameras 2 3 4 5 6

For each N: N real RTSP streams on loopback (rtsp-server-perl fed by ffmpeg, 1280x720 at
25 fps H.264, sent as encoded once so the senders cost no CPU), every third one static, the
others the street clip looped (real photographs of people and a bus, always moving). The
worker of ``run_camera_worker --all`` (``CameraWorker``) runs in this process over a fresh
SQLite database and an embedded Redis (or ``REDIS_URL``) with default settings (or with
``--motion-regions``); once every camera has analysed a frame (a moving one has run its
lazily loaded detector) and ``--warmup`` seconds more have passed, it is measured for
``--seconds``. ``--backend onnxruntime`` (or ``remote`` with ``INFERENCE_URL`` in the
environment) runs a batching backend instead of the default ultralytics one. Per camera:

- decoded: frames decoded by the source; dropped: decoded but never handed to the analysis
  (beyond ``ANALYSIS_FPS``, or while the analysis was busy);
- det/s: detector runs per second (moving cameras: the clip always moves);
- lag p95: capture (decoded) to analysed, over every analysed frame; event p95: an event's
  frame time to its publication (the Redis entry id's time);
- CPU: the camera's decode thread (``dec``) and analysis thread (``ana``) in % of one core;
  FFmpeg's own decoding threads and onnxruntime's inference threads are shared and
  counted in the process total, and per camera-second on the summary line.

Then the batch sizes seen (frames per inference call -> calls) when the backend batches.

N holds when every moving camera gets >= 5 detector runs/s (within 2 %: ``MAX_FPS`` 5 is
the cap), lag p95 < 1 s and the lag of
the last third of the window is not above the first third's by more than 0.25 s (no
growing backlog). The search stops at the first N that does not hold.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from tests.workers.streams import free_port, wait_for_port  # noqa: E402

TARGET_DETECTOR_FPS = 5.0
# MAX_FPS caps the detector at exactly the target, and the window's edges cut a run: a
# camera at 4.95 runs/s over 30 s (one run short) is at the cap, not below it.
RATE_TOLERANCE = 0.02
TARGET_LAG_P95 = 1.0
BACKLOG_GROWTH = 0.25
STATIC_EVERY = 3  # every third camera is static
FIRST_FRAME_TIMEOUT = 60.0  # for every camera to analyse its first frame; then the warm-up


BACKENDS = {
    "ultralytics": "django_video_analytics.pipeline.detectors.UltralyticsDetector",
    "onnxruntime": "django_video_analytics.pipeline.detectors.OnnxRuntimeDetector",
    "remote": "django_video_analytics.pipeline.remote_inference.RemoteDetector",
}


def configure(workdir, motion_regions, backend):
    from django.conf import settings

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        from django_video_analytics.embedded_redis import embedded_redis_url

        redis_url = embedded_redis_url(str(Path(workdir) / "redis.db"))
    settings.configure(
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django_video_analytics",
        ],
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": f"{workdir}/db.sqlite3"}
        },
        USE_TZ=True,
        TIME_ZONE="UTC",
        VIDEO_ANALYTICS={
            "REDIS_URL": redis_url,
            "STREAM_NAME": f"bench:live:{os.getpid()}",
            "WORKER_POLL_SECONDS": 1.0,
            "MOTION_REGIONS": motion_regions,
            "DETECTOR_BACKEND": BACKENDS[backend],
            "INFERENCE_URL": os.environ.get("INFERENCE_URL"),
        },
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        LOGGING_CONFIG=None,
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def h264(path):
    """``path`` encoded once as H.264 (cached beside it), for streaming without re-encoding."""
    target = path.with_suffix(".h264.mp4")
    if not target.is_file():
        subprocess.run(
            [
                *("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(path)),
                *("-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-bf", "0"),
                *("-pix_fmt", "yuv420p", str(target)),
            ],
            check=True,
        )
    return target


class RtspServer:
    """One rtsp-server-perl on loopback, one ffmpeg per path sending an H.264 file looped.

    (Several servers side by side stall each other's clients; one server with a path per
    camera, like an NVR, does not.) Read the ``url(path)`` over UDP.
    """

    def __init__(self):
        self.client_port, self.source_port = free_port(), free_port()
        self.server = subprocess.Popen(
            [
                *("rtsp-server-perl", "--clientport", str(self.client_port)),
                *("--client_listen_address", "127.0.0.1", "--serverport", str(self.source_port)),
                *("--source_listen_address", "127.0.0.1", "--rtp_start_port", "30000"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.senders = [self.server]
        wait_for_port(self.source_port)

    def url(self, path):
        return f"rtsp://127.0.0.1:{self.client_port}/{path}"

    def send(self, path, video):
        self.senders.append(
            subprocess.Popen(
                [
                    *("ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1"),
                    *("-i", str(video), "-c:v", "copy", "-f", "rtsp"),
                    f"rtsp://127.0.0.1:{self.source_port}/{path}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    def stop(self):
        for process in reversed(self.senders):
            process.kill()
            process.wait()


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def thread_cpu(native_ids):
    """CPU seconds of these threads of this process (0 for a thread that has ended)."""
    times = {
        thread.id: thread.user_time + thread.system_time for thread in psutil.Process().threads()
    }
    return sum(times.get(native_id, 0.0) for native_id in native_ids)


class Probe:
    """Samples one camera's runner: frames, drops, detector runs, lags, thread CPU."""

    def __init__(self, camera_id, moving):
        self.camera_id = camera_id
        self.moving = moving
        self.runner = None
        self.lags = []  # (monotonic time, lag of an analysed frame)
        self.start = self.end = None  # counters at the window's start and end

    def attach(self, runner):
        self.runner = runner
        runner.on_frame = self.on_frame

    @property
    def started(self):
        """The camera has analysed a frame, and a moving one has run its (lazy) detector."""
        if self.runner is None or self.runner.analyzer is None:
            return False
        if self.moving:
            return self.runner.analyzer.stats.detector_frames > 0
        return self.runner.stats.frames_total > 0

    def on_frame(self, runner):
        self.lags.append((time.monotonic(), runner.stats.last_lag))

    def counters(self):
        runner = self.runner
        source, analyzer = runner.source, runner.analyzer
        decode = getattr(source, "thread", None)
        return {
            "at": time.monotonic(),
            "analysed": runner.stats.frames_total,
            "dropped": getattr(source, "dropped", 0),
            "detector": analyzer.stats.detector_frames if analyzer else 0,
            "analysis_cpu": thread_cpu([runner.thread.native_id]),
            "decode_cpu": thread_cpu([decode.native_id]) if decode is not None else 0.0,
        }

    def figures(self, events):
        start, end = self.start, self.end
        seconds = end["at"] - start["at"]
        counters = ("analysed", "dropped", "detector", "analysis_cpu", "decode_cpu")
        delta = {key: end[key] - start[key] for key in counters}
        window = [lag for at, lag in self.lags if start["at"] <= at <= end["at"]]
        third = max(1, len(window) // 3)
        return {
            "camera": self.camera_id,
            "moving": self.moving,
            "decoded": delta["analysed"] + delta["dropped"],
            "decoded_fps": (delta["analysed"] + delta["dropped"]) / seconds,
            "analysed_fps": delta["analysed"] / seconds,
            "dropped": delta["dropped"],
            "detector_fps": delta["detector"] / seconds,
            "lag_p95": percentile(window, 0.95),
            "backlog_growth": percentile(window[-third:], 0.95) - percentile(window[:third], 0.95),
            "event_lag_p95": percentile(events, 0.95),
            "events": len(events),
            "decode_cpu": delta["decode_cpu"] / seconds,
            "analysis_cpu": delta["analysis_cpu"] / seconds,
        }


def event_lags(redis_client, stream, since_ms):
    """Per camera: seconds from each event's frame time to its publication (entry id time)."""
    from django_video_analytics.events.wire import parse_entry

    lags = {}
    for entry_id, fields in redis_client.xrange(stream, min=f"{since_ms}-0"):
        published = int(entry_id.decode().split("-")[0]) / 1000
        event = parse_entry(fields)
        lags.setdefault(event.camera_id, []).append(published - event.timestamp.timestamp())
    return lags


def run(n, moving_video, static_video, warmup, seconds):
    """Serve N streams, run the worker; per-camera figures, process CPU share, batch sizes."""
    from django_video_analytics.conf import analytics_settings
    from django_video_analytics.connection import get_redis
    from django_video_analytics.models import Camera
    from django_video_analytics.workers.worker import CameraWorker

    Camera.objects.all().delete()
    server, probes = RtspServer(), {}
    try:
        for index in range(n):
            moving = index % STATIC_EVERY != STATIC_EVERY - 1
            camera_id = f"live-{index + 1}"
            server.send(camera_id, moving_video if moving else static_video)
            Camera.objects.create(
                camera_id=camera_id, name=camera_id, stream_url=server.url(camera_id), enabled=True
            )
            probes[camera_id] = Probe(camera_id, moving)
        time.sleep(1.0)  # the senders announce their paths
        worker = CameraWorker(all_cameras=True)
        process = psutil.Process()
        timeline = {}

        def measure():
            deadline = time.monotonic() + FIRST_FRAME_TIMEOUT
            while time.monotonic() < deadline and not all(
                probe.started for probe in probes.values()
            ):
                for camera_id, runner in list(worker.runners.items()):
                    if probes[camera_id].runner is None:
                        probes[camera_id].attach(runner)
                time.sleep(0.2)
            time.sleep(warmup)
            for probe in probes.values():
                probe.start = probe.counters()
            timeline["start"] = (time.monotonic(), process.cpu_times(), time.time())
            sizes_before = worker.detectors.batch_sizes()
            time.sleep(seconds)
            for probe in probes.values():
                probe.end = probe.counters()
            timeline["end"] = (time.monotonic(), process.cpu_times())
            timeline["batch_sizes"] = worker.detectors.batch_sizes() - sizes_before
            worker.shutdown.request()

        threading.Thread(target=measure, daemon=True).start()
        worker.run()
    finally:
        server.stop()
    (started, cpu_start, wall_start), (ended, cpu_end) = timeline["start"], timeline["end"]
    total_cpu = (cpu_end.user + cpu_end.system - cpu_start.user - cpu_start.system) / (
        ended - started
    )
    lags = event_lags(get_redis(), analytics_settings.STREAM_NAME, int(wall_start * 1000))
    figures = [probe.figures(lags.get(camera_id, [])) for camera_id, probe in probes.items()]
    return figures, total_cpu, timeline["batch_sizes"]


def holds(figures):
    moving = [row for row in figures if row["moving"]]
    return all(
        row["detector_fps"] >= TARGET_DETECTOR_FPS * (1 - RATE_TOLERANCE)
        and row["lag_p95"] < TARGET_LAG_P95
        and row["backlog_growth"] <= BACKLOG_GROWTH
        for row in moving
    ) and all(row["lag_p95"] < TARGET_LAG_P95 for row in figures)


def report(n, figures, total_cpu, batch_sizes):
    print(
        f"\nN={n}: worker process {total_cpu:.0%} of one core, "
        f"{total_cpu / n:.3f} CPU-s per camera-second; "
        f"{'HOLDS' if holds(figures) else 'does not hold'}"
    )
    print(
        f"{'camera':10}{'kind':>8}{'decoded':>8}{'dec/s':>7}{'looked/s':>9}{'dropped':>8}"
        f"{'det/s':>7}{'lag p95':>9}{'growth':>8}{'events':>7}{'event p95':>10}"
        f"{'CPU dec':>8}{'ana':>5}"
    )
    for row in figures:
        print(
            f"{row['camera']:10}{'moving' if row['moving'] else 'static':>8}"
            f"{row['decoded']:>8}{row['decoded_fps']:>7.1f}{row['analysed_fps']:>9.1f}"
            f"{row['dropped']:>8}{row['detector_fps']:>7.2f}{row['lag_p95']:>8.2f}s"
            f"{row['backlog_growth']:>7.2f}s{row['events']:>7}{row['event_lag_p95']:>9.2f}s"
            f"{row['decode_cpu']:>8.0%}{row['analysis_cpu']:>5.0%}"
        )
    if batch_sizes:
        calls = sum(batch_sizes.values())
        frames = sum(size * count for size, count in batch_sizes.items())
        seen = ", ".join(f"{size}: {count}" for size, count in sorted(batch_sizes.items()))
        print(f"batch sizes (frames per inference call: calls): {seen}; mean {frames / calls:.2f}")
    else:
        print("batch sizes: none (the backend does not batch: one call per frame, in turn)")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window per N")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds before measuring")
    parser.add_argument("--cameras", type=int, nargs="+", default=[2, 3, 4, 5, 6])
    parser.add_argument("--motion-regions", action="store_true", help="MOTION_REGIONS on")
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="ultralytics")
    parser.add_argument(
        "--keep-going", action="store_true", help="measure every N, even after one fails"
    )
    args = parser.parse_args()
    missing = [tool for tool in ("ffmpeg", "rtsp-server-perl") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"needs {', '.join(missing)} (apt-get install ffmpeg rtsp-server-perl)")
    os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;udp|buffer_size;4194304")
    with tempfile.TemporaryDirectory(prefix="dva-live-") as workdir:
        configure(workdir, args.motion_regions, args.backend)
        from testing_media import clips

        moving_video = h264(clips.street_clip())
        static_video = h264(clips.static_clip(seconds=20, size=(1280, 720), fps=25))
        print(
            f"{datetime.now():%Y-%m-%d %H:%M}; load: {os.getloadavg()}; cores: {os.cpu_count()};"
            f" MOTION_REGIONS={args.motion_regions}; backend: {args.backend}"
        )
        found = None
        for n in args.cameras:
            figures, total_cpu, sizes = run(
                n, moving_video, static_video, args.warmup, args.seconds
            )
            report(n, figures, total_cpu, sizes)
            if holds(figures):
                found = n
            elif not args.keep_going:
                break
        print(f"\nlargest N that holds: {found}; load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
