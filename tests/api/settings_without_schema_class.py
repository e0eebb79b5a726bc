"""A host without drf-spectacular in its apps or REST_FRAMEWORK (issue 17, item 1)."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "drf_spectacular"]  # noqa: F405
REST_FRAMEWORK = {}
