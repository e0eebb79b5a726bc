"""The model folder for inference servers: the weights with a free batch dimension."""

import json

import numpy as np
import onnxruntime
import pytest

from django_video_analytics.pipeline.serving import main

pytestmark = pytest.mark.inference


def test_model_folder_serves_any_batch_with_the_single_frame_results(tmp_path, caplog):
    with caplog.at_level("INFO", logger="django_video_analytics.pipeline.serving"):
        main([str(tmp_path), "--input-size", "320", "--name", "detector"])
    written = tmp_path / "detector" / "1" / "model.onnx"
    assert caplog.messages[-1] == f"Model repository written: {written}"
    settings = json.loads((tmp_path / "detector" / "model-settings.json").read_text())
    assert settings["parameters"]["uri"] == str(written.resolve())
    assert settings["inputs"][0]["shape"] == [-1, 3, 320, 320]
    assert 'platform: "onnxruntime_onnx"' in (tmp_path / "detector" / "config.pbtxt").read_text()

    session = onnxruntime.InferenceSession(str(written), providers=["CPUExecutionProvider"])
    images = np.random.default_rng(0).random((3, 3, 320, 320), dtype=np.float32)
    batch = session.run(None, {"images": images})[0]
    singles = [session.run(None, {"images": images[i : i + 1]})[0][0] for i in range(3)]
    assert batch.shape == (3, 84, 2100)
    np.testing.assert_allclose(batch, np.stack(singles), atol=1e-4)
