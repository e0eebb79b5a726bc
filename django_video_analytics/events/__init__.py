"""The event pipeline: wire format, publisher, consumer group, bulk ingest, dead letters.

``wire`` and ``publisher`` need only Redis (producers import them); ``consumer``,
``ingest`` and ``dead_letters`` need the models too.
"""
