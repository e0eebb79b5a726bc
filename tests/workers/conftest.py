import pytest


@pytest.fixture(autouse=True)
def allow_local_sources(settings):
    """The worker tests analyse local clips."""
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "ALLOW_LOCAL_SOURCES": True}
