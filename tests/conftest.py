import uuid

import pytest
from django.test import override_settings

from django_video_analytics.connection import get_redis


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
    with override_settings(VIDEO_ANALYTICS={**settings.VIDEO_ANALYTICS, **names}):
        yield names
    keys = list(redis_client.scan_iter(match=f"test:{token}:*"))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture
def camera(db):
    from django_video_analytics.models import Camera

    return Camera.objects.create(camera_id="cam-1", name="Front gate", location="Gate")
