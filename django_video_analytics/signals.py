"""Signals a host project can connect to."""

from django.dispatch import Signal

# Sent once for every event the consumer commits (for one batch, or several stored back to
# back), inside a transaction of its own whose commit records the delivery (docs/events.md,
# "Signal"; ``events.outbox``).
# Keyword arguments: ``camera_ids`` (set of str), ``counts`` (dict event_type -> int),
# ``events`` (sequence of the created model instances, with their primary keys).
events_stored = Signal()

# Sent when a plate read matches a watchlist entry, after the alert row is committed.
# Keyword arguments: ``alert`` (PlateAlert, with ``entry``, ``event`` and ``camera``).
plate_alert = Signal()

# Sent when a camera's recorded health changes, after the new period is committed.
# Keyword arguments: ``camera`` (Camera), ``state`` ("online" / "offline"), ``previous``
# (the previous state or None), ``since`` (aware datetime), ``reason`` (str).
camera_health_changed = Signal()

# Sent when a stored zone visit loiters, or entered a zone above its ``occupancy_limit``, in
# the transaction that delivers ``events_stored`` (so once per stored visit; work outside the
# database belongs in ``transaction.on_commit``). Keyword arguments: ``camera`` (Camera),
# ``zone`` (Zone), ``kind`` ("loitering" / "occupancy"), ``visit`` (ZoneVisitEvent),
# ``occupancy`` (int: the zone's occupancy of the visit's class when it entered).
zone_alert = Signal()
