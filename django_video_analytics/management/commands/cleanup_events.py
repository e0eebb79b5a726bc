"""``manage.py cleanup_events``: apply the retention settings (events, snapshots, dead letters)."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Delete events, snapshot files and dead letters older than the RETENTION_* settings, "
        "in short batches. Daily statistics are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--batch-size", type=int, help="Rows per batch (default RETENTION_BATCH_SIZE)."
        )

    def handle(self, *args, dry_run, yes, batch_size, **options):
        from ...log_setup import configure_logging
        from ...operations.retention import apply_retention

        configure_logging(options["verbosity"])
        if not dry_run and not yes:
            preview = apply_retention(dry_run=True)
            self.write_report(preview)
            if not preview.results:
                return
            if not self.stdin_is_tty():
                raise CommandError("Pass --yes to delete without confirmation (or --dry-run).")
            if input("Delete this for good? Type 'yes' to continue: ") != "yes":
                raise CommandError("Nothing deleted.")
        self.write_report(apply_retention(dry_run=dry_run, batch_size=batch_size))

    def write_report(self, report):
        if not report.results:
            self.stdout.write("No retention configured (RETENTION_* settings); nothing to do.")
            return
        verb = "would delete" if report.dry_run else "deleted"
        for result in report.results:
            parts = [f"{result.rows} row(s)"] if result.rows or not result.files else []
            parts += [f"{result.files} file(s)"] if result.files else []
            line = f"{result.target} older than {result.cutoff}: {verb} {', '.join(parts)}"
            if result.batches:
                line += (
                    f" in {result.batches} batch(es), longest {result.longest_batch_seconds:.3f} s"
                )
            self.stdout.write(line)

    @staticmethod
    def stdin_is_tty():
        import sys

        return sys.stdin.isatty()
