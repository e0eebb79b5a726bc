import django_video_analytics.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("django_video_analytics", "0011_zonewire_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="camera",
            name="substream_url",
            field=models.CharField(
                blank=True,
                default="",
                max_length=1024,
                validators=[django_video_analytics.validators.validate_stream_url],
                verbose_name="analysis substream URL",
            ),
        ),
    ]
