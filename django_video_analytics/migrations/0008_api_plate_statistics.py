"""Finer planner statistics on the plate trigram index, PostgreSQL only.

With the default statistics target PostgreSQL estimates ``LIKE '%B12%'`` from a 100-value
sample, about 1 % of the rows whatever the pattern. For a rare infix that makes the newest-
first page look cheapest by walking the timestamp index and filtering, which reads the whole
table when fewer than a page of plates match (60+ ms on 100k plates). A 1000-value sample
puts the estimate near the truth, and the planner takes the trigram index (about 3 ms).
"""

from django.db import migrations

INDEX = "va_anpr_plate_trgm"
TABLE = "video_analytics_anprevent"
STATISTICS_TARGET = 1000


def set_statistics_target(target):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [INDEX])
            if cursor.fetchone()[0] is None:  # 0003 skipped it: no pg_trgm for this role
                return
        schema_editor.execute(f"ALTER INDEX {INDEX} ALTER COLUMN 1 SET STATISTICS {target}")
        schema_editor.execute(f"ANALYZE {TABLE}")

    return run


class Migration(migrations.Migration):
    dependencies = [("django_video_analytics", "0007_api_detections_gin")]

    operations = [
        migrations.RunPython(set_statistics_target(STATISTICS_TARGET), set_statistics_target(-1))
    ]
