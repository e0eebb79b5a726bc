from datetime import datetime, timedelta, timezone

from django_video_analytics.pipeline.tracking import IouTracker, TrackBook, iou
from django_video_analytics.pipeline.types import Detection

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def person(x, track_id=None, class_name="person"):
    return Detection(class_name, 0.9, (x, 0.2, 0.1, 0.4), track_id)


def test_iou_of_identical_disjoint_and_half_overlapping_boxes():
    assert iou((0, 0, 1, 1), (0, 0, 1, 1)) == 1
    assert iou((0, 0, 0.1, 0.1), (0.5, 0.5, 0.1, 0.1)) == 0
    assert abs(iou((0, 0, 0.2, 0.1), (0.1, 0, 0.2, 0.1)) - 1 / 3) < 1e-9


def test_iou_tracker_confirms_after_two_hits_and_keeps_the_id():
    tracker = IouTracker()
    assert tracker.update([person(0.10)]) == []  # one frame is not an object yet
    first = tracker.update([person(0.11)])
    later = tracker.update([person(0.12)])
    assert len(first) == 1 and first[0].track_id == later[0].track_id


def test_iou_tracker_separates_distant_objects_and_classes():
    tracker = IouTracker()
    frame = [person(0.1), person(0.6), person(0.1, class_name="dog")]
    tracker.update(frame)
    ids = {d.track_id for d in tracker.update(frame)}
    assert len(ids) == 3


def test_iou_tracker_drops_a_track_after_max_misses():
    tracker = IouTracker(max_misses=1)
    tracker.update([person(0.1)])
    old_id = tracker.update([person(0.1)])[0].track_id
    tracker.update([])
    tracker.update([])
    tracker.update([person(0.1)])
    assert tracker.update([person(0.1)])[0].track_id != old_id


def test_track_book_reports_new_tracks_and_timeouts():
    book = TrackBook(timeout=timedelta(seconds=2))
    assert book.update([person(0.1, 7)], T0) == []
    assert book.pop_changed()
    assert book.update([person(0.12, 7)], T0 + timedelta(seconds=1)) == []
    assert not book.pop_changed()  # same set: nothing to report
    assert book.update([], T0 + timedelta(seconds=3.5)) == [7]
    assert book.pop_changed() and book.live_detections() == []


def test_track_book_votes_the_class_of_a_track():
    book = TrackBook(timeout=timedelta(seconds=2))
    for second, name in enumerate(["bus", "bus", "truck"]):
        book.update([person(0.1, 3, class_name=name)], T0 + timedelta(seconds=second / 10))
    book.pop_changed()
    assert [d.class_name for d in book.live_detections()] == ["bus"]
    book.update([person(0.1, 3, class_name="truck")], T0 + timedelta(seconds=0.4))
    assert not book.pop_changed()  # 2 bus v 2 truck: the earlier majority stands
    book.update([person(0.1, 3, class_name="truck")], T0 + timedelta(seconds=0.5))
    assert book.pop_changed()
    assert [d.class_name for d in book.live_detections()] == ["truck"]


def test_track_book_weighs_each_vote_by_its_confidence():
    book = TrackBook(timeout=timedelta(seconds=2))
    unsure_truck = Detection("truck", 0.51, (0.1, 0.2, 0.5, 0.4), 4)
    sure_bus = Detection("bus", 0.84, (0.1, 0.2, 0.5, 0.4), 4)
    book.update([unsure_truck], T0)
    assert book.pop_changed()
    assert [d.class_name for d in book.live_detections()] == ["truck"]

    book.update([sure_bus], T0 + timedelta(seconds=0.2))

    assert book.pop_changed()  # one frame each: the surer one is reported
    assert [d.class_name for d in book.live_detections()] == ["bus"]
