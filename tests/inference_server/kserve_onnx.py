"""A KServe Python model server running an ONNX model with onnxruntime, on 127.0.0.1.

Run in the KServe venv (``scripts/inference_server.sh``):
``python kserve_onnx.py NAME MODEL.onnx HTTP_PORT GRPC_PORT``. Used by the tests for the
HTTP binary tensor extension, which MLServer does not take.
"""

import sys
import uuid

import onnxruntime
from kserve import Model, ModelServer
from kserve.protocol.infer_type import InferOutput, InferRequest, InferResponse


class OnnxModel(Model):
    """Every request input goes to the model input of the same name; every output comes back."""

    def __init__(self, name, path):
        super().__init__(name)
        self.session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        self.ready = True

    def get_input_types(self):
        return [_tensor(tensor) for tensor in self.session.get_inputs()]

    def get_output_types(self):
        return [_tensor(tensor) for tensor in self.session.get_outputs()]

    async def predict(self, payload: InferRequest, headers=None, response_headers=None):
        feed = {tensor.name: tensor.as_numpy() for tensor in payload.inputs}
        names = [tensor.name for tensor in self.session.get_outputs()]
        outputs = []
        for name, result in zip(names, self.session.run(names, feed), strict=True):
            output = InferOutput(name=name, shape=list(result.shape), datatype="FP32")
            output.set_data_from_numpy(result, binary_data=True)
            outputs.append(output)
        return InferResponse(
            model_name=self.name, infer_outputs=outputs, response_id=payload.id or str(uuid.uuid4())
        )


def _tensor(tensor):
    shape = [side if isinstance(side, int) else -1 for side in tensor.shape]
    return {"name": tensor.name, "datatype": "FP32", "shape": shape}


if __name__ == "__main__":
    name, path, http_port, grpc_port = sys.argv[1:5]
    ModelServer(http_port=int(http_port), grpc_port=int(grpc_port), enable_grpc=False).start(
        [OnnxModel(name, path)]
    )
