"""``manage.py analyze_video PATH --camera ID``: analyse a video file at full speed."""

import time
from dataclasses import replace

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from ...log_setup import configure_logging

BAR_WIDTH = 30
REDRAW_SECONDS = 0.25


class ProgressBar:
    """A one-line progress bar redrawn on a terminal stream (plain text)."""

    def __init__(self, stream, total=None):
        self.stream = stream
        self.total = total
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def update(self, runner, force=False):
        now = time.monotonic()
        if not force and now - self.drawn_at < REDRAW_SECONDS:
            return
        self.drawn_at = now
        frames = runner.stats.frames_total
        fps = frames / max(now - self.started, 1e-9)
        if self.total:
            done = min(frames / self.total, 1.0)
            filled = round(done * BAR_WIDTH)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:4.0%} {frames}/{self.total}"
        else:
            bar = f"{frames} frames"
        self.stream.write(f"\r{bar} {fps:6.1f} fps", ending="")
        self.stream.flush()

    def finish(self, runner):
        self.update(runner, force=True)
        self.stream.write("")


class Command(BaseCommand):
    help = "Analyse a video file at full speed and publish its events (or --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Video file to analyse.")
        parser.add_argument(
            "--camera",
            required=True,
            dest="camera_id",
            metavar="ID",
            help="Camera whose settings apply and whose events these are.",
        )
        parser.add_argument(
            "--create-camera",
            action="store_true",
            help="Create the camera (disabled, default settings) if no camera has this id.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Analyse and summarise; publish nothing."
        )
        parser.add_argument(
            "--max-frames", type=int, default=None, metavar="N", help="Stop after N frames."
        )

    def handle(
        self, *args, path, camera_id, create_camera, dry_run, max_frames, verbosity, **options
    ):
        configure_logging(verbosity - 1)  # -v 2 for the runner's log beside the bar
        from ...models import Camera
        from ...pipeline.sources import SourceError
        from ...workers.camera_runner import CameraRunner
        from ...workers.config import CameraConfig, WorkerOptions
        from ...workers.sinks import NullSink

        try:
            worker_options = WorkerOptions.from_settings()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        camera = Camera.objects.filter(camera_id=camera_id).first()
        if camera is None:
            if not create_camera:
                raise CommandError(
                    f"Unknown camera {camera_id!r}: create it first (API or admin) so that its "
                    "settings (classes, ANPR ...) apply, or pass --create-camera to create it "
                    "with the defaults."
                )
            camera = Camera(camera_id=camera_id, name=camera_id, stream_url=path)
        config = replace(
            CameraConfig.from_camera(camera, worker_options.plate_format), stream_url=path
        )
        try:
            # The operator names the file on the command line: ALLOW_LOCAL_SOURCES guards
            # the stream URLs that API and admin users set, not this.
            source = worker_options.frame_source(path, allow_local=True)
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        if source.is_live:
            source.close()
            raise CommandError(f"{path} is not a video file; use run_camera_worker for streams.")
        if camera.pk is None and not dry_run:
            camera.save()
            self.stderr.write(f"Created camera {camera_id!r} (disabled, default settings).")
        sink = NullSink() if dry_run else worker_options.event_sink()
        progress = ProgressBar(self.stderr, total=getattr(source, "frame_count", None))
        runner = CameraRunner(
            config, worker_options, sink, max_frames=max_frames, on_frame=progress.update
        )
        started = time.monotonic()
        runner.analyse_source(source)
        progress.finish(runner)
        self.write_summary(runner, source, time.monotonic() - started, dry_run)

    def write_summary(self, runner, source, elapsed, dry_run):
        frames = runner.stats.frames_total
        video_seconds = frames / (getattr(source, "fps", None) or 25.0)
        elapsed = max(elapsed, 1e-9)
        rows = [
            ("Frames", f"{frames}"),
            ("Video seconds", f"{video_seconds:.1f}"),
            ("Wall seconds", f"{elapsed:.1f}"),
            ("Speed", f"{frames / elapsed:.1f} fps ({video_seconds / elapsed:.1f}x real time)"),
            ("Detector frames", f"{runner.analyzer.stats.detector_frames}"),
            ("Events", "not published (--dry-run)" if dry_run else "published"),
        ]
        counts = runner.encoder.counts
        rows += [
            (f"  {kind}", f"{counts[kind]}")
            for kind in sorted({"detection", "motion"} | set(counts))
        ]
        classes = runner.encoder.classes_seen
        rows.append(("Classes seen", "" if classes else "none"))
        rows += [(f"  {name}", f"{count} in events") for name, count in classes.most_common()]
        plates = runner.encoder.plates_read
        if runner.camera.enable_anpr or plates:
            rows.append(("Plates read", "" if plates else "none"))
            rows += [(f"  {plate}", f"{confidence:.3f}") for plate, confidence in plates]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self.stdout.write(f"{label:<{width}}  {value}".rstrip())
