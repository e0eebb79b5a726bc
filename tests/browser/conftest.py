from pathlib import Path

from tests.widgets.fixtures import isolated_widget_cache  # noqa: F401

EXAMPLE_PROJECT = Path(__file__).resolve().parents[2] / "example_project"
