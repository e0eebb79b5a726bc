"""Publish wire entries to the event stream (the default ``EVENT_SINK`` of the workers)."""

from collections.abc import Iterable, Mapping
from typing import Any

from ..conf import analytics_settings
from ..connection import as_text

# Entries sent per pipeline round trip by ``publish_many``.
PIPELINE_CHUNK = 1000


class EventPublisher:
    """XADDs entries built by ``wire.build_*`` to ``STREAM_NAME``, trimmed to ``STREAM_MAXLEN``.

    Trimming is approximate (``MAXLEN ~``): Redis drops whole macro nodes, which costs almost
    nothing, and the stream holds at least ``STREAM_MAXLEN`` entries.
    """

    def __init__(
        self,
        redis_client: Any = None,
        stream_name: str | None = None,
        maxlen: int | None = None,
    ) -> None:
        if redis_client is None:
            from ..connection import get_redis

            redis_client = get_redis()
        self.redis = redis_client
        self.stream_name = stream_name or analytics_settings.STREAM_NAME
        self.maxlen = maxlen if maxlen is not None else analytics_settings.STREAM_MAXLEN

    def publish(self, entry: Mapping[str, str]) -> str:
        """Append one entry; returns its stream id (str)."""
        entry_id = self.redis.xadd(self.stream_name, entry, **self._trim())
        return as_text(entry_id)

    def publish_many(self, entries: Iterable[Mapping[str, str]]) -> list[str]:
        """Append several entries in pipelined round trips; returns their ids in order."""
        ids: list[str] = []
        entries = list(entries)
        trim = self._trim()
        for start in range(0, len(entries), PIPELINE_CHUNK):
            # No MULTI: each XADD stands alone and the order is kept anyway.
            pipe = self.redis.pipeline(transaction=False)
            for entry in entries[start : start + PIPELINE_CHUNK]:
                pipe.xadd(self.stream_name, entry, **trim)
            ids.extend(as_text(entry_id) for entry_id in pipe.execute())
        return ids

    def _trim(self) -> dict[str, Any]:
        if not self.maxlen:
            return {}
        return {"maxlen": self.maxlen, "approximate": True}
