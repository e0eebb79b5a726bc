"""The DEVICE setting on this CPU-only machine: auto is the CPU, an explicit GPU is an error."""

import pytest

from django_video_analytics.pipeline.detectors import OnnxRuntimeDetector, UltralyticsDetector
from django_video_analytics.pipeline.devices import (
    DeviceUnavailable,
    check_device,
    onnx_providers,
    torch_device,
)

pytestmark = pytest.mark.inference


def test_auto_resolves_to_the_cpu_without_a_gpu():
    assert torch_device("auto") == "cpu"
    assert onnx_providers("auto") == ["CPUExecutionProvider"]
    assert onnx_providers("cpu") == ["CPUExecutionProvider"]


@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_an_explicit_gpu_without_one_is_a_clear_error(device):
    with pytest.raises(DeviceUnavailable, match=rf"DEVICE is '{device}' but torch sees 0"):
        torch_device(device)
    with pytest.raises(DeviceUnavailable, match="install onnxruntime-gpu"):
        onnx_providers(device)


@pytest.mark.parametrize("backend", [UltralyticsDetector, OnnxRuntimeDetector])
def test_backends_refuse_a_gpu_they_cannot_use(backend):
    with pytest.raises(DeviceUnavailable):
        backend(device="cuda")


def test_backends_read_the_device_setting(settings):
    settings.VIDEO_ANALYTICS = {"DEVICE": "cuda"}
    with pytest.raises(DeviceUnavailable):
        OnnxRuntimeDetector()
    settings.VIDEO_ANALYTICS = {"DEVICE": "auto"}
    assert UltralyticsDetector().device == "cpu"
    assert OnnxRuntimeDetector().session.get_providers() == ["CPUExecutionProvider"]


@pytest.mark.parametrize("device", ["gpu", "cuda:", "cuda:a", ""])
def test_invalid_devices_are_refused(device):
    with pytest.raises(ValueError, match="DEVICE must be"):
        check_device(device)
