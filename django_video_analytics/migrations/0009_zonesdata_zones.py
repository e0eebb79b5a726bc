"""Zones and their hourly counts.

On PostgreSQL the two range indexes of ``ZoneCount`` are rebuilt under the same names with
the counters as non-key columns (``INCLUDE``), so the counts endpoint answers from the
index alone (an index-only scan) instead of visiting a heap page per hourly row. Other
databases keep the plain indexes the model declares.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "video_analytics_zonecount"
COUNTERS = "zone_id, class_name, crossings_in, crossings_out, visits, total_dwell_seconds, max_occupancy"
RANGE_INDEXES = {"va_zonecount_cam_hour": "camera_id, hour", "va_zonecount_hour": "hour"}


def cover_range_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in RANGE_INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON {TABLE} ({columns}) INCLUDE ({COUNTERS})")


def uncover_range_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in RANGE_INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON {TABLE} ({columns})")


class Migration(migrations.Migration):

    dependencies = [
        ('django_video_analytics', '0008_api_plate_statistics'),
    ]

    operations = [
        migrations.CreateModel(
            name='Zone',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=64, verbose_name='name')),
                ('kind', models.CharField(choices=[('polygon', 'Polygon zone'), ('line', 'Counting line')], default='polygon', max_length=16, verbose_name='kind')),
                ('points', models.JSONField(default=list, help_text='Normalised [x, y] points: 2 for a line, 3 to 32 for a zone.', verbose_name='points')),
                ('in_side', models.CharField(choices=[('left', 'Left of first -> second point'), ('right', 'Right of first -> second point')], default='left', help_text="Lines: crossing towards this side counts as 'in'.", max_length=8, verbose_name='in side')),
                ('classes', models.JSONField(blank=True, default=list, help_text='Class names counted; empty: all.', verbose_name='classes')),
                ('anchor', models.CharField(choices=[('bottom_centre', 'bottom centre'), ('centre', 'centre'), ('top_centre', 'top centre'), ('centre_left', 'centre left'), ('centre_right', 'centre right'), ('bottom_left', 'bottom left'), ('bottom_right', 'bottom right'), ('top_left', 'top left'), ('top_right', 'top right')], default='bottom_centre', help_text="The point of a track's box that counts.", max_length=16, verbose_name='anchor')),
                ('min_distance', models.FloatField(default=0.03, help_text='Lines: how far (normalised) a track must go past the line on each side.', verbose_name='minimum distance')),
                ('inertia_frames', models.PositiveSmallIntegerField(default=3, help_text='Zones: consecutive analysed frames inside (or outside) to enter (or leave).', verbose_name='inertia frames')),
                ('loiter_seconds', models.FloatField(blank=True, help_text='Zones: a visit this long is loitering; empty: no loitering.', null=True, verbose_name='loitering threshold (s)')),
                ('occupancy_limit', models.PositiveIntegerField(blank=True, help_text='Zones: more objects inside at once than this is over the limit.', null=True, verbose_name='occupancy limit')),
                ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('camera', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='zones', to='django_video_analytics.camera', verbose_name='camera')),
            ],
            options={
                'verbose_name': 'zone',
                'verbose_name_plural': 'zones',
                'db_table': 'video_analytics_zone',
                'ordering': ['camera', 'name'],
            },
        ),
        migrations.CreateModel(
            name='ZoneCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('class_name', models.CharField(max_length=64, verbose_name='class')),
                ('hour', models.DateTimeField(verbose_name='hour (UTC)')),
                ('crossings_in', models.PositiveIntegerField(default=0, verbose_name='crossings in')),
                ('crossings_out', models.PositiveIntegerField(default=0, verbose_name='crossings out')),
                ('visits', models.PositiveIntegerField(default=0, verbose_name='visits')),
                ('total_dwell_seconds', models.FloatField(default=0.0, verbose_name='total dwell (s)')),
                ('max_occupancy', models.PositiveIntegerField(default=0, verbose_name='peak occupancy')),
                ('dwell_under_10s', models.PositiveIntegerField(default=0)),
                ('dwell_under_30s', models.PositiveIntegerField(default=0)),
                ('dwell_under_1m', models.PositiveIntegerField(default=0)),
                ('dwell_under_5m', models.PositiveIntegerField(default=0)),
                ('dwell_under_15m', models.PositiveIntegerField(default=0)),
                ('dwell_15m_or_more', models.PositiveIntegerField(default=0)),
                ('camera', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='zone_counts', to='django_video_analytics.camera', verbose_name='camera')),
                ('zone', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='counts', to='django_video_analytics.zone', verbose_name='zone')),
            ],
            options={
                'verbose_name': 'zone count',
                'verbose_name_plural': 'zone counts',
                'db_table': 'video_analytics_zonecount',
                'ordering': ['-hour', 'zone', 'class_name'],
            },
        ),
        migrations.AddConstraint(
            model_name='zone',
            constraint=models.UniqueConstraint(fields=('camera', 'name'), name='va_zone_camera_name'),
        ),
        migrations.AddIndex(
            model_name='zonecount',
            index=models.Index(fields=['camera', 'hour'], name='va_zonecount_cam_hour'),
        ),
        migrations.AddIndex(
            model_name='zonecount',
            index=models.Index(fields=['hour'], name='va_zonecount_hour'),
        ),
        migrations.AddConstraint(
            model_name='zonecount',
            constraint=models.UniqueConstraint(fields=('zone', 'class_name', 'hour'), name='va_zonecount_zone_class_hour'),
        ),
        migrations.RunPython(cover_range_indexes, uncover_range_indexes),
    ]
