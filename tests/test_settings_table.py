"""The settings table in conf.py drives the settings object, the checks and the docs."""

import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_video_analytics.checks import (
    check_import_strings,
    check_operations_settings,
    check_settings_shape,
)
from django_video_analytics.conf import SETTINGS, AnalyticsSettings, Setting

DOCS = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
HEADING = re.compile(r"^### `([A-Z0-9_]+)`$", re.MULTILINE)


def documented_sections():
    """Each ``### `NAME` `` section of docs/configuration.md, its text on one line."""
    text = DOCS.read_text()
    marks = list(HEADING.finditer(text))
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    sections = zip(marks, ends, strict=True)
    return {mark.group(1): " ".join(text[mark.end() : end].split()) for mark, end in sections}


def as_documented(value):
    """A default as the docs write it: Python literals for None and bools, JSON otherwise."""
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return json.dumps(value)


def default_sentence(section):
    """The sentence of a section that starts with "Default"."""
    start = section.index("Default")
    end = re.compile(r"\.(\s|$)").search(section, start)
    return section[start : end.start() if end else len(section)]


def ids(messages):
    return [message.id for message in messages]


def test_docs_describe_exactly_the_settings_of_the_table():
    assert sorted(documented_sections()) == sorted(setting.name for setting in SETTINGS)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.name)
def test_docs_give_each_setting_its_default_and_choices(setting):
    section = documented_sections()[setting.name]
    assert f"`{as_documented(setting.default)}`" in default_sentence(section)
    for choice in setting.choices:
        assert f'`"{choice}"`' in section


def test_docs_list_every_older_flat_name():
    flat_table = DOCS.read_text().split("## Older flat settings")[1].split("\n## ")[0]
    for setting in SETTINGS:
        if isinstance(setting.legacy, str):
            assert f"| `{setting.legacy}` | `{setting.name}` |" in flat_table


@pytest.mark.parametrize(
    "setting", [s for s in SETTINGS if s.types], ids=lambda setting: setting.name
)
def test_every_typed_setting_is_type_checked(setting):
    with override_settings(VIDEO_ANALYTICS={setting.name: object()}):
        messages = check_settings_shape()
    assert ids(messages) == ["django_video_analytics.E003"]
    assert setting.name in messages[0].msg


@pytest.mark.parametrize(
    "setting", [s for s in SETTINGS if s.choices], ids=lambda setting: setting.name
)
def test_every_setting_with_choices_refuses_others(setting):
    with override_settings(VIDEO_ANALYTICS={setting.name: "no-such-choice"}):
        messages = check_settings_shape()
    assert ids(messages) == ["django_video_analytics.E004"]
    assert str(setting.choices) in messages[0].msg


@pytest.mark.parametrize(
    "setting", [s for s in SETTINGS if s.positive], ids=lambda setting: setting.name
)
def test_every_positive_setting_refuses_zero(setting):
    with override_settings(VIDEO_ANALYTICS={setting.name: 0}):
        assert ids(check_operations_settings()) == ["django_video_analytics.E070"]


@pytest.mark.parametrize(
    "setting", [s for s in SETTINGS if s.import_string], ids=lambda setting: setting.name
)
def test_web_side_dotted_paths_are_checked_and_worker_side_ones_left_to_the_worker(setting):
    path = "no.such.Thing"
    value = [path] if isinstance(setting.default, list) else path
    with override_settings(VIDEO_ANALYTICS={setting.name: value}):
        messages = check_import_strings()
    assert ids(messages) == ([] if setting.worker_only else ["django_video_analytics.E005"])


def test_a_new_setting_is_one_row(settings):
    """A row alone gives the default, the flat fallback, the import and the refusal of None."""
    table = [
        Setting("INFERENCE_TIMEOUT", 2.5, (int, float), legacy="OLD_INFERENCE_TIMEOUT"),
        Setting("INFERENCE_CLIENT", "json.JSONDecoder", import_string=True, required=True),
    ]
    assert AnalyticsSettings(table).INFERENCE_TIMEOUT == 2.5
    settings.OLD_INFERENCE_TIMEOUT = 7
    assert AnalyticsSettings(table).INFERENCE_TIMEOUT == 7
    settings.VIDEO_ANALYTICS = {"INFERENCE_TIMEOUT": 9}
    assert AnalyticsSettings(table).INFERENCE_TIMEOUT == 9
    assert AnalyticsSettings(table).INFERENCE_CLIENT is json.JSONDecoder
    settings.VIDEO_ANALYTICS = {"INFERENCE_CLIENT": None}
    refused = r"VIDEO_ANALYTICS\['INFERENCE_CLIENT'\] must be a dotted path"
    with pytest.raises(ImproperlyConfigured, match=refused):
        getattr(AnalyticsSettings(table), "INFERENCE_CLIENT")  # noqa: B009
