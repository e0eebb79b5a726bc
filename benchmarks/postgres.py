"""Django on scratch PostgreSQL databases, for the benchmarks that need one (fleet, ingest...).

``configure`` sets Django up with the package on the server of ``DATABASE_URL``, one alias
per scratch database; ``recreate_databases`` creates them empty (and drops them at the end).
"""

import sys


def configure(database_url, databases, video_analytics):
    """Configure and set up Django; ``databases``: alias -> name. Returns the server's settings."""
    import dj_database_url
    from django.conf import settings

    server = dj_database_url.parse(database_url)
    if not server["ENGINE"].endswith("postgresql"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    settings.configure(
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django_video_analytics",
        ],
        DATABASES={alias: {**server, "NAME": name} for alias, name in databases.items()},
        USE_TZ=True,
        TIME_ZONE="UTC",
        VIDEO_ANALYTICS=video_analytics,
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        LOGGING_CONFIG=None,
    )
    import django

    django.setup()
    return server


def admin_connection(server):
    """A psycopg connection (autocommit) to the database ``DATABASE_URL`` names."""
    import psycopg

    return psycopg.connect(
        host=server["HOST"] or None,
        port=server["PORT"] or None,
        user=server["USER"] or None,
        password=server["PASSWORD"] or None,
        dbname=server["NAME"],
        autocommit=True,
    )


def recreate_databases(server, names, drop_only=False):
    """Drop the databases ``names`` and, unless ``drop_only``, create them empty."""
    with admin_connection(server) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            if not drop_only:
                admin.execute(f'CREATE DATABASE "{name}"')
