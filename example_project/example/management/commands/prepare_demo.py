"""Build the demo clips from real photographs and register a camera for each."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from django_video_analytics.models import Camera

DEMO_USER = ("demo", "demo")


class Command(BaseCommand):
    help = "Create the demo user and cameras, and build their clips (idempotent)."

    def handle(self, *args, **options):
        from testing_media import clips

        directory = settings.VAR_DIR / "clips"
        cameras = [
            ("street", "Street (objects passing)", clips.objects_clip(directory), ""),
            ("yard", "Yard (nothing moves)", clips.static_clip(directory), ""),
            ("gate", "Gate (UK plates)", clips.plates_clip(directory), "uk"),
        ]
        for camera_id, name, path, plate_format in cameras:
            Camera.objects.update_or_create(
                camera_id=camera_id,
                defaults={
                    "name": name,
                    "location": "Demo",
                    "stream_url": str(path),
                    "enabled": True,
                    "enable_anpr": bool(plate_format),
                    "plate_format": plate_format,
                },
            )
            self.stdout.write(f"camera {camera_id}: {path}")
        self._create_user()

    def _create_user(self):
        username, password = DEMO_USER
        user_model = get_user_model()
        if not user_model.objects.filter(username=username).exists():
            user_model.objects.create_superuser(username, f"{username}@example.com", password)
        self.stdout.write(f"login: {username} / {password}")
