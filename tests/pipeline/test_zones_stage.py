from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from django_video_analytics.pipeline.types import Detection, Frame
from django_video_analytics.pipeline.zones import Occupancy, SpecError
from django_video_analytics.pipeline.zones.stage import ZoneCountingStage

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
LINE = {"kind": "line", "name": "door", "points": [[0.2, 0.5], [0.8, 0.5]], "classes": ["person"]}
ZONE = {"kind": "polygon", "name": "hall", "points": [[0, 0], [1, 0], [1, 0.4], [0, 0.4]]}


def frame(index):
    return Frame(image=object(), index=index, timestamp=T0 + timedelta(seconds=index / 5))


def person(y, track_id=7, class_name="person"):
    return Detection(class_name, 0.9, (0.45, y - 0.2, 0.1, 0.2), track_id)


def test_crossings_come_at_once_and_visits_when_the_track_ends():
    stage = ZoneCountingStage(SimpleNamespace(zones=[LINE, ZONE]))
    results = []
    for index, y in enumerate([0.8, 0.7, 0.3, 0.2, 0.2]):
        results += stage.update(person(y), frame(index))
    (crossing,) = results
    assert (crossing.kind, crossing.track_id, crossing.frame.index) == ("line_crossing", 7, 2)
    assert crossing.payload == {"zone": "door", "class_name": "person", "direction": "in"}
    assert stage.occupancy() == [Occupancy("hall", "person", 1)]
    (visit,) = stage.finish(7)
    assert (visit.kind, visit.track_id, visit.frame.index, visit.frame.image) == (
        "zone_visit",
        7,
        4,
        None,  # the frame's pixels are not kept
    )
    assert visit.payload == {
        "zone": "hall",
        "class_name": "person",
        "entered": T0 + timedelta(seconds=0.4),
        "exited": T0 + timedelta(seconds=0.8),
        "dwell_seconds": 0.4,
        "loitered": False,
        "occupancy": 1,
    }
    assert stage.occupancy() == [] and stage.flush() == []


def test_wants_only_the_classes_of_its_lines_and_zones():
    stage = ZoneCountingStage(zones=[LINE])
    assert stage.wants(person(0.5)) and not stage.wants(person(0.5, class_name="car"))
    everything = ZoneCountingStage(zones=[LINE, ZONE])
    assert everything.wants(person(0.5, class_name="car"))
    assert not ZoneCountingStage(SimpleNamespace(camera_id="no-zones")).wants(person(0.5))


def test_flush_closes_every_open_visit():
    stage = ZoneCountingStage(zones=[ZONE])
    for index in range(4):
        stage.update(person(0.3, track_id=1), frame(index))
        stage.update(person(0.3, track_id=2), frame(index))
    assert sorted(r.track_id for r in stage.flush()) == [1, 2]
    assert stage.finish(1) == []


def test_a_bad_zone_fails_when_the_stage_is_built():
    with pytest.raises(SpecError) as raised:
        ZoneCountingStage(zones=[{**LINE, "in_side": "north"}])
    assert raised.value.field == "in_side"
