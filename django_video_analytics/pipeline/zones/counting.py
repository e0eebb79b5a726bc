"""Per-track counting: line crossings with hysteresis, zone visits with inertia, occupancy.

``ZoneCounter`` is pure bookkeeping over (track id, class, box, time) observations, so a
benchmark or a test can drive it without frames; ``ZoneCountingStage`` feeds it from the
analyzer.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from .geometry import Point, crossing_parameter, point_in_polygon, side_of_line
from .specs import LineSpec, SpecError, ZoneSpec, anchor_point

IN, OUT = "in", "out"


@dataclass(frozen=True)
class LineCrossing:
    """A track crossed a line: towards the line's "in" side (``IN``) or away (``OUT``)."""

    zone: str
    track_id: int
    class_name: str
    direction: str
    timestamp: datetime


@dataclass(frozen=True)
class ZoneVisit:
    """A track's stay in a zone; ``exited`` is None while it goes on (a loitering alert)."""

    zone: str
    track_id: int
    class_name: str
    entered: datetime
    exited: datetime | None
    dwell_seconds: float
    loitered: bool
    occupancy_at_entry: int  # tracks of this class inside, this one included, on entry


@dataclass(frozen=True)
class Occupancy:
    """How many tracks of one class are inside one zone now."""

    zone: str
    class_name: str
    count: int


@dataclass
class _LineState:
    side: int = 0  # the side last confirmed: +1 "in", -1 "out", 0 not yet
    crossed_at: float | None = None  # where along the line the path last crossed it
    last: Point | None = None


@dataclass
class _ZoneState:
    inside: bool = False  # confirmed, after the inertia
    run: int = 0  # consecutive observations contradicting ``inside``
    run_started: datetime | None = None
    entered: datetime | None = None
    last_inside: datetime | None = None
    loitered: bool = False
    occupancy_at_entry: int = 0


@dataclass
class _Track:
    votes: Counter = field(default_factory=Counter)
    lines: dict = field(default_factory=dict)
    zones: dict = field(default_factory=dict)

    @property
    def class_name(self) -> str:
        # The class most often given, like the analyzer's TrackBook.
        return self.votes.most_common(1)[0][0]


class ZoneCounter:
    """Counts one camera's tracks against its lines and zones."""

    def __init__(self, specs=()):
        names = [spec.name for spec in specs]
        if len(set(names)) < len(names):
            raise SpecError("name", "each line and zone of a camera needs its own name")
        self.lines = [spec for spec in specs if isinstance(spec, LineSpec)]
        self.zones = [spec for spec in specs if isinstance(spec, ZoneSpec)]
        self._tracks: dict[int, _Track] = {}

    def observe(self, track_id: int, class_name: str, box, timestamp: datetime) -> list:
        """One observation of a track; returns the crossings and visit events it completes."""
        track = self._tracks.setdefault(track_id, _Track())
        track.votes[class_name] += 1
        voted = track.class_name
        events = []
        for spec in self.lines:
            if spec.counts(voted):
                state = track.lines.setdefault(spec.name, _LineState())
                direction = _line_step(spec, state, anchor_point(box, spec.anchor))
                if direction is not None:
                    events.append(LineCrossing(spec.name, track_id, voted, direction, timestamp))
        for spec in self.zones:
            if spec.counts(voted):
                state = track.zones.setdefault(spec.name, _ZoneState())
                inside = point_in_polygon(anchor_point(box, spec.anchor), spec.points)
                events += self._zone_step(spec, state, track_id, voted, inside, timestamp)
        return events

    def end_track(self, track_id: int) -> list[ZoneVisit]:
        """The track has ended: close its open visits and forget it."""
        track = self._tracks.pop(track_id, None)
        if track is None:
            return []
        visits = []
        for name, state in track.zones.items():
            if state.inside:
                # Leaving was under way: it began with the first frame seen outside.
                exited = state.run_started if state.run else state.last_inside
                visits.append(_visit(name, track_id, track.class_name, state, exited))
        return visits

    def end_all(self) -> list[ZoneVisit]:
        """End every track (the camera stops)."""
        return [visit for track_id in list(self._tracks) for visit in self.end_track(track_id)]

    def occupancy(self) -> list[Occupancy]:
        """Tracks inside each zone now, per class (zones and classes with none are left out)."""
        counts = Counter(
            (name, track.class_name)
            for track in self._tracks.values()
            for name, state in track.zones.items()
            if state.inside
        )
        return [Occupancy(zone, class_name, n) for (zone, class_name), n in sorted(counts.items())]

    def _zone_step(self, spec, state, track_id, class_name, inside, timestamp) -> list:
        if inside:
            state.last_inside = timestamp
        if inside == state.inside:
            state.run, state.run_started = 0, None
        else:
            if not state.run:
                state.run_started = timestamp
            state.run += 1
            if state.run >= spec.inertia_frames:
                # The change happened at the first frame of the run, not the last.
                changed_at, state.run, state.run_started = state.run_started, 0, None
                state.inside = inside
                if not inside:
                    return [_visit(spec.name, track_id, class_name, state, changed_at)]
                state.entered, state.loitered = changed_at, False
                state.occupancy_at_entry = self._inside_count(spec.name, class_name)
        if (
            state.inside
            and not state.loitered
            and spec.loiter_seconds is not None
            and (timestamp - state.entered).total_seconds() >= spec.loiter_seconds
        ):
            state.loitered = True
            return [_visit(spec.name, track_id, class_name, state, None, timestamp)]
        return []

    def _inside_count(self, zone: str, class_name: str) -> int:
        return sum(
            1
            for track in self._tracks.values()
            if track.class_name == class_name and zone in track.zones and track.zones[zone].inside
        )


def _line_step(spec: LineSpec, state: _LineState, point: Point) -> str | None:
    """Advance one line's state by one anchor point; the direction when a crossing counts."""
    start, end = spec.points
    if state.last is not None:
        fraction = crossing_parameter(state.last, point, start, end)
        if fraction is not None:
            state.crossed_at = fraction
    state.last = point
    offset = side_of_line(point, start, end) * (1 if spec.in_side == "left" else -1)
    if abs(offset) < spec.min_distance:
        return None  # within the hysteresis band: neither side yet
    side, previous, fraction = (1 if offset > 0 else -1), state.side, state.crossed_at
    state.side, state.crossed_at = side, None
    # The first confirmed side is where the track starts; a change of side counts only
    # when the path went through the segment itself, not through its extension.
    if previous == -side and fraction is not None and 0.0 <= fraction <= 1.0:
        return IN if side > 0 else OUT
    return None


def _visit(zone, track_id, class_name, state: _ZoneState, exited, now=None) -> ZoneVisit:
    """The visit of a track inside the zone; ``exited`` None (and ``now``) while it lasts."""
    entered = state.entered
    assert entered is not None, "only a track that entered has a visit"
    until = exited if exited is not None else now
    return ZoneVisit(
        zone=zone,
        track_id=track_id,
        class_name=class_name,
        entered=entered,
        exited=exited,
        dwell_seconds=(until - entered).total_seconds(),
        loitered=state.loitered,
        occupancy_at_entry=state.occupancy_at_entry,
    )
