"""A model repository for an inference server, from the detector weights.

``python -m django_video_analytics.pipeline.serving FOLDER [--input-size 320]`` writes
``FOLDER/<name>/1/model.onnx`` (the weights at ``input_size``, any batch size) with a
Triton ``config.pbtxt`` (also read by OpenVINO Model Server's Triton-style layout) and an
MLServer ``model-settings.json``. The remote backend then sends batches of frames to it.
"""

import argparse
import ast
import json
import logging
import shutil
from pathlib import Path

from .weights import resolve_detector_weights, sized_weights, sized_weights_path

logger = logging.getLogger(__name__)

MLSERVER_RUNTIME = "onnx_runtime.OnnxRuntimeModel"


def batchable_weights(source: Path) -> Path:
    """A copy of a fixed-size YOLO ONNX export whose batch dimension is free (cached).

    ultralytics bakes batch 1 into the input, the output and the head's Reshape shapes
    (initializers or Constant nodes);
    a 0 in a Reshape shape copies the input's dimension, so batch 1 becomes "any". The
    export arguments in the metadata then say ``dynamic``, or ultralytics would still feed
    the graph one frame per run (the side stays fixed: predict with ``rect=False``).
    """
    import onnx
    from onnx import numpy_helper

    target = sized_weights_path(source, "anybatch")  # <stem>-<hash>-anybatch.onnx
    if target.is_file():
        return target
    model = onnx.load(str(source))
    for prop in model.metadata_props:
        if prop.key == "args":
            prop.value = str({**ast.literal_eval(prop.value), "dynamic": True})
    for tensor in [*model.graph.input, *model.graph.output]:
        tensor.type.tensor_type.shape.dim[0].dim_param = "batch"
    del model.graph.value_info[:]
    constants = {tensor.name: tensor for tensor in model.graph.initializer}
    constants.update(
        (node.output[0], node.attribute[0].t)
        for node in model.graph.node
        if node.op_type == "Constant" and node.attribute[0].name == "value"
    )
    for node in model.graph.node:
        shape = constants.get(node.input[1]) if node.op_type == "Reshape" else None
        if shape is not None:
            values = numpy_helper.to_array(shape).copy()
            if values[0] == 1:
                values[0] = 0
                shape.CopyFrom(numpy_helper.from_array(values, shape.name))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    onnx.save(model, str(partial))
    partial.replace(target)  # atomic: a concurrent writer sees all or nothing
    return target


def write_model_repository(folder, *, model_path=None, input_size=320, name="yolov8n") -> Path:
    """Write the model folder for ``name`` into ``folder``; return the ONNX file written."""
    weights = batchable_weights(sized_weights(resolve_detector_weights(model_path), input_size))
    model_dir = Path(folder) / name
    onnx_file = model_dir / "1" / "model.onnx"
    onnx_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(weights, onnx_file)
    tensors = {
        "inputs": [
            {"name": "images", "datatype": "FP32", "shape": [-1, 3, input_size, input_size]}
        ],
        "outputs": [{"name": "output0", "datatype": "FP32", "shape": [-1, 84, -1]}],
    }
    (model_dir / "model-settings.json").write_text(
        json.dumps(
            {
                "name": name,
                "implementation": MLSERVER_RUNTIME,
                "parameters": {"uri": str(onnx_file.resolve()), "version": "1"},
                **tensors,
            },
            indent=2,
        )
    )
    image = f"[-1, 3, {input_size}, {input_size}]"
    (model_dir / "config.pbtxt").write_text(
        f'name: "{name}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 0\n'
        f'input [{{ name: "images" data_type: TYPE_FP32 dims: {image} }}]\n'
        'output [{ name: "output0" data_type: TYPE_FP32 dims: [-1, 84, -1] }]\n'
    )
    return onnx_file


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--model", help="YOLO ONNX weights (default: the shipped YOLOv8n)")
    parser.add_argument("--input-size", type=int, default=320)
    parser.add_argument("--name", default="yolov8n")
    args = parser.parse_args(argv)
    written = write_model_repository(
        args.folder, model_path=args.model, input_size=args.input_size, name=args.name
    )
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logger.info("Model repository written: %s", written)


if __name__ == "__main__":
    main()
