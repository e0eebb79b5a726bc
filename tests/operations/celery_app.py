"""A host project's Celery app for the beat + worker test: Redis broker, database beat.

Started by ``test_beat.py`` as ``celery -A tests.operations.celery_app worker --beat``; the
test's database and stream names arrive through the environment
(tests/workers/subprocess_settings.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.workers.subprocess_settings")


def broker_url(redis_url):
    """Celery names a Unix-socket Redis ``redis+socket://``; redis-py names it ``unix://``."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


app = Celery("dva_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.broker_url = broker_url(os.environ["REDIS_URL"])
app.conf.broker_connection_retry_on_startup = True
app.autodiscover_tasks(["django_video_analytics"])
