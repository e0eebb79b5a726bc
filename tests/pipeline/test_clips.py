import pytest

from testing_media import clips

pytestmark = pytest.mark.inference


def test_clips_are_deterministic_and_reused(tmp_path, still_clip):
    again = clips.static_clip(tmp_path)
    assert again != still_clip and again.read_bytes() == still_clip.read_bytes()
    modified = again.stat().st_mtime_ns
    assert clips.static_clip(tmp_path) == again and again.stat().st_mtime_ns == modified


def test_clip_frames_are_timed_on_the_video_time_line(objects_clip):
    frames = list(clips.clip_frames(objects_clip))
    assert len(frames) == 10 * clips.FPS
    assert frames[0].image.shape == (360, 640, 3)
    assert [f.index for f in frames[:3]] == [0, 1, 2]
    assert (frames[-1].timestamp - frames[0].timestamp).total_seconds() == pytest.approx(
        (len(frames) - 1) / clips.FPS, abs=1e-5
    )


def test_plates_clip_is_deterministic_reused_and_sized(tmp_path, clip_dir):
    path = clips.plates_clip(clip_dir)
    again = clips.plates_clip(tmp_path)
    assert again != path and again.read_bytes() == path.read_bytes()
    modified = again.stat().st_mtime_ns
    assert clips.plates_clip(tmp_path) == again and again.stat().st_mtime_ns == modified
    frames = list(clips.clip_frames(again))
    assert len(frames) == 5 * clips.FPS
    assert {f.image.shape for f in frames} == {(360, 640, 3)}
    assert not (frames[0].image == frames[-1].image).all()  # the vehicles move
