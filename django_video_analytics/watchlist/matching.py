"""Which watchlist entries a plate read hits, and the alerts the hits raise."""

import logging
from functools import partial

from django.db import transaction
from django.db.models import Q

from .. import webhook_outbox
from ..models import ANPREvent, PendingWebhook, PlateAlert, WatchlistEntry
from ..signals import plate_alert
from .patterns import PatternError, compile_pattern
from .plates import canonical_plate
from .scoping import cameras_of_owner

logger = logging.getLogger(__name__)


def levenshtein(a, b):
    """The number of single-character insertions, deletions or substitutions from a to b."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


class WatchlistMatcher:
    """The entries active in a time span, ready to match plates against."""

    def __init__(self, entries):
        self.entries = []
        owner_cameras = {}  # owner pk -> camera pks the hook shows them (None: all)
        for entry in entries:
            try:
                compiled = compile_pattern(entry.plate) if entry.is_pattern else None
            except PatternError as exc:
                logger.warning("Watchlist entry %s: skipped, %s", entry.pk, exc)
                continue
            if entry.created_by_id not in owner_cameras:
                owner_cameras[entry.created_by_id] = cameras_of_owner(entry.created_by)
            cameras = {camera.pk for camera in entry.cameras.all()} or None
            scope = owner_cameras[entry.created_by_id]
            if scope is not None:
                cameras = scope if cameras is None else cameras & scope
            self.entries.append((entry, compiled, canonical_plate(entry.plate), cameras))

    @classmethod
    def active_between(cls, start, end):
        """Entries active at some moment of ``start .. end``."""
        entries = (
            WatchlistEntry.objects.filter(is_active=True)
            .filter(Q(active_from__isnull=True) | Q(active_from__lte=end))
            .filter(Q(active_until__isnull=True) | Q(active_until__gte=start))
            .select_related("created_by")
            .prefetch_related("cameras")
        )
        return cls(entries)

    def matches(self, plate, camera_pk, moment):
        """``(entry, distance)`` for each entry that ``plate`` seen by the camera hits."""
        plate = canonical_plate(plate)
        hits = []
        for entry, pattern, wanted, cameras in self.entries:
            if cameras is not None and camera_pk not in cameras:
                continue
            if entry.active_from and moment < entry.active_from:
                continue
            if entry.active_until and moment > entry.active_until:
                continue
            if pattern is not None:
                if pattern.fullmatch(plate):
                    hits.append((entry, 0))
                continue
            # The length difference bounds the distance: most entries end here.
            if abs(len(plate) - len(wanted)) > entry.max_distance:
                continue
            distance = levenshtein(plate, wanted)
            if distance <= entry.max_distance:
                hits.append((entry, distance))
        return hits


def raise_alerts(events):
    """Create the alerts for the ANPR events among ``events``; announce them on commit."""
    plates = [event for event in events if isinstance(event, ANPREvent)]  # stored: with a pk
    if not plates:
        return []
    matcher = WatchlistMatcher.active_between(
        min(event.timestamp for event in plates), max(event.timestamp for event in plates)
    )
    if not matcher.entries:
        return []
    alerts = []
    with transaction.atomic():
        for event in plates:
            for entry, distance in matcher.matches(
                event.license_plate, event.camera_id, event.timestamp
            ):
                alert, created = PlateAlert.objects.get_or_create(
                    entry=entry,
                    event=event,
                    defaults={
                        "camera_id": event.camera_id,
                        "license_plate": event.license_plate,
                        "distance": distance,
                    },
                )
                if created:
                    if entry.webhook_url:
                        # Same transaction: never an alert without its delivery owed.
                        webhook_outbox.owe(PendingWebhook, alert=alert)
                    alerts.append(alert)
                    transaction.on_commit(partial(announce, alert))
    return alerts


def announce(alert):
    """Send ``plate_alert`` and wake the webhook runner for a committed alert."""
    logger.info(
        "Plate alert %s: %s on %s (entry %s, distance %d)",
        alert.pk,
        alert.license_plate,
        alert.event.camera.camera_id,
        alert.entry_id,
        alert.distance,
    )
    plate_alert.send(sender=PlateAlert, alert=alert)
    if alert.entry.webhook_url:
        webhook_outbox.start_runner_quietly(f"plate alert {alert.pk}")
