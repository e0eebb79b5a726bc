import django_video_analytics.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("django_video_analytics", "0013_zonehooks_webhooks"),
    ]

    operations = [
        migrations.AlterField(
            model_name="anprevent",
            name="snapshot",
            field=models.FileField(
                blank=True,
                max_length=255,
                storage=django_video_analytics.models.snapshot_storage,
                upload_to="video_analytics/plates/",
                verbose_name="plate snapshot",
            ),
        ),
        migrations.AlterField(
            model_name="detectionevent",
            name="snapshot",
            field=models.FileField(
                blank=True,
                max_length=255,
                storage=django_video_analytics.models.snapshot_storage,
                upload_to="video_analytics/snapshots/",
                verbose_name="snapshot",
            ),
        ),
    ]
