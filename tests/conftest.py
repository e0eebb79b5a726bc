import importlib.util
import uuid

import pytest

from django_video_analytics.connection import get_redis

# The light install (what a VMS web server gets) has no OpenCV/torch: the analysis tests
# cannot even be imported there, so they are left out, and marked tests are skipped.
INFERENCE_STACK = all(importlib.util.find_spec(name) for name in ("cv2", "numpy", "onnxruntime"))
collect_ignore_glob = (
    []
    if INFERENCE_STACK
    else [
        "pipeline/*",
        "workers/*",
        "management/test_run_camera_worker.py",
        "management/test_analyze_video.py",
    ]
)


def pytest_collection_modifyitems(config, items):
    if INFERENCE_STACK:
        return
    skip = pytest.mark.skip(reason="needs the [inference] extra")
    for item in items:
        if "inference" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def redis_client():
    """The real Redis the suite runs against."""
    return get_redis()


@pytest.fixture
def stream_names(settings, redis_client):
    """Unique stream, dead-letter and group names for one test; their keys are removed after."""
    token = uuid.uuid4().hex[:12]
    names = {
        "STREAM_NAME": f"test:{token}:events",
        "DEAD_LETTER_STREAM": f"test:{token}:dead",
        "CONSUMER_GROUP": f"test-{token}",
    }
    # Through pytest-django's `settings`, so overrides a test stacks on top unwind in order.
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, **names}
    yield names
    keys = list(redis_client.scan_iter(match=f"test:{token}:*"))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture
def camera(db):
    from django_video_analytics.models import Camera

    return Camera.objects.create(camera_id="cam-1", name="Front gate", location="Gate")
