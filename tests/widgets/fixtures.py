"""Fixtures shared by the widget, tag, view and browser tests (import them in a conftest)."""

import uuid

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def isolated_widget_cache(settings):
    """A cache key prefix of this test's own, so values cached by other tests never leak in."""
    prefix = f"dva-tests-widgets-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": prefix} for alias, config in settings.CACHES.items()
    }
    yield prefix
    caches["default"].delete_pattern("*")  # only this prefix's keys
