"""Prometheus series of the package: cameras, the consumer, the stream and webhooks.

Every series is defined here once. Processes increment them through the ``record_*``
helpers; ``registry()`` collects them for the web view and for ``--metrics-port``. Under a
multi-process server (gunicorn, uWSGI) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty,
writable directory before the processes start: counters and histograms are then summed
over the processes. Stream length, pending and lag are read from Redis at scrape time,
so they are right whichever process serves the scrape.
"""

import logging
import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

PREFIX = "video_analytics"

# Camera workers, per camera
FRAMES_READ = Counter(f"{PREFIX}_frames_read", "Frames read from the source.", ["camera"])
FRAMES_ANALYSED = Counter(
    f"{PREFIX}_frames_analysed", "Frames passed through the analysis.", ["camera"]
)
FRAMES_DROPPED = Counter(
    f"{PREFIX}_frames_dropped", "Frames dropped because the analysis was busy.", ["camera"]
)
DETECTOR_FPS = Gauge(
    f"{PREFIX}_detector_fps",
    "Frames per second through the object detector.",
    ["camera"],
    multiprocess_mode="livesum",
)
INFERENCE_SECONDS = Histogram(
    f"{PREFIX}_inference_seconds",
    "Object detector time per frame.",
    ["camera"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
EVENTS_PUBLISHED = Counter(
    f"{PREFIX}_events_published", "Events published to the stream.", ["camera", "event_type"]
)
RECONNECTS = Counter(f"{PREFIX}_reconnects", "Times a camera source was reopened.", ["camera"])

# Consumers
ENTRIES_READ = Counter(f"{PREFIX}_consumer_entries_read", "Stream entries read.")
ENTRIES_STORED = Counter(f"{PREFIX}_consumer_entries_stored", "Entries stored as new rows.")
ENTRIES_DUPLICATE = Counter(
    f"{PREFIX}_consumer_duplicates", "Entries whose row already existed (redeliveries)."
)
ENTRIES_DEAD_LETTERED = Counter(
    f"{PREFIX}_consumer_dead_lettered", "Entries set aside in the dead-letter stream."
)
BATCH_SECONDS = Histogram(
    f"{PREFIX}_consumer_batch_seconds",
    "Time to store and acknowledge one batch.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# Webhooks of plate alerts
WEBHOOKS_DELIVERED = Counter(f"{PREFIX}_webhooks_delivered", "Webhook POSTs answered 2xx.")
WEBHOOKS_FAILED = Counter(f"{PREFIX}_webhooks_failed", "Webhook POSTs that failed.")


def record_frame(camera_id, *, analysed, dropped=0):
    """One frame read (and analysed or not); ``dropped`` frames skipped since the last."""
    FRAMES_READ.labels(camera_id).inc()
    if analysed:
        FRAMES_ANALYSED.labels(camera_id).inc()
    if dropped:
        FRAMES_DROPPED.labels(camera_id).inc(dropped)


def record_inference(camera_id, seconds, fps=None):
    INFERENCE_SECONDS.labels(camera_id).observe(seconds)
    if fps is not None:
        DETECTOR_FPS.labels(camera_id).set(fps)


def record_published(camera_id, counts):
    """Events just published by a camera: ``counts`` maps event type -> entries."""
    for event_type, count in counts.items():
        EVENTS_PUBLISHED.labels(camera_id, event_type).inc(count)


def record_reconnect(camera_id):
    RECONNECTS.labels(camera_id).inc()


def record_batch(result, seconds):
    """A consumer batch: ``result`` is an ``events.consumer.BatchResult``."""
    ENTRIES_READ.inc(result.read)
    ENTRIES_STORED.inc(result.stored)
    ENTRIES_DUPLICATE.inc(result.duplicates)
    ENTRIES_DEAD_LETTERED.inc(result.dead_lettered)
    BATCH_SECONDS.observe(seconds)


def record_webhook(succeeded):
    (WEBHOOKS_DELIVERED if succeeded else WEBHOOKS_FAILED).inc()


class StreamCollector:
    """Stream length, pending entries and lag of the consumer group, read at scrape time."""

    def collect(self):
        import redis

        from .conf import analytics_settings
        from .connection import get_redis
        from .operations.stream_state import stream_state

        try:
            state = stream_state(
                get_redis(), analytics_settings.STREAM_NAME, analytics_settings.CONSUMER_GROUP
            )
        except redis.RedisError as exc:  # the other series are still worth a scrape
            logger.warning("Stream metrics left out: Redis unavailable (%s)", type(exc).__name__)
            return
        for name, documentation, value in (
            ("stream_length", "Entries in the event stream.", state.length),
            ("stream_pending", "Entries delivered to a consumer, not stored yet.", state.pending),
            ("stream_lag_seconds", "Age of the oldest entry not stored yet.", state.lag_seconds),
        ):
            yield GaugeMetricFamily(f"{PREFIX}_{name}", documentation, value=value)


def registry():
    """The registry to expose: this process's series, or every process's in multiprocess mode."""
    from prometheus_client import REGISTRY, multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
    else:
        collected = CollectorRegistry()
        collected.register(_Forward(REGISTRY))
    collected.register(StreamCollector())
    return collected


class _Forward:
    """The default registry's series inside another registry (which adds the stream's)."""

    def __init__(self, source):
        self.source = source

    def collect(self):
        yield from self.source.collect()


def start_metrics_server(port, addr="0.0.0.0"):
    """Serve ``registry()`` on ``port`` from a daemon thread (``--metrics-port``)."""
    from prometheus_client import start_http_server

    return start_http_server(port, addr=addr, registry=_LazyRegistry())


class _LazyRegistry:
    def collect(self):
        yield from registry().collect()
