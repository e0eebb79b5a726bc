"""A trigram index for partial plate searches (``license_plate__icontains``), PostgreSQL only.

``pg_trgm`` is a trusted extension (PostgreSQL 13+), so a database owner may create it; where
the role may not, the index is skipped with a warning and searches still work, only slower.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEX = "va_anpr_plate_trgm"
TABLE = "video_analytics_anprevent"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} "
                'USING gin (UPPER("license_plate"::text) gin_trgm_ops)'
            )
    except DatabaseError as exc:
        logger.warning("Skipped the plate trigram index (partial plate search is slower): %s", exc)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("django_video_analytics", "0002_watchlist")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
