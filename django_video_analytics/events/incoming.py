"""Parsed entries on their way to the database, and what storing a batch of them derives.

``ingest.store_events`` stores an ``IncomingBatch``. What it needs from the entries alone,
before any query (the first entry of each source id, the entries by type, each camera's
newest timestamp, the statistics they add), is computed once, on first use. The consumer's
reader thread calls ``derive()``, so that it is ready when the batch's turn comes and the
storing thread only waits on the database.
"""

from collections import defaultdict
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from ..statistics import statistics_increments
from . import wire


class IncomingEvent(NamedTuple):
    """A parsed entry on its way to the database; ``entry_id`` is the caller's handle."""

    entry_id: str
    source_id: str
    event: wire.WireEvent
    unseen: bool = False  # its source id cannot have a row yet: no need to look it up
    row: str | None = None  # its row as COPY text, encoded ahead (``copy_text.encode_row``)


class IncomingBatch:
    """``IncomingEvent`` items to store in one transaction; their derived parts are cached."""

    def __init__(self, items):
        self.items = list(items)

    def __len__(self):
        return len(self.items)

    def derive(self):
        """Compute every derived part now; returns the batch."""
        for name in ("unique", "by_type", "latest", "increments"):
            getattr(self, name)
        return self

    @cached_property
    def unique(self) -> list[IncomingEvent]:
        """The first item of each (event type, source id): a redelivery can hold one twice."""
        seen = set()
        unique = []
        for item in self.items:
            key = (item.event.event_type, item.source_id)  # source ids are unique per table
            if key not in seen:
                seen.add(key)
                unique.append(item)
        return unique

    @property
    def duplicates(self) -> int:
        """Items left out of ``unique``."""
        return len(self.items) - len(self.unique)

    @cached_property
    def by_type(self) -> dict[str, list[IncomingEvent]]:
        """``unique`` by event type, each in its order."""
        by_type: defaultdict[str, list[IncomingEvent]] = defaultdict(list)
        for item in self.unique:
            by_type[str(item.event.event_type)].append(item)
        return dict(by_type)

    @cached_property
    def latest(self) -> dict[str, datetime]:
        """camera_id -> the newest event timestamp of ``unique``."""
        latest: dict[str, datetime] = {}
        for item in self.unique:
            camera_id, timestamp = item.event.camera_id, item.event.timestamp
            if camera_id not in latest or timestamp > latest[camera_id]:
                latest[camera_id] = timestamp
        return latest

    @cached_property
    def increments(self):
        """What ``unique`` adds to the statistics: ``{(camera_id, date): Counter}``."""
        return statistics_increments((item.event.camera_id, item.event) for item in self.unique)
