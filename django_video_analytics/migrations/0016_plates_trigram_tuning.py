"""Partial plate searches on 1M plates: no GIN pending list, finer statistics (PostgreSQL).

``fastupdate`` (PostgreSQL's default) parks new GIN entries in an unsorted pending list that
every search reads from end to end until VACUUM merges it: 419 pages after loading 100k
plates, 2-18 ms before a search touched a plate. Plates arrive a few per second, so indexing
each at once costs little; what was pending is merged now.

``0008``'s 1000-value statistics estimate an infix in steps of 0.1 % of the table. On 1M
plates a fragment matching 550 plates was now and then estimated at 2,000, and the planner
walked the timestamp index for the newest-first page instead, filtering ~90,000 rows
(35-214 ms; 6-12 of 150 random three-character fragments per ``ANALYZE``). The maximum
target, 10,000, steps by 0.01 %: no such walk in 450 fragments, for 0.7 ms more planning.
"""

from django.db import migrations

INDEX = "va_anpr_plate_trgm"  # absent where 0003 could not create pg_trgm
TABLE = "video_analytics_anprevent"


def tune(fastupdate, statistics):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [INDEX])
            if cursor.fetchone()[0] is None:
                return
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = {fastupdate})")
        if fastupdate == "off":
            schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}')")
        schema_editor.execute(f"ALTER INDEX {INDEX} ALTER COLUMN 1 SET STATISTICS {statistics}")
        schema_editor.execute(f"ANALYZE {TABLE}")

    return run


class Migration(migrations.Migration):
    dependencies = [("django_video_analytics", "0015_counts_day_rollup")]

    operations = [migrations.RunPython(tune("off", 10000), tune("on", 1000))]
