"""Liveness keys of consumers, so that the pending entries of dead ones are claimed at once.

Each consumer keeps ``<stream>:consumers:<group>:<name>`` set to ``"<host> <pid>"`` with a TTL
of ``CONSUMER_LIVENESS_TTL_SECONDS``, refreshed as it loops. A consumer is gone when its key
has expired (or was never written), or at once when its process ran on this host and no
longer exists (``kill -9``, a crash): then its entries need not wait for
``CONSUMER_CLAIM_IDLE_MS``. "This host" is the host name and, on Linux, the PID namespace,
so containers sharing a host name never judge each other's processes. Any doubt counts as
alive; a wrong "alive" only means waiting.
"""

import os
import socket
import time

from ..connection import as_text

REFRESHES_PER_TTL = 10  # the key is rewritten at most this often per TTL


class ConsumerLiveness:
    """The liveness keys of the consumers of ``group`` on ``stream``."""

    def __init__(self, redis_client, stream, group, ttl_seconds):
        self.redis = redis_client
        self.stream = stream
        self.group = group
        self.ttl = max(1, round(ttl_seconds))
        self.host = _host()
        self._next_beat_at = {}

    def key(self, name):
        return f"{self.stream}:consumers:{self.group}:{name}"

    def beat(self, name):
        """Say that consumer ``name`` (of this process) is alive, at most every TTL/10 s."""
        now = time.monotonic()
        if now < self._next_beat_at.get(name, 0.0):
            return
        self.redis.set(self.key(name), f"{self.host} {os.getpid()}", ex=self.ttl)
        self._next_beat_at[name] = now + self.ttl / REFRESHES_PER_TTL

    def forget(self, name):
        """Remove the key of consumer ``name`` (it left the group)."""
        self.redis.delete(self.key(name))
        self._next_beat_at.pop(name, None)

    def gone(self, names):
        """The consumers among ``names`` that are provably not running."""
        if not names:
            return []
        values = self.redis.mget([self.key(name) for name in names])
        return [name for name, value in zip(names, values, strict=True) if self._gone(value)]

    def _gone(self, value):
        if value is None:
            return True
        host, _space, pid = as_text(value).rpartition(" ")
        if host != self.host or not pid.isdigit():
            return False  # another host: only its key's expiry tells
        return not _process_exists(int(pid))


def _host():
    """The host name, with the PID namespace where the system has one (Linux)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")  # e.g. "pid:[4026531836]"
    except OSError:
        return socket.gethostname()
    return f"{socket.gethostname()}/{namespace.removeprefix('pid:')}"


def _process_exists(pid):
    """Whether ``pid`` runs here; a zombie (killed, not yet reaped by its parent) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, under another user
        return True
    return not _is_zombie(pid)


def _is_zombie(pid):
    """True when ``/proc`` says ``pid`` has exited and waits for its parent (Linux only)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False  # no /proc: any doubt counts as alive
    return state == b"Z"
