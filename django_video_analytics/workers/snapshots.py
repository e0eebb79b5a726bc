"""JPEG snapshots of event frames, saved through Django's storage API (local, S3 ...)."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from ..events.kinds import STORED_KINDS
from ..pipeline.jpeg import encode_jpeg


def folder(event_type):
    """Where snapshots of ``event_type`` go: the ``upload_to`` of its model's snapshot field."""
    return STORED_KINDS[event_type].model._meta.get_field("snapshot").upload_to.rstrip("/")


class SnapshotStore:
    """Saves images into the storage named ``alias`` in ``STORAGES``."""

    def __init__(self, alias="default"):
        self.storage = storages[alias]

    def save(self, image, camera_id, event_type, frame):
        """Save ``image`` (BGR numpy array) as JPEG; return the storage name of the file."""
        name = (
            f"{folder(event_type)}/{camera_id}/{frame.timestamp:%Y/%m/%d}/"
            f"{frame.index}-{uuid.uuid4().hex[:8]}.jpg"
        )
        return self.storage.save(name, ContentFile(encode_jpeg(image)))
