"""``manage.py run_camera_worker``: analyse cameras and publish their events."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from ...log_setup import add_metrics_port_argument, configure_logging, serve_metrics

# The exit code of a burst in which some cameras failed (1 and 2 are Django's own).
BURST_FAILED_EXIT_CODE = 3


class Command(BaseCommand):
    help = (
        "Analyse the enabled cameras (leased in Redis, so several workers split them) and "
        "publish their events. Stops after the current frame on SIGTERM/SIGINT, at once on "
        "a second signal."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--camera",
            action="append",
            dest="camera_ids",
            default=[],
            metavar="ID",
            help="Camera id to run (repeatable).",
        )
        parser.add_argument("--all", action="store_true", help="Run every enabled camera.")
        parser.add_argument(
            "--burst",
            action="store_true",
            help=(
                "Stop once every leased camera is done (files read, --max-frames reached, or "
                "in error past --give-up-after); exit 3 when some cameras failed."
            ),
        )
        parser.add_argument(
            "--give-up-after",
            type=float,
            default=30.0,
            metavar="SECONDS",
            help="With --burst: give up a camera in error without frames this long (30).",
        )
        parser.add_argument(
            "--max-frames", type=int, default=None, metavar="N", help="Frames per camera."
        )
        add_metrics_port_argument(parser)

    def handle(
        self,
        *args,
        camera_ids,
        all,
        burst,
        max_frames,
        give_up_after,
        metrics_port,
        verbosity,
        **options,
    ):
        if bool(camera_ids) == all:
            raise CommandError("Pass --camera ID (repeatable) or --all.")
        if max_frames is not None and max_frames < 1:
            raise CommandError("--max-frames must be at least 1.")
        if give_up_after <= 0:
            raise CommandError("--give-up-after must be positive.")
        configure_logging(verbosity)
        serve_metrics(metrics_port)
        from ...models import Camera
        from ...workers.worker import CameraWorker

        known = Camera.objects.filter(camera_id__in=camera_ids).values_list("camera_id", flat=True)
        unknown = sorted(set(camera_ids) - set(known))
        if unknown:
            raise CommandError(f"Unknown camera id(s): {', '.join(unknown)}.")
        try:
            worker = CameraWorker(
                camera_ids,
                all_cameras=all,
                burst=burst,
                max_frames=max_frames,
                give_up_after=give_up_after,
            )
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        worker.run()
        if worker.failed:
            reasons = "; ".join(f"{camera_id}: {why}" for camera_id, why in worker.failed.items())
            raise CommandError(
                f"{len(worker.failed)} camera(s) failed: {reasons}",
                returncode=BURST_FAILED_EXIT_CODE,
            )
