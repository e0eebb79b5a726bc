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


def test_the_worker_hands_the_backends_the_device_setting(settings):
    from django_video_analytics.workers.config import WorkerOptions

    backend = "django_video_analytics.pipeline.detectors.OnnxRuntimeDetector"
    settings.VIDEO_ANALYTICS = {"DEVICE": "cuda", "DETECTOR_BACKEND": backend}
    with pytest.raises(DeviceUnavailable):
        WorkerOptions.from_settings().build_detector()
    settings.VIDEO_ANALYTICS = {"DEVICE": "auto", "DETECTOR_BACKEND": backend}
    detector = WorkerOptions.from_settings().build_detector()
    assert detector.session.get_providers() == ["CPUExecutionProvider"]
    assert UltralyticsDetector().device == "cpu"  # the default outside a worker: auto


def test_the_pipeline_defaults_are_the_settings_defaults():
    """The backends' keyword defaults (used outside a worker) equal the settings table's."""
    import inspect

    from django_video_analytics.conf import DEFAULTS
    from django_video_analytics.pipeline.devices import DEFAULT_DEVICE
    from django_video_analytics.pipeline.remote_inference import RemoteDetector

    assert DEFAULT_DEVICE == DEFAULTS["DEVICE"]
    parameters = inspect.signature(RemoteDetector).parameters
    for keyword, name in RemoteDetector.SETTINGS.items():
        if parameters[keyword].default is not None:
            assert parameters[keyword].default == DEFAULTS[name], name


@pytest.mark.parametrize("device", ["gpu", "cuda:", "cuda:a", ""])
def test_invalid_devices_are_refused(device):
    with pytest.raises(ValueError, match="DEVICE must be"):
        check_device(device)
