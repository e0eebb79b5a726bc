import numpy as np
import pytest

from django_video_analytics.pipeline.anpr.formats import get_format
from django_video_analytics.pipeline.anpr.localize import plate_characters
from django_video_analytics.pipeline.anpr.normalize import normalize
from django_video_analytics.pipeline.anpr.reader import EasyOCRPlateReader
from testing_media.plates import mount_plate, render_plate

pytestmark = pytest.mark.inference


@pytest.fixture(scope="module")
def reader():
    return EasyOCRPlateReader()


@pytest.mark.parametrize(
    ("text", "font", "preset", "plate"),
    [
        ("AB12 CDE", "duplex", "uk", "AB12CDE"),
        ("KA01AB1234", "simplex", "in", "KA01AB1234"),
        ("BRA2E19", "duplex", "br", "BRA2E19"),
        ("CP-613-CU", "simplex", "eu", "CP613CU"),
    ],
)
def test_rendered_plates_read_exactly_after_normalising(reader, text, font, preset, plate):
    background = np.full((120, 360, 3), 90, np.uint8)
    scene = mount_plate(background, render_plate(text, font, 36), (180, 60), angle=3)
    [best, *_] = reader.read(plate_characters(scene))
    assert 0 < best.confidence <= 1
    assert normalize(best.text, get_format(preset)).text == plate


def test_the_model_is_loaded_once_per_process(reader):
    assert EasyOCRPlateReader().model is reader.model


def test_empty_crops_read_nothing(reader):
    assert reader.read(np.zeros((0, 0, 3), np.uint8)) == []
