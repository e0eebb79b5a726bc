import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.inference


def test_ultralytics_is_imported_offline_with_its_config_in_our_cache(tmp_path):
    home, cache = tmp_path / "home", tmp_path / "cache"
    home.mkdir()
    code = (
        "import os\n"
        "from django_video_analytics.pipeline.env import ultralytics\n"
        "ultralytics()\n"
        "from ultralytics.utils import checks\n"
        "print(os.environ['YOLO_OFFLINE'], os.environ['YOLO_AUTOINSTALL'], checks.AUTOINSTALL)\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("YOLO_", "XDG_"))}
    env.update(HOME=str(home), VIDEO_ANALYTICS_CACHE_DIR=str(cache))
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["1", "0", "False"]
    assert list(home.iterdir()) == []  # nothing written to the home folder
    assert list((cache / "ultralytics").rglob("settings.json"))


def test_known_torch_warnings_are_silenced_and_others_kept():
    code = (
        "import warnings\n"
        "import numpy as np\n"
        "from django_video_analytics.pipeline.anpr.reader import EasyOCRPlateReader\n"
        "reader = EasyOCRPlateReader()\n"
        "reader.read(np.full((40, 160, 3), 255, np.uint8))\n"
        "reader.find_text(np.full((40, 160, 3), 255, np.uint8))\n"
        "warnings.warn(\"'pin_memory' argument is set as true but no accelerator (ours)\")\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c", code], capture_output=True, text=True, check=True
    )
    assert "quantiz" not in done.stderr
    assert done.stderr.count("pin_memory") == 1 and "(ours)" in done.stderr
