"""The most recent detections and plates, newest first."""

from dataclasses import dataclass

from ..models import ANPREvent, DetectionEvent
from .cache import cached, scope_of

# Feed kind -> event model; each kind costs one query on a cache miss.
FEED_MODELS = {"detections": DetectionEvent, "plates": ANPREvent}


@dataclass(frozen=True)
class FeedItem:
    kind: str
    event: object  # a DetectionEvent or ANPREvent with its camera


def parse_kinds(kinds):
    """``"detections,plates"`` -> ``("detections", "plates")``, rejecting unknown names."""
    names = tuple(name.strip() for name in kinds.split(",") if name.strip())
    unknown = set(names) - set(FEED_MODELS)
    if unknown or not names:
        raise ValueError(f"kinds must name some of {', '.join(FEED_MODELS)}, not {kinds!r}")
    return names


def latest_events(camera_id, kinds, limit):
    """Up to ``limit`` FeedItems of ``kinds`` for ``camera_id`` (None: all cameras); cached."""
    name = f"feed:{'+'.join(kinds)}:{limit}"
    return cached(scope_of(camera_id), name, lambda: query_feed(camera_id, kinds, limit))


def feed_in(scope, kinds, limit):
    """The FeedItems a tag shows for a ``widgets.scope.Scope``: cached unless per user."""
    if scope.hidden:
        return []
    if scope.camera_id is not None or scope.cameras is None:
        return latest_events(scope.camera_id, kinds, limit)
    return query_feed(None, kinds, limit, cameras=scope.cameras)


def query_feed(camera_id, kinds, limit, cameras=None):
    items = []
    for kind in kinds:
        events = FEED_MODELS[kind].objects.select_related("camera").order_by("-timestamp", "-id")
        if camera_id is not None:
            events = events.filter(camera__camera_id=camera_id)
        if cameras is not None:
            events = events.filter(camera__in=cameras.values("pk"))
        items.extend(FeedItem(kind, event) for event in events[:limit])
    items.sort(key=lambda item: item.event.timestamp, reverse=True)
    return items[:limit]


def detection_summary(detections):
    """``"person ×2, car"`` from a detection event's ``detections`` list."""
    counts = {}
    for detection in detections or ():
        name = detection.get("class_name", "?") if isinstance(detection, dict) else "?"
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(name if n == 1 else f"{name} ×{n}" for name, n in counts.items())
