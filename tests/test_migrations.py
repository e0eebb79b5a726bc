from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_are_in_sync():
    out = StringIO()
    try:
        call_command(
            "makemigrations", "django_video_analytics", check=True, dry_run=True, stdout=out
        )
    except SystemExit:  # pragma: no cover - reported below
        pytest.fail(f"Model changes without a migration:\n{out.getvalue()}")
