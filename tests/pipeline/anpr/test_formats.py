import pytest

from django_video_analytics.pipeline.anpr.formats import (
    UnknownPlateFormat,
    get_format,
    preset_names,
)


def test_presets_ship_as_data():
    assert preset_names() == ["br", "eu", "in", "uk", "us"]
    uk = get_format("uk")
    assert (uk.name, uk.region) == ("uk", "GB")
    assert uk.patterns[0].fullmatch("AB12CDE")


def test_anything_else_is_a_custom_regular_expression():
    custom = get_format(r"[0-9]{4}")
    assert (custom.name, custom.region) == ("custom", None)


def test_an_invalid_expression_names_the_presets():
    with pytest.raises(UnknownPlateFormat, match="br, eu, in, uk, us"):
        get_format("[A-Z")
