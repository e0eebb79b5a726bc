"""Detection on regions around motion: crops, merging, mapping back, small objects found."""

import pytest

from django_video_analytics.pipeline.regions import (
    detection_regions,
    to_frame,
    without_duplicates,
)
from django_video_analytics.pipeline.tracking import iou
from django_video_analytics.pipeline.types import Detection
from testing_media.clips import FPS, clip_frames

FRAME = (1280, 720)


def test_a_small_box_gets_a_crop_of_the_model_size_inside_the_frame():
    # A 26x36-pixel object in the top-left corner: the crop is 320 square, moved into the frame.
    regions = detection_regions([(0.0, 0.0, 0.02, 0.05)], FRAME, 320)
    assert regions == [(0, 0, 320, 320)]


def test_overlapping_crops_are_merged_and_distant_ones_kept_apart():
    near = [(0.10, 0.40, 0.02, 0.05), (0.20, 0.40, 0.02, 0.05)]  # 128 px apart
    far = [(0.10, 0.40, 0.02, 0.05), (0.85, 0.40, 0.02, 0.05)]
    (merged,) = detection_regions(near, FRAME, 320)
    assert merged[2] > 320 and merged[3] == 320  # one crop spanning both
    apart = detection_regions(far, FRAME, 320)
    assert len(apart) == 2
    assert apart[0][0] + apart[0][2] <= apart[1][0]


def test_large_motion_many_crops_or_none_mean_the_whole_frame():
    assert detection_regions([], FRAME, 320) is None
    assert detection_regions([(0.1, 0.1, 0.7, 0.8)], FRAME, 320) is None  # large
    scattered = [(x, y, 0.01, 0.01) for x in (0.05, 0.5, 0.95) for y in (0.05, 0.95)]
    assert detection_regions(scattered, FRAME, 320) is None  # six crops: one run is cheaper


def test_boxes_map_back_from_the_crop_to_the_frame():
    on_crop = Detection("person", 0.9, (0.5, 0.25, 0.25, 0.5))
    on_frame = to_frame(on_crop, (640, 200, 320, 320), FRAME)
    assert on_frame.box == pytest.approx((800 / 1280, 280 / 720, 80 / 1280, 160 / 720))


def test_duplicates_from_two_crops_keep_the_most_confident():
    a = Detection("person", 0.6, (0.1, 0.1, 0.2, 0.4))
    b = Detection("person", 0.9, (0.11, 0.1, 0.2, 0.4))
    c = Detection("bus", 0.8, (0.1, 0.1, 0.2, 0.4))
    assert without_duplicates([a, b, c]) == [b, c]


@pytest.mark.inference
def test_a_person_detected_on_a_crop_maps_onto_the_same_person_in_the_photo(bus_image):
    from django_video_analytics.pipeline.detectors import UltralyticsDetector

    detector = UltralyticsDetector(input_size=320)
    whole = [d for d in detector.detect(bus_image, confidence=0.5) if d.class_name == "person"]
    height, width = bus_image.shape[:2]
    region = (0, 350, 320, 600)  # the man on the left, in pixels of the 810x1080 photo
    x, y, w, h = region
    on_crop = detector.detect(bus_image[y : y + h, x : x + w], confidence=0.5)
    mapped = [to_frame(d, region, (width, height)) for d in on_crop if d.class_name == "person"]
    assert mapped
    assert any(iou(m.box, p.box) >= 0.7 for m in mapped for p in whole)


@pytest.mark.inference
def test_motion_boxes_lie_on_what_moves(objects_clip):
    from django_video_analytics.pipeline.motion import MotionDetector

    motion = MotionDetector()
    results = [motion.update(frame.image) for frame in clip_frames(objects_clip)]
    assert all(result.boxes == () for result in results[: FPS - 1])  # still before 1 s
    walking = results[3 * FPS]  # the person alone, half-way across the frame
    assert walking.moving and walking.boxes
    biggest = max(walking.boxes, key=lambda box: box[2] * box[3])
    assert 0.2 < biggest[0] + biggest[2] / 2 < 0.8  # around the middle
    assert biggest[3] > 0.5  # the person is 0.8 of the frame high


@pytest.mark.inference
def test_regions_find_distant_people_that_the_whole_frame_at_320_misses(clip_dir):
    from django_video_analytics.pipeline.analyzer import AnalyzerConfig, CameraAnalyzer
    from django_video_analytics.pipeline.detectors import UltralyticsDetector
    from testing_media import clips

    path = clips.distant_clip(clip_dir)
    detector = UltralyticsDetector(input_size=320)
    seen = {}
    for regions in (False, True):
        analyzer = CameraAnalyzer(AnalyzerConfig(motion_regions=regions), detector)
        found = set()
        for frame in clip_frames(path):
            if frame.index >= 12 * FPS:  # the first person, then the bus
                break
            analyzer.process(frame)
            found |= {d.class_name for d in analyzer.tracks.live_detections()}
        seen[regions] = found
    assert "person" in seen[True]
    assert seen[True] > seen[False]
