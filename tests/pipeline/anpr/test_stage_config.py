from types import SimpleNamespace

import pytest

from django_video_analytics.pipeline.anpr.formats import UnknownPlateFormat
from django_video_analytics.pipeline.anpr.stage import PlateReadingStage
from django_video_analytics.workers.camera_runner import build_stages
from django_video_analytics.workers.config import PLATE_STAGE, WorkerOptions


class RecordingReader:
    """A PLATE_READER class as a site would plug in (it reads nothing)."""

    def read(self, image):
        return []

    def find_text(self, image):
        return []


def test_the_worker_injects_the_plate_reader_setting(settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "PLATE_READER": f"{__name__}.RecordingReader",
    }
    camera = SimpleNamespace(
        camera_id="gate",
        zones=(),
        enable_anpr=True,
        plate_format="br",
        enable_object_detection=True,
        detection_classes=(),
    )
    [stage] = build_stages(camera, WorkerOptions.from_settings())
    assert isinstance(stage, PlateReadingStage)
    assert isinstance(stage.reader, RecordingReader)
    assert [localizer.name for localizer in stage.localizers] == ["cascade", "text"]
    assert stage.localizers[1].reader is stage.reader
    assert stage.plate_format.region == "BR"


def test_camera_format_else_eu_and_bad_formats_fail_early():
    reader = RecordingReader()
    assert PlateReadingStage(SimpleNamespace(plate_format=""), reader=reader).plate_format.name == (
        "eu"
    )
    with pytest.raises(UnknownPlateFormat):
        PlateReadingStage(SimpleNamespace(plate_format="[A-"), reader=reader)


def test_the_plate_stage_runs_on_anpr_cameras_only_and_never_twice(settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "PLATE_READER": f"{__name__}.RecordingReader",
        # Listed as the docs once asked: the worker adds it anyway, so it is dropped here.
        "TRACK_STAGES": [PLATE_STAGE, "tests.workers.stages.VehicleTrackStage"],
    }
    options = WorkerOptions.from_settings()

    def stage_names(enable_anpr):
        camera = SimpleNamespace(
            camera_id="gate",
            zones=(),
            enable_anpr=enable_anpr,
            plate_format="uk",
            enable_object_detection=True,
            detection_classes=(),
        )
        return [type(stage).__name__ for stage in build_stages(camera, options)]

    assert stage_names(False) == ["VehicleTrackStage"]
    assert stage_names(True) == ["VehicleTrackStage", "PlateReadingStage"]


@pytest.mark.parametrize(
    "camera_fields, warned",
    [
        ({"enable_object_detection": True, "detection_classes": ()}, False),
        ({"enable_object_detection": True, "detection_classes": ("person", "bus")}, False),
        ({"enable_object_detection": True, "detection_classes": ("person",)}, True),
        ({"enable_object_detection": False, "detection_classes": ()}, True),
    ],
)
def test_an_anpr_camera_that_cannot_read_plates_says_why(settings, caplog, camera_fields, warned):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "PLATE_READER": f"{__name__}.RecordingReader",
    }
    camera = SimpleNamespace(
        camera_id="gate", zones=(), enable_anpr=True, plate_format="uk", **camera_fields
    )
    build_stages(camera, WorkerOptions.from_settings())
    assert ("no plate will be read" in caplog.text) is warned
