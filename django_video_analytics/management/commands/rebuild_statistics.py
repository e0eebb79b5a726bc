"""``manage.py rebuild_statistics``: recount the daily statistics from the event tables."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Recompute EventStatistics from the stored events (days inside every retention "
        "window). --check only reports the differences and exits 1 on any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="First UTC date."
        )
        parser.add_argument(
            "--camera",
            action="append",
            dest="cameras",
            metavar="CAMERA_ID",
            help="Only this camera (repeatable).",
        )
        parser.add_argument(
            "--check", action="store_true", help="Report differences; change nothing."
        )

    def handle(self, *args, since, cameras, check, **options):
        from ...log_setup import configure_logging
        from ...operations.statistics_rebuild import (
            compare_statistics,
            effective_since,
            rebuild_statistics,
        )

        configure_logging(options["verbosity"])
        horizon = effective_since(since)
        if horizon != since:
            self.stdout.write(f"Recounting from {horizon} (older events fall under retention).")
        if check:
            differences = compare_statistics(since, cameras)
            for difference in differences:
                self.stdout.write(str(difference))
            if differences:
                raise CommandError(
                    f"{len(differences)} counter(s) differ; run rebuild_statistics to repair.",
                    returncode=1,
                )
            self.stdout.write("Statistics match the stored events.")
            return
        changed = rebuild_statistics(since, cameras)
        self.stdout.write(f"Rebuilt {changed} statistics row(s).")
