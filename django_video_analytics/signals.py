"""Signals a host project can connect to."""

from django.dispatch import Signal

# Sent after the consumer commits a batch of events.
# Keyword arguments: ``camera_ids`` (set of str), ``counts`` (dict event_type -> int),
# ``events`` (list of the created model instances; bulk-created, so without ids on MySQL).
events_stored = Signal()

# Sent when a plate read matches a watchlist entry, after the alert row is committed.
# Keyword arguments: ``alert`` (PlateAlert, with ``entry``, ``event`` and ``camera``).
plate_alert = Signal()

# Sent when a camera's recorded health changes, after the new period is committed.
# Keyword arguments: ``camera`` (Camera), ``state`` ("online" / "offline"), ``previous``
# (the previous state or None), ``since`` (aware datetime), ``reason`` (str).
camera_health_changed = Signal()
