"""An MLServer runtime that runs an ONNX model with onnxruntime (MLServer ships none).

Loaded by ``mlserver start`` in the inference-server venv (``scripts/inference_server.sh``),
never by the package: ``model-settings.json`` names it as
``"implementation": "onnx_runtime.OnnxRuntimeModel"`` with ``parameters.uri`` the ONNX file.
"""

import numpy as np
import onnxruntime
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class OnnxRuntimeModel(MLModel):
    """Every request input goes to the model input of the same name; every output comes back."""

    async def load(self) -> bool:
        self.session = onnxruntime.InferenceSession(
            self.settings.parameters.uri, providers=["CPUExecutionProvider"]
        )
        self.output_names = [output.name for output in self.session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feed = {
            request_input.name: NumpyCodec.decode_input(request_input).astype(np.float32)
            for request_input in payload.inputs
        }
        results = self.session.run(self.output_names, feed)
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            outputs=[
                NumpyCodec.encode_output(name, result)
                for name, result in zip(self.output_names, results, strict=True)
            ],
        )
