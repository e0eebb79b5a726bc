"""The dead-letter stream: entries the consumer could not store, kept whole with the reason.

A dead letter's fields are ``reason``, ``source_stream``, ``source_id`` (the entry id in
that stream), ``failed_at`` (ISO 8601, UTC), ``deliveries`` when known, and every field of
the original entry under ``original:<name>`` (so ``original:data`` holds the JSON). An entry
that was trimmed from the stream before it could be stored has no original fields.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..conf import analytics_settings
from ..connection import as_text

logger = logging.getLogger(__name__)

ORIGINAL_PREFIX = "original:"
MAX_REASON_LENGTH = 1000
CHUNK = 500


@dataclass
class DeadLetter:
    id: str
    reason: str
    source_stream: str
    source_id: str
    failed_at: str
    deliveries: int | None = None
    original: dict = field(default_factory=dict)  # field name (str) -> value (bytes)

    @classmethod
    def from_entry(cls, entry_id, fields):
        meta = {}
        original = {}
        for key, value in fields.items():
            key = as_text(key)
            if key.startswith(ORIGINAL_PREFIX):
                original[key[len(ORIGINAL_PREFIX) :]] = value
            else:
                meta[key] = as_text(value)
        deliveries = meta.get("deliveries")
        return cls(
            id=as_text(entry_id),
            reason=meta.get("reason", ""),
            source_stream=meta.get("source_stream", ""),
            source_id=meta.get("source_id", ""),
            failed_at=meta.get("failed_at", ""),
            deliveries=int(deliveries) if deliveries and deliveries.isdigit() else None,
            original=original,
        )


def dead_letter_fields(entry_id, fields, reason, *, source_stream, deliveries=None):
    """The fields of the dead letter for stream entry ``entry_id`` with ``fields``."""
    letter = {
        "reason": reason[:MAX_REASON_LENGTH],
        "source_stream": source_stream,
        "source_id": as_text(entry_id),
        "failed_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
    }
    if deliveries is not None:
        letter["deliveries"] = deliveries
    for key, value in (fields or {}).items():
        letter[ORIGINAL_PREFIX + as_text(key)] = value
    return letter


class DeadLetterStream:
    """Read, replay and purge ``DEAD_LETTER_STREAM``; the consumer adds to it."""

    def __init__(self, redis_client=None, stream_name=None, main_stream=None, maxlen=None):
        if redis_client is None:
            from ..connection import get_redis

            redis_client = get_redis()
        self.redis = redis_client
        self.stream_name = stream_name or analytics_settings.DEAD_LETTER_STREAM
        self.main_stream = main_stream or analytics_settings.STREAM_NAME
        self.maxlen = maxlen if maxlen is not None else analytics_settings.STREAM_MAXLEN

    def add(self, client, entry_id, fields, reason, *, source_stream, deliveries=None):
        """XADD a dead letter through ``client`` (a connection or a pipeline)."""
        trim = {"maxlen": self.maxlen, "approximate": True} if self.maxlen else {}
        letter = dead_letter_fields(
            entry_id, fields, reason, source_stream=source_stream, deliveries=deliveries
        )
        return client.xadd(self.stream_name, letter, **trim)

    def count(self):
        return self.redis.xlen(self.stream_name)

    def list(self, count=50, newest_first=False):
        """Up to ``count`` dead letters, oldest first (or newest first)."""
        if newest_first:
            entries = self.redis.xrevrange(self.stream_name, count=count)
        else:
            entries = self.redis.xrange(self.stream_name, count=count)
        return [DeadLetter.from_entry(entry_id, fields) for entry_id, fields in entries]

    def get(self, ids):
        """The dead letters with these ids (missing ones are left out)."""
        letters = []
        for letter_id in ids:
            for entry_id, fields in self.redis.xrange(self.stream_name, letter_id, letter_id):
                letters.append(DeadLetter.from_entry(entry_id, fields))
        return letters

    def replay(self, ids=None):
        """Re-publish the original fields to the main stream and delete the dead letters.

        ``ids=None`` replays every dead letter. Returns ``(replayed, skipped)``: letters
        without original fields (trimmed before they were stored) are skipped and kept.
        """
        replayed = skipped = 0
        for letters in self._chunks(ids):
            pipe = self.redis.pipeline(transaction=True)  # re-published and deleted together
            moved = []
            for letter in letters:
                if not letter.original:
                    skipped += 1
                    continue
                pipe.xadd(self.main_stream, letter.original)
                moved.append(letter.id)
            if moved:
                pipe.xdel(self.stream_name, *moved)
                pipe.execute()
                replayed += len(moved)
        if replayed or skipped:
            logger.info(
                "Replayed %d dead letter(s) to %s; %d skipped", replayed, self.main_stream, skipped
            )
        return replayed, skipped

    def purge(self, ids=None):
        """Delete the dead letters with these ids, or all of them; returns how many."""
        purged = 0
        for letters in self._chunks(ids):
            purged += self.redis.xdel(self.stream_name, *[letter.id for letter in letters])
        return purged

    def _chunks(self, ids):
        if ids is not None:
            letters = self.get(ids)
            for start in range(0, len(letters), CHUNK):
                yield letters[start : start + CHUNK]
            return
        # Walk from the oldest; each chunk is deleted before the next is read, but a
        # cursor keeps letters that could not be deleted (skipped) from being read twice.
        cursor = "-"
        while True:
            entries = self.redis.xrange(self.stream_name, min=cursor, count=CHUNK)
            if not entries:
                return
            yield [DeadLetter.from_entry(entry_id, fields) for entry_id, fields in entries]
            cursor = "(" + as_text(entries[-1][0])
