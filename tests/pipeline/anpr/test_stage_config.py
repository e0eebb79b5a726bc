from types import SimpleNamespace

import pytest

from django_video_analytics.pipeline.anpr.formats import UnknownPlateFormat
from django_video_analytics.pipeline.anpr.stage import PlateReadingStage


class RecordingReader:
    """A PLATE_READER class as a site would plug in (it reads nothing)."""

    def read(self, image):
        return []

    def find_text(self, image):
        return []


def test_plate_reader_setting_is_honoured(settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        "PLATE_READER": f"{__name__}.RecordingReader",
    }
    stage = PlateReadingStage(SimpleNamespace(enable_anpr=True, plate_format="br"))
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
