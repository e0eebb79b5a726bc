"""The counting rules on synthetic tracks whose anchor (bottom centre) follows given points."""

from datetime import datetime, timedelta, timezone

import pytest

from django_video_analytics.pipeline.zones import (
    IN,
    OUT,
    LineCrossing,
    LineSpec,
    Occupancy,
    ZoneCounter,
    ZoneSpec,
    ZoneVisit,
)

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
STEP = timedelta(seconds=0.2)
# Horizontal, from left to right: its "left" (the in side) is the top of the image.
DOOR = LineSpec("door", ((0.2, 0.5), (0.8, 0.5)), min_distance=0.03)
SHOP = ZoneSpec("shop", ((0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7)), inertia_frames=3)


def box(x, y):
    """A person-sized box whose bottom centre is (x, y)."""
    return (x - 0.05, y - 0.2, 0.1, 0.2)


def walk(counter, points, track_id=1, class_name="person", start=0):
    """Feed one observation per point, a frame interval apart; return what was reported."""
    events = []
    for index, (x, y) in enumerate(points, start):
        events += counter.observe(track_id, class_name, box(x, y), T0 + index * STEP)
    return events


def ys(*values, x=0.5):
    return [(x, y) for y in values]


def crossings(events):
    return [e.direction for e in events if isinstance(e, LineCrossing)]


def test_a_crossing_each_way_with_its_direction_class_and_time():
    counter = ZoneCounter([DOOR])
    down = walk(counter, ys(0.2, 0.3, 0.4, 0.6, 0.7))
    assert down == [LineCrossing("door", 1, "person", OUT, T0 + 3 * STEP)]
    assert crossings(walk(counter, ys(0.6, 0.4, 0.2), start=5)) == [IN]


def test_in_side_right_swaps_the_directions():
    counter = ZoneCounter([LineSpec("door", DOOR.points, in_side="right")])
    assert crossings(walk(counter, ys(0.2, 0.7, 0.2))) == [IN, OUT]


def test_jitter_across_the_line_within_the_hysteresis_never_counts():
    counter = ZoneCounter([DOOR])
    jitter = [0.5 + (0.025 if i % 2 else -0.025) for i in range(40)]
    assert walk(counter, ys(0.3, *jitter, 0.3)) == []


def test_hovering_on_the_line_then_crossing_counts_once():
    counter = ZoneCounter([DOOR])
    hover = [0.5 + 0.02 * ((-1) ** i) for i in range(30)]
    assert crossings(walk(counter, ys(0.2, 0.4, *hover, 0.6, 0.8))) == [OUT]


def test_a_real_recrossing_counts_again():
    counter = ZoneCounter([DOOR])
    assert crossings(walk(counter, ys(0.3, 0.7, 0.3, 0.7, 0.52, 0.45))) == [OUT, IN, OUT, IN]


def test_dipping_over_the_line_and_back_is_no_crossing():
    counter = ZoneCounter([DOOR])
    # 0.52 is past the line but not past the hysteresis band on the other side.
    assert walk(counter, ys(0.3, 0.45, 0.52, 0.45, 0.3)) == []


def test_a_track_first_seen_beyond_the_line_has_not_crossed_it():
    counter = ZoneCounter([DOOR])
    assert walk(counter, ys(0.7, 0.8, 0.9)) == []


def test_passing_beside_the_segment_on_its_extension_does_not_count():
    counter = ZoneCounter([DOOR])
    assert walk(counter, ys(0.3, 0.7, x=0.9)) == []  # x=0.9 is beyond the end (0.8)
    # The track is on the other side now: coming back through the segment counts.
    assert crossings(walk(counter, [(0.6, 0.7), (0.6, 0.3)], start=2)) == [IN]


def test_a_fast_object_seen_once_on_each_side_counts():
    counter = ZoneCounter([DOOR])
    assert crossings(walk(counter, ys(0.1, 0.9))) == [OUT]


def test_two_tracks_are_counted_separately_and_classes_filter():
    counter = ZoneCounter([LineSpec("gate", DOOR.points, classes=("car",))])
    events = []
    for index, (a, b) in enumerate(zip([0.2, 0.4, 0.6, 0.8], [0.8, 0.6, 0.4, 0.2], strict=True)):
        events += counter.observe(1, "car", box(0.4, a), T0 + index * STEP)
        events += counter.observe(2, "car", box(0.5, b), T0 + index * STEP)
        events += counter.observe(3, "person", box(0.6, a), T0 + index * STEP)
    assert sorted((e.track_id, e.direction) for e in events) == [(1, OUT), (2, IN)]


