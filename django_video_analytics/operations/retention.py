"""Retention: delete events, snapshot files and dead letters older than their settings.

Rows go in bounded batches: the primary keys of the old rows are walked in ranges of
``RETENTION_BATCH_SIZE``, each range one short transaction, so a table with millions of
rows is never locked for long and consumers keep writing meanwhile. The snapshot files of
deleted rows are deleted through the storage API after their batch commits (a rolled-back
batch keeps its files). Daily statistics and zone counts (``ZoneCount``, ``ZoneDayCount``)
are left as they are.
"""

import logging
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from ..conf import analytics_settings
from ..events.kinds import STORED_KINDS

logger = logging.getLogger(__name__)

# Event model -> the setting holding its retention in days (``StoredKind.retention``).
ROW_RETENTION = tuple(
    (kind.model, kind.retention) for kind in STORED_KINDS.values() if kind.retention
)
SNAPSHOT_MODELS = tuple(kind.model for kind in STORED_KINDS.values() if "snapshot" in kind.fields)
DEAD_LETTER_CHUNK = 1000


@dataclass
class RetentionResult:
    """What one target lost (or would lose, in a dry run)."""

    target: str
    cutoff: str
    rows: int = 0
    files: int = 0
    batches: int = 0
    longest_batch_seconds: float = 0.0


@dataclass
class RetentionReport:
    results: list
    dry_run: bool

    def as_dict(self):
        return {"dry_run": self.dry_run, "results": [asdict(result) for result in self.results]}


def cutoff_for(days, now=None):
    """The moment before which data is older than ``days`` days; None keeps it forever."""
    if days is None:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def apply_retention(*, dry_run=False, now=None, batch_size=None):
    """Apply every retention setting; returns a ``RetentionReport``."""
    batch_size = batch_size or analytics_settings.RETENTION_BATCH_SIZE
    storage = storages[analytics_settings.SNAPSHOT_STORAGE]
    results = []
    for model, setting in ROW_RETENTION:
        cutoff = cutoff_for(getattr(analytics_settings, setting), now)
        if cutoff is not None:
            results.append(delete_rows(model, cutoff, storage, batch_size, dry_run))
    snapshot_cutoff = cutoff_for(analytics_settings.RETENTION_SNAPSHOT_DAYS, now)
    if snapshot_cutoff is not None:
        for model in SNAPSHOT_MODELS:
            results.append(clear_snapshots(model, snapshot_cutoff, storage, batch_size, dry_run))
    dead_letter_cutoff = cutoff_for(analytics_settings.RETENTION_DEAD_LETTER_DAYS, now)
    if dead_letter_cutoff is not None:
        results.append(trim_dead_letters(dead_letter_cutoff, dry_run))
    return RetentionReport(results, dry_run)


def delete_rows(model, cutoff, storage, batch_size, dry_run):
    """Delete ``model`` rows older than ``cutoff`` (and their snapshot files) in batches."""
    old = model.objects.filter(timestamp__lt=cutoff)
    result = RetentionResult(model._meta.model_name, cutoff.isoformat())
    if dry_run:
        result.rows = old.count()
        if _has_snapshot(model):
            result.files = old.exclude(snapshot="").count()
        return result

    def delete(pks):
        # Cascades (plate alerts, their webhook deliveries) go in the same transaction.
        model.objects.filter(pk__in=pks).delete()

    result.rows = _walk(old, batch_size, storage, result, delete)
    _log(result)
    return result


def clear_snapshots(model, cutoff, storage, batch_size, dry_run):
    """Delete the snapshot files of rows older than ``cutoff``; the rows stay, without one."""
    old = model.objects.filter(timestamp__lt=cutoff).exclude(snapshot="")
    result = RetentionResult(f"{model._meta.model_name} snapshots", cutoff.isoformat())
    if dry_run:
        result.files = old.count()
        return result

    def clear(pks):
        model.objects.filter(pk__in=pks).update(snapshot="")

    _walk(old, batch_size, storage, result, clear)
    _log(result)
    return result


def _walk(queryset, batch_size, storage, result, action):
    """Apply ``action(pks)`` to ``queryset`` one primary-key range at a time; returns rows."""
    model = queryset.model
    first = queryset.order_by("pk").values_list("pk", flat=True).first()
    if first is None:
        return 0
    last = queryset.order_by("-pk").values_list("pk", flat=True).first()
    fields = ("pk", "snapshot") if _has_snapshot(model) else ("pk",)
    low, handled = first, 0
    while low <= last:
        started = time.monotonic()
        with transaction.atomic(using=queryset.db):
            rows = list(
                queryset.filter(pk__gte=low, pk__lt=low + batch_size)
                .select_for_update()
                .values_list(*fields)
            )
            pks = [row[0] for row in rows]
            names = [row[1] for row in rows if len(row) > 1 and row[1]]
            if pks:
                action(pks)
        elapsed = time.monotonic() - started
        result.batches += 1
        handled += len(pks)
        result.longest_batch_seconds = max(result.longest_batch_seconds, elapsed)
        result.files += _delete_files(storage, names)
        low += batch_size
    return handled


def _delete_files(storage, names):
    deleted = 0
    for name in names:
        try:
            storage.delete(name)
        except OSError as exc:  # a storage outage: the row is gone, so the file is left over
            logger.warning("Snapshot %s not deleted (delete it by hand): %s", name, exc)
            continue
        deleted += 1
    return deleted


def trim_dead_letters(cutoff, dry_run):
    """Delete dead letters older than ``cutoff`` (their stream ids are their times)."""
    from ..connection import get_redis

    redis = get_redis()
    stream = analytics_settings.DEAD_LETTER_STREAM
    min_id = f"{int(cutoff.timestamp() * 1000)}-0"
    result = RetentionResult("dead letters", cutoff.isoformat())
    if dry_run:
        result.rows = _count_before(redis, stream, min_id)
        return result
    result.rows = redis.xtrim(stream, minid=min_id, approximate=False)
    result.batches = 1
    _log(result)
    return result


def _count_before(redis, stream, min_id):
    count, cursor = 0, "-"
    while True:
        entries = redis.xrange(stream, min=cursor, max=f"({min_id}", count=DEAD_LETTER_CHUNK)
        count += len(entries)
        if len(entries) < DEAD_LETTER_CHUNK:
            return count
        last = entries[-1][0]
        cursor = "(" + (last.decode() if isinstance(last, bytes) else last)


def _has_snapshot(model):
    return any(field.name == "snapshot" for field in model._meta.concrete_fields)


def _log(result):
    if result.rows or result.files:
        logger.info(
            "Retention %s (before %s): %d row(s), %d file(s) in %d batch(es), longest %.3f s",
            result.target,
            result.cutoff,
            result.rows,
            result.files,
            result.batches,
            result.longest_batch_seconds,
        )
