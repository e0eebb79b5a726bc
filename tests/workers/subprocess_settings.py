"""Settings for worker processes started by the tests: tests.settings plus their overrides.

``DVA_TEST_DATABASE_NAME`` (read by tests.settings) joins the parent's test database;
``DVA_TEST_VIDEO_ANALYTICS`` (JSON) carries the test's VIDEO_ANALYTICS overrides.
"""

import json
import os

from tests.settings import *  # noqa: F403
from tests.settings import VIDEO_ANALYTICS

VIDEO_ANALYTICS = {
    **VIDEO_ANALYTICS,
    "ALLOW_LOCAL_SOURCES": True,  # the workers analyse local clips
    **json.loads(os.environ.get("DVA_TEST_VIDEO_ANALYTICS", "{}")),
}
