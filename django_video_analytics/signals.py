"""Signals a host project can connect to."""

from django.dispatch import Signal

# Sent after the consumer commits a batch of events.
# Keyword arguments: ``camera_ids`` (set of str), ``counts`` (dict event_type -> int),
# ``events`` (list of the created model instances; bulk-created, so without ids on MySQL).
events_stored = Signal()
