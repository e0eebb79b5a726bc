"""Partial plate searches read no GIN pending list, PostgreSQL only.

With ``fastupdate`` (PostgreSQL's default) a GIN index defers new entries to an unsorted
pending list that every search reads from end to end until VACUUM merges it. After loading
100k plates the trigram index of ``0003`` held 419 pending pages (21,355 entries): each
``license_plate__icontains`` search read them all, 2-10 ms before touching a plate. Plates
arrive a few per second, so indexing each at once costs little; what was pending is merged
now.
"""

from django.db import migrations

INDEX = "va_anpr_plate_trgm"  # absent where 0003 could not create pg_trgm


def set_fastupdate(value):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [INDEX])
            if cursor.fetchone()[0] is None:
                return
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = {value})")
        if value == "off":
            schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}')")

    return run


class Migration(migrations.Migration):
    dependencies = [("django_video_analytics", "0012_live_substream")]

    operations = [migrations.RunPython(set_fastupdate("off"), set_fastupdate("on"))]
