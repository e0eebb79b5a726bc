"""Which device the local detector backends run on: the ``DEVICE`` setting resolved.

``auto`` takes the first GPU when one is usable, else the CPU. An explicit ``cuda`` (or
``cuda:N``) on a machine without a usable GPU raises ``DeviceUnavailable``: a worker told
to use a GPU must not quietly run on the CPU at a fraction of the expected throughput.
"""

import importlib.util
import logging
import re

logger = logging.getLogger(__name__)

DEFAULT_DEVICE = "auto"  # the DEVICE setting's default
DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d+)?")
GPU_PROVIDERS = ("TensorrtExecutionProvider", "CUDAExecutionProvider")


class DeviceUnavailable(RuntimeError):
    """The ``DEVICE`` setting names a device this machine cannot use."""


def check_device(device: str) -> str:
    """``device`` if it is a valid ``DEVICE`` value; ValueError otherwise."""
    if not isinstance(device, str) or not DEVICE_PATTERN.fullmatch(device):
        raise ValueError(f"DEVICE must be 'auto', 'cpu', 'cuda' or 'cuda:N', not {device!r}")
    return device


def torch_device(device: str) -> str:
    """The device for ultralytics/torch: ``cpu`` or ``cuda:N``."""
    check_device(device)
    if device == "cpu":
        return "cpu"
    usable = _torch_cuda_devices()
    if device == "auto":
        return "cuda:0" if usable else "cpu"
    index = int(device.partition(":")[2] or 0)
    if index >= usable:
        raise DeviceUnavailable(
            f"DEVICE is {device!r} but torch sees {usable} CUDA device(s) on this machine; "
            "install a CUDA build of torch or set DEVICE to 'auto' or 'cpu'."
        )
    return f"cuda:{index}"


def onnx_providers(device: str) -> list:
    """onnxruntime execution providers for ``device``, best first, the CPU always last."""
    check_device(device)
    if device == "cpu":
        return ["CPUExecutionProvider"]
    import onnxruntime

    available = [name for name in GPU_PROVIDERS if name in onnxruntime.get_available_providers()]
    if not available and device != "auto":
        raise DeviceUnavailable(
            f"DEVICE is {device!r} but onnxruntime has no CUDA or TensorRT provider here "
            f"({', '.join(onnxruntime.get_available_providers())}); install onnxruntime-gpu "
            "or set DEVICE to 'auto' or 'cpu'."
        )
    index = int(device.partition(":")[2] or 0)
    return [(name, {"device_id": index}) for name in available] + ["CPUExecutionProvider"]


def _torch_cuda_devices() -> int:
    try:
        if importlib.util.find_spec("torch") is None:
            return 0
        import torch
    except (ImportError, ValueError):  # torch blocked or imported oddly
        return 0

    return torch.cuda.device_count() if torch.cuda.is_available() else 0
