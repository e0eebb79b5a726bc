import pytest

from django_video_analytics.models import Camera

from .factories import READ_PERMISSIONS, client_for, make_user


@pytest.fixture
def reader(db):
    """An authenticated user who may only read (the view permissions)."""
    return client_for(make_user("reader", *READ_PERMISSIONS))


@pytest.fixture
def operator(db):
    """A user who may add, change and delete cameras and change events."""
    return client_for(
        make_user(
            "operator",
            *READ_PERMISSIONS,
            "add_camera",
            "change_camera",
            "delete_camera",
            "change_detectionevent",
            "change_motionevent",
            "change_anprevent",
        )
    )


@pytest.fixture
def make_camera(db):
    def make(camera_id="cam-1", **fields):
        fields.setdefault("name", f"Camera {camera_id}")
        return Camera.objects.create(camera_id=camera_id, **fields)

    return make
