"""Event sinks besides the Redis publisher (``EVENT_SINK`` names the one workers use)."""


class NullSink:
    """Drops every event: ``analyze_video --dry-run``."""

    def publish(self, entry):
        return None

    def publish_many(self, entries):
        return [None] * len(entries)
