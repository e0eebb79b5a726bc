"""A GIN index on ``detections`` for the ``class_name`` filter (JSON containment), PostgreSQL only.

``jsonb_path_ops`` indexes exactly what ``detections @> [{"class_name": ...}]`` asks, in a
smaller index than the default operator class. Other databases have no JSON containment
(the filter matches text there), so the migration does nothing on them.
"""

from django.db import migrations

INDEX = "va_detection_detections_gin"
TABLE = "video_analytics_detectionevent"


def create_detections_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin ("detections" jsonb_path_ops)'
        )


def drop_detections_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("django_video_analytics", "0006_ops_camera_health")]

    operations = [migrations.RunPython(create_detections_index, drop_detections_index)]
