"""How far the consumer group is behind: stream length, pending entries and lag."""

from dataclasses import dataclass

from ..connection import as_text


@dataclass(frozen=True)
class StreamState:
    length: int
    pending: int  # delivered to a consumer, not acknowledged yet
    lag_seconds: float  # age of the oldest entry not stored yet (pending or undelivered)
    group_exists: bool


def entry_time_ms(entry_id):
    """The milliseconds part of a stream entry id (its XADD time)."""
    return int(as_text(entry_id).split("-", 1)[0])


def stream_state(redis, stream, group):
    """The group's position on ``stream``, read with a few O(1)/O(log n) commands."""
    length = redis.xlen(stream)
    groups = redis.xinfo_groups(stream) if length or redis.exists(stream) else []
    info = next((item for item in groups if as_text(item["name"]) == group), None)
    if info is None:
        oldest = redis.xrange(stream, count=1)
        return StreamState(length, 0, _age(redis, oldest), group_exists=False)
    pending = redis.xpending(stream, group)
    candidates = []
    if pending["pending"]:
        candidates.append(pending["min"])
    undelivered = redis.xrange(stream, min=f"({as_text(info['last-delivered-id'])}", count=1)
    if undelivered:
        candidates.append(undelivered[0][0])
    oldest = [(min(candidates, key=entry_time_ms), None)] if candidates else []
    return StreamState(length, pending["pending"], _age(redis, oldest), group_exists=True)


def _age(redis, entries):
    if not entries:
        return 0.0
    seconds, microseconds = redis.time()  # Redis's clock, which stamped the ids
    now_ms = seconds * 1000 + microseconds // 1000
    return max(0.0, (now_ms - entry_time_ms(entries[0][0])) / 1000)
