import pytest

from testing_media.clips import FPS, clip_frames

pytestmark = pytest.mark.inference

TOP_STRIP = [[0, 0], [1, 0], [1, 0.1], [0, 0.1]]  # nothing passes there
LEFT_THIRD = [[0, 0], [0.33, 0], [0.33, 1], [0, 1]]


def motion_series(path, **options):
    from django_video_analytics.pipeline.motion import MotionDetector

    detector = MotionDetector(**options)
    return [detector.update(frame.image) for frame in clip_frames(path)]


def test_still_scene_with_sensor_noise_has_no_motion(still_clip):
    series = motion_series(still_clip)
    assert len(series) == 6 * FPS
    assert not any(result.moving for result in series)
    assert max(result.area_percentage for result in series) < 0.1


def test_objects_passing_are_motion_and_the_quiet_start_is_not(objects_clip):
    series = motion_series(objects_clip)
    assert not any(result.moving for result in series[: FPS - 1])  # nothing enters before 1 s
    busy = series[2 * FPS : 9 * FPS]  # person then bus crossing
    assert all(result.moving for result in busy)
    assert all(0 < result.area_percentage <= 100 for result in busy)
    assert all(0 < result.intensity <= 1 for result in busy)
    assert max(result.area_percentage for result in busy) > 20  # the bus is big


def test_roi_zones_mask_motion(objects_clip):
    unmasked = motion_series(objects_clip)
    strip = motion_series(objects_clip, roi_zones=[TOP_STRIP])
    left = motion_series(objects_clip, roi_zones=[LEFT_THIRD])
    assert any(result.moving for result in unmasked)
    assert not any(result.moving for result in strip)
    # The person walks in from the left: seen by the left-third zone at 2 s ...
    assert left[2 * FPS].moving
    # ... and the bus, entering from the right at 4 s, not until it gets there.
    quiet = left[round(3.5 * FPS) : 6 * FPS]
    assert quiet and not any(result.moving for result in quiet)
    assert all(result.moving for result in left[7 * FPS : 9 * FPS])


def test_threshold_decides_moving(objects_clip):
    series = motion_series(objects_clip, threshold=101)
    assert not any(result.moving for result in series)
    assert any(result.area_percentage > 0 for result in series)
