"""``manage.py setup_analytics_schedules``: install the periodic tasks in django-celery-beat."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the package's periodic tasks in django-celery-beat (idempotent; keeps the "
        "intervals an operator changed unless --reset)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore the default interval, task and enabled flag of existing entries.",
        )

    def handle(self, *args, reset, **options):
        from ...operations.schedules import install_schedules

        for result in install_schedules(reset=reset):
            detail = f" ({result.detail})" if result.detail else ""
            self.stdout.write(f"{result.outcome}: {result.name}{detail}")
