"""Boxes drawn over snapshots, from the stored normalised boxes."""

import pytest

from django_video_analytics.widgets.snapshots import box_label, boxes_of


def detection(**fields):
    box = {"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4}
    return {"class_name": "person", "confidence": 0.912, "bounding_box": box, **fields}


def test_box_in_percent_of_the_frame():
    (box,) = boxes_of([detection()])
    assert (box.x, box.y, box.width, box.height) == ("10.000", "20.000", "30.000", "40.000")
    assert box.class_name == "person"
    assert box.label == "person 0.91"
    assert (box.label_x, box.label_anchor) == ("10.000", "start")


def test_label_of_a_box_on_the_right_ends_at_its_right_edge():
    (box,) = boxes_of([detection(bounding_box={"x": 0.6, "y": 0.1, "width": 0.3, "height": 0.2})])
    assert (box.label_x, box.label_anchor) == ("90.000", "end")


def test_label_has_track_and_plate():
    assert box_label(detection(track_id=7, license_plate="gx19-whn")) == "person 0.91 #7 GX19 WHN"


def test_box_is_clipped_to_the_frame():
    (box,) = boxes_of([detection(bounding_box={"x": 0.8, "y": -0.1, "width": 0.5, "height": 2})])
    assert (box.x, box.y, box.width, box.height) == ("80.000", "0.000", "20.000", "100.000")


@pytest.mark.parametrize(
    "bad",
    [
        "person",
        {"class_name": "car"},
        detection(bounding_box={"x": 0.1, "y": 0.2, "width": "wide", "height": 0.1}),
        detection(bounding_box={"x": float("nan"), "y": 0.2, "width": 0.1, "height": 0.1}),
        detection(bounding_box={"x": 0.1, "y": 0.2, "width": 0, "height": 0.1}),
    ],
)
def test_malformed_rows_are_skipped(bad):
    assert len(boxes_of([bad, detection()])) == 1


def test_class_name_is_a_css_safe_slug():
    (box,) = boxes_of([detection(class_name='fire hydrant" onload="x')])
    assert box.class_name == "fire-hydrant-onloadx"
    assert boxes_of("not a list") == []