def test_the_voted_class_names_the_crossing():
    counter = ZoneCounter([DOOR])
    counter.observe(1, "bus", box(0.5, 0.2), T0)
    counter.observe(1, "bus", box(0.5, 0.3), T0 + STEP)
    (crossing,) = counter.observe(1, "truck", box(0.5, 0.8), T0 + 2 * STEP)
    assert crossing.class_name == "bus"


def test_zone_visit_with_inertia_dates_entry_and_exit_to_the_first_frame():
    counter = ZoneCounter([SHOP])
    # Outside for 2 frames, inside for frames 2..11, outside from frame 12.
    path = ys(0.1, 0.2, *[0.5] * 10, 0.9, 0.9, 0.9)
    (visit,) = walk(counter, path)
    assert visit == ZoneVisit(
        "shop", 1, "person", T0 + 2 * STEP, T0 + 14 * STEP - 2 * STEP, 2.0, False, 1
    )


def test_flicker_at_the_edge_shorter_than_the_inertia_is_no_visit():
    counter = ZoneCounter([SHOP])
    edge = [0.31 if i % 3 == 0 else 0.29 for i in range(30)]  # 1 frame in, 2 out
    assert walk(counter, [(x, 0.5) for x in edge]) == []
    assert counter.occupancy() == []


def test_entering_and_leaving_twice_gives_two_visits():
    counter = ZoneCounter([SHOP])
    path = ys(0.1, *[0.5] * 5, *[0.9] * 5, *[0.5] * 8, *[0.9] * 4)
    visits = walk(counter, path)
    assert [(v.entered, v.exited, v.dwell_seconds) for v in visits] == [
        (T0 + STEP, T0 + 6 * STEP, pytest.approx(1.0)),
        (T0 + 11 * STEP, T0 + 19 * STEP, pytest.approx(1.6)),
    ]


def test_loitering_is_reported_once_when_dwell_passes_the_threshold():
    counter = ZoneCounter([ZoneSpec("till", SHOP.points, loiter_seconds=1.0, inertia_frames=2)])
    events = walk(counter, ys(*[0.5] * 10, 0.9, 0.9))
    alert, final = events
    assert (alert.exited, alert.loitered, alert.entered) == (None, True, T0)
    assert alert.dwell_seconds == pytest.approx(1.0)  # frame 5, 1 s after entering
    assert (final.exited, final.loitered, final.dwell_seconds) == (T0 + 10 * STEP, True, 2.0)


def test_a_track_that_ends_inside_closes_its_visit_at_its_last_frame():
    counter = ZoneCounter([SHOP])
    walk(counter, ys(*[0.5] * 6))
    (visit,) = counter.end_track(1)
    assert (visit.entered, visit.exited, visit.dwell_seconds) == (T0, T0 + 5 * STEP, 1.0)
    assert counter.end_track(1) == []


def test_a_track_ending_while_leaving_exits_at_its_first_frame_outside():
    counter = ZoneCounter([SHOP])
    walk(counter, ys(*[0.5] * 6, 0.9, 0.9))  # two frames outside: not yet left
    (visit,) = counter.end_all()
    assert visit.exited == T0 + 6 * STEP


def test_occupancy_per_zone_and_class_and_at_entry():
    counter = ZoneCounter([SHOP])
    for index in range(3):
        now = T0 + index * STEP
        counter.observe(1, "person", box(0.4, 0.5), now)
        counter.observe(2, "person", box(0.6, 0.5), now)
        counter.observe(3, "car", box(0.5, 0.4), now)
        counter.observe(4, "car", box(0.5, 0.9), now)  # outside
    assert counter.occupancy() == [
        Occupancy("shop", "car", 1),
        Occupancy("shop", "person", 2),
    ]
    (visit,) = counter.end_track(2)
    assert visit.occupancy_at_entry == 2
    assert counter.occupancy() == [Occupancy("shop", "car", 1), Occupancy("shop", "person", 1)]


def test_the_anchor_decides_where_a_track_is():
    centre = ZoneSpec("shop", SHOP.points, anchor="centre", inertia_frames=1)
    counter = ZoneCounter([centre, ZoneSpec("feet", SHOP.points, inertia_frames=1)])
    counter.observe(1, "person", box(0.5, 0.75), T0)  # feet below the zone, centre in it
    assert counter.occupancy() == [Occupancy("shop", "person", 1)]
