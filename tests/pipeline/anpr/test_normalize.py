import pytest

from django_video_analytics.pipeline.anpr.formats import get_format
from django_video_analytics.pipeline.anpr.normalize import clean, normalize


def test_clean_upper_cases_and_strips_separators():
    assert clean(" ab-12 cde. ") == "AB12CDE"
    assert clean("ka·01:ab_1234") == "KA01AB1234"


@pytest.mark.parametrize(
    ("preset", "raw", "plate", "region", "corrections"),
    [
        # Letters read as digits in letter positions, and the reverse, per preset.
        ("in", "KAOIAB1234", "KA01AB1234", "IN", 2),  # EasyOCR's own misread of KA01AB1234
        ("in", "MH12 DE 1433", "MH12DE1433", "IN", 0),
        ("uk", "AB1Z CDE", "AB12CDE", "GB", 1),
        ("uk", "GB I9 WHN", "GB19WHN", "GB", 1),
        ("uk", "G8 19 WHN", "GB19WHN", "GB", 1),
        ("br", "A8C1D23", "ABC1D23", "BR", 1),
        ("br", "BRA2E19", "BRA2E19", "BR", 0),
        ("br", "8RA 2EI9", "BRA2E19", "BR", 2),
        ("us", "7A8C123", "7ABC123", "US", 1),
        ("eu", "AB-I23-CD", "AB123CD", "EU", 1),
        ("eu", "I234 BCD", "1234BCD", "EU", 1),
        ("eu", "5678GSZ", "5678GSZ", "EU", 0),
    ],
)
def test_confusable_characters_are_corrected_by_the_preset(preset, raw, plate, region, corrections):
    result = normalize(raw, get_format(preset))
    assert (result.text, result.region, result.corrections) == (plate, region, corrections)


@pytest.mark.parametrize(
    ("preset", "raw"),
    [
        ("uk", "CERO EMISIONES"),  # bus livery, not a plate
        ("br", "AB12CDE"),
        ("in", "CERO"),
        ("eu", ""),
        ("us", "!!"),
    ],
)
def test_text_that_fits_no_pattern_is_rejected(preset, raw):
    assert normalize(raw, get_format(preset)) is None


def test_custom_regular_expression_corrects_too():
    custom = get_format(r"[A-Z]{3}[0-9]{3}")
    result = normalize("A8C 1Z3", custom)
    assert (result.text, result.region) == ("ABC123", None)


def test_more_confusions_than_the_limit_is_no_plate():
    assert normalize("0000000", get_format("uk")) is None  # 4 swaps at the least


def test_a_frame_edge_read_as_i_or_1_is_dropped_and_counted():
    result = normalize("ICP-613-CU1", get_format("eu"))
    assert (result.text, result.corrections) == ("CP613CU", 2)
    # A plate that fits as read keeps its edge characters.
    assert normalize("1234BCD", get_format("eu")).text == "1234BCD"
