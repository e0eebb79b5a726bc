"""Regional plate formats: presets shipped as JSON data, or a custom regular expression."""

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


class UnknownPlateFormat(ValueError):
    """Neither a preset name nor a valid regular expression."""


@dataclass(frozen=True)
class PlateFormat:
    """Expected plate shapes (regular expressions over upper case without separators)."""

    name: str
    label: str
    region: str | None
    patterns: tuple[re.Pattern, ...]


def preset_names():
    """Names of the presets shipped in ``presets/*.json``."""
    folder = resources.files(__package__).joinpath("presets")
    return sorted(
        item.name.removesuffix(".json") for item in folder.iterdir() if item.name.endswith(".json")
    )


@cache
def get_format(spec):
    """The preset named ``spec``, else ``spec`` compiled as a custom regular expression."""
    if spec in preset_names():
        return _load_preset(spec)
    try:
        pattern = re.compile(spec)
    except (re.error, TypeError) as exc:
        raise UnknownPlateFormat(
            f"Plate format {spec!r} is no preset ({', '.join(preset_names())}) "
            f"and no valid regular expression: {exc}"
        ) from exc
    return PlateFormat(name="custom", label=spec, region=None, patterns=(pattern,))


def _load_preset(name):
    text = resources.files(__package__).joinpath("presets", f"{name}.json").read_text()
    data = json.loads(text)
    return PlateFormat(
        name=data["name"],
        label=data["label"],
        region=data.get("region"),
        patterns=tuple(re.compile(pattern) for pattern in data["patterns"]),
    )
