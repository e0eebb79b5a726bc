"""Snapshot fields link their files through ``SNAPSHOT_STORAGE``, where workers save them."""

import subprocess
import sys
import textwrap

# The field's storage is chosen as models load, so a fresh process with its own settings.
SCRIPT = textwrap.dedent(
    """
    import django
    from django.conf import settings

    files = "django.core.files.storage.FileSystemStorage"
    settings.configure(
        INSTALLED_APPS=[
            "django.contrib.contenttypes", "django.contrib.auth", "rest_framework",
            "django_video_analytics",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        STORAGES={
            "default": {"BACKEND": files, "OPTIONS": {"location": "/tmp", "base_url": "/media/"}},
            "snaps": {"BACKEND": files, "OPTIONS": {"location": "/tmp", "base_url": "/snaps/"}},
        },
        VIDEO_ANALYTICS={"SNAPSHOT_STORAGE": %r},
    )
    django.setup()
    from django_video_analytics.models import ANPREvent, DetectionEvent

    print(DetectionEvent(snapshot="video_analytics/snapshots/a.jpg").snapshot.url)
    print(ANPREvent(snapshot="video_analytics/plates/b.jpg").snapshot.url)
    """
)


def snapshot_urls(alias):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT % alias], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_snapshot_urls_come_from_the_snapshot_storage():
    assert snapshot_urls("snaps") == [
        "/snaps/video_analytics/snapshots/a.jpg",
        "/snaps/video_analytics/plates/b.jpg",
    ]


def test_an_unknown_alias_falls_back_to_the_default_storage():
    # Check W052 reports the alias; the models still load.
    assert snapshot_urls("missing") == [
        "/media/video_analytics/snapshots/a.jpg",
        "/media/video_analytics/plates/b.jpg",
    ]
