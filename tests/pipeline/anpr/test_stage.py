"""The plate stage on real photos through the real detector, tracker and EasyOCR."""

from types import SimpleNamespace

import numpy as np
import pytest

from django_video_analytics.events import wire
from django_video_analytics.events.incoming import IncomingEvent
from django_video_analytics.events.ingest import store_events
from django_video_analytics.models import ANPREvent
from django_video_analytics.pipeline.analyzer import AnalyzerConfig, CameraAnalyzer
from django_video_analytics.pipeline.anpr.stage import PlateReadingStage
from django_video_analytics.pipeline.detectors import OnnxRuntimeDetector
from django_video_analytics.pipeline.stages import StageResult
from django_video_analytics.pipeline.types import Detection, PlateRead
from django_video_analytics.workers.encoder import ObservationEncoder
from testing_media.plates import (
    moving_clip,
    render_plate,
    two_vehicle_scene,
)

pytestmark = pytest.mark.inference

VEHICLES = ("car", "truck", "bus", "motorcycle", "person")

# Camera plate format: (bus plate, font, height), (motorcycle plate ...), expected plates.
# The two TrueType fonts ship in the matplotlib wheel.
CLIPS = {
    "uk": (
        ("AB12 CDE", "dejavu-bold", 44),
        ("GX19 WHN", "dejavu-mono", 30),
        {"AB12CDE", "GX19WHN"},
    ),
    "in": (
        ("KA01AB1234", "dejavu-mono", 40),
        ("MH12DE1433", "dejavu-bold", 28),
        {"KA01AB1234", "MH12DE1433"},
    ),
}


@pytest.fixture(scope="module")
def detector():
    return OnnxRuntimeDetector(input_size=640)


def analyse(clip, stage, detector):
    config = AnalyzerConfig(
        detection_mode="always", detect_motion=False, max_fps=None, classes=VEHICLES
    )
    analyzer = CameraAnalyzer(config, detector, [stage])
    results = []
    for frame in clip:
        results += [o for o in analyzer.process(frame) if isinstance(o, StageResult)]
    return results + analyzer.close()


@pytest.fixture(scope="module", params=sorted(CLIPS))
def clip_results(request, detector):
    plate_format = request.param
    bus, motorcycle, expected = CLIPS[plate_format]
    scene = two_vehicle_scene(render_plate(*bus), render_plate(*motorcycle))
    camera = SimpleNamespace(enable_anpr=True, plate_format=plate_format)
    clip = moving_clip(scene, frames=7, noise=4.0)
    results = analyse(clip, PlateReadingStage(camera), detector)
    return plate_format, expected, results


def test_one_result_per_vehicle_with_the_exact_plate(clip_results):
    plate_format, expected, results = clip_results
    assert {r.payload.license_plate for r in results} == expected
    assert len(results) == 2  # one per vehicle: not one per frame, none for the people
    assert len({r.track_id for r in results}) == 2
    region = {"uk": "GB", "in": "IN"}[plate_format]
    for result in results:
        read = result.payload
        assert isinstance(read, PlateRead)
        assert read.region == region
        assert 0.3 < read.confidence <= 1
        assert len(read.candidates) >= 2  # voted over several frames
        assert read.license_plate in {c["text"] for c in read.candidates}
        assert isinstance(read.crop, np.ndarray) and read.crop.size
        assert result.frame.image is None  # results do not hold whole frames


def test_a_decisive_vote_is_reported_while_the_vehicle_is_in_view(detector):
    bus, motorcycle, expected = CLIPS["uk"]
    scene = two_vehicle_scene(render_plate(*bus), render_plate(*motorcycle))
    stage = PlateReadingStage(SimpleNamespace(enable_anpr=True, plate_format="uk"))
    config = AnalyzerConfig(
        detection_mode="always", detect_motion=False, max_fps=None, classes=VEHICLES
    )
    analyzer = CameraAnalyzer(config, detector, [stage])
    while_in_view = []
    for frame in moving_clip(scene, frames=7, noise=4.0):
        while_in_view += [o for o in analyzer.process(frame) if isinstance(o, StageResult)]
    at_close = analyzer.close()
    assert "AB12CDE" in {r.payload.license_plate for r in while_in_view}
    plates = [r.payload.license_plate for r in while_in_view + at_close]
    assert sorted(plates) == sorted(expected)  # still exactly one per vehicle


@pytest.mark.django_db
def test_a_plate_read_travels_through_the_encoder_to_a_stored_row(clip_results):
    results = clip_results[2]
    entries = ObservationEncoder("cam-1").entries(results)
    incoming = [
        IncomingEvent(str(n), f"test:{n}", wire.parse_entry(entry))
        for n, entry in enumerate(entries)
    ]
    store_events(incoming, unknown_camera_policy="create")
    stored = {row.license_plate: row for row in ANPREvent.objects.all()}
    assert stored.keys() == {result.payload.license_plate for result in results}
    for result in results:
        row, read = stored[result.payload.license_plate], result.payload
        assert (row.confidence, row.region, row.candidates) == (
            read.confidence,
            read.region,
            read.candidates,
        )
        assert row.frame_number == result.frame.index


def test_cameras_without_anpr_and_non_vehicles_are_not_read():
    stage = PlateReadingStage(
        SimpleNamespace(enable_anpr=False, plate_format="uk"), reader=object(), localizers=[]
    )
    assert not stage.wants(Detection("car", 0.9, (0, 0, 0.5, 0.5), 1))
    stage.enabled = True
    assert stage.wants(Detection("bus", 0.9, (0, 0, 0.5, 0.5), 1))
    assert not stage.wants(Detection("person", 0.9, (0, 0, 0.5, 0.5), 2))


def test_tiny_vehicles_are_skipped(detector):
    class CountingReader:
        calls = 0

        def read(self, image):
            self.calls += 1
            return []

    reader = CountingReader()
    stage = PlateReadingStage(SimpleNamespace(enable_anpr=True, plate_format="uk"), reader=reader)
    frame = moving_clip(np.zeros((200, 200, 3), np.uint8), frames=1)[0]
    stage.update(Detection("car", 0.9, (0.1, 0.1, 0.1, 0.1), 1), frame)  # 32 px high
    assert reader.calls == 0 and stage.finish(1) == []
