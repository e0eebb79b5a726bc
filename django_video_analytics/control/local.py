"""Local control: start/stop record the desired state that run_camera_worker polls."""

from django.utils import timezone

from ..models import Camera


class LocalControlBackend:
    def start(self, camera):
        camera.enabled = True
        camera.save(update_fields=["enabled", "updated_at"])

    def stop(self, camera):
        camera.enabled = False
        camera.status = Camera.Status.INACTIVE
        camera.save(update_fields=["enabled", "status", "updated_at"])

    def health(self):
        return {"backend": "local", "checked_at": timezone.now().isoformat()}
