"""``manage.py analytics_health``: Redis, database, stream lag, dead letters, workers."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Check the installation's health; exits 1 when anything is unhealthy."

    def handle(self, *args, **options):
        from ...operations.health import run_checks

        results = run_checks()
        for result in results:
            status = "ok" if result.healthy else "UNHEALTHY"
            self.stdout.write(f"{status:9} {result.name}: {result.message}")
        unhealthy = [result.name for result in results if not result.healthy]
        if unhealthy:
            raise CommandError(f"Unhealthy: {', '.join(unhealthy)}", returncode=1)
