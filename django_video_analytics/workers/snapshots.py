"""JPEG snapshots of event frames, saved through Django's storage API (local, S3 ...)."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from ..pipeline.jpeg import encode_jpeg

# Folders matching the upload_to of DetectionEvent.snapshot and ANPREvent.snapshot.
FOLDERS = {"detection": "video_analytics/snapshots", "anpr": "video_analytics/plates"}


class SnapshotStore:
    """Saves images into the storage named ``alias`` in ``STORAGES``."""

    def __init__(self, alias="default"):
        self.storage = storages[alias]

    def save(self, image, camera_id, event_type, frame):
        """Save ``image`` (BGR numpy array) as JPEG; return the storage name of the file."""
        name = (
            f"{FOLDERS[event_type]}/{camera_id}/{frame.timestamp:%Y/%m/%d}/"
            f"{frame.index}-{uuid.uuid4().hex[:8]}.jpg"
        )
        return self.storage.save(name, ContentFile(encode_jpeg(image)))
