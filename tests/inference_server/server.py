"""Start a real KServe v2 inference server (MLServer) on 127.0.0.1 for the tests.

MLServer lives in its own virtualenv (``scripts/inference_server.sh`` makes it) because its
pins clash with the analysis stack; the server runs the shipped YOLOv8n through
``onnx_runtime.py``. Nothing here is imported by the package.
"""

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_VENV = Path(os.environ.get("INFERENCE_SERVER_VENV", ROOT / ".server-venv"))
MLSERVER = SERVER_VENV / "bin" / "mlserver"
KSERVE_PYTHON = Path(os.environ.get("KSERVE_VENV", ROOT / ".kserve-venv")) / "bin" / "python"
MODEL_NAME = "yolov8n"
FIXED_BATCH_MODEL_NAME = "yolov8n-batch1"  # the export as it is: batch 1 only


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class InferenceServer:
    """MLServer serving the YOLOv8n repository in ``folder``; ``http_url``, ``grpc_url``."""

    def __init__(self, folder: Path, input_size: int = 320):
        from django_video_analytics.pipeline.serving import write_model_repository

        self.folder = folder
        write_model_repository(folder, input_size=input_size, name=MODEL_NAME)
        self._add_fixed_batch_model(input_size)
        self.http_port, self.grpc_port, metrics_port = free_port(), free_port(), free_port()
        (folder / "settings.json").write_text(
            json.dumps(
                {
                    "host": "127.0.0.1",
                    "http_port": self.http_port,
                    "grpc_port": self.grpc_port,
                    "metrics_port": metrics_port,
                    "parallel_workers": 0,
                    "grpc_max_message_length": 256 * 1024 * 1024,
                }
            )
        )
        self.http_url = f"http://127.0.0.1:{self.http_port}"
        self.grpc_url = f"grpc://127.0.0.1:{self.grpc_port}"
        self.process = None

    def _add_fixed_batch_model(self, input_size):
        from django_video_analytics.pipeline.weights import resolve_detector_weights, sized_weights

        model_settings = json.loads((self.folder / MODEL_NAME / "model-settings.json").read_text())
        model_settings["name"] = FIXED_BATCH_MODEL_NAME
        model_settings["parameters"]["uri"] = str(
            sized_weights(resolve_detector_weights(), input_size)
        )
        model_settings["inputs"][0]["shape"][0] = 1
        (self.folder / FIXED_BATCH_MODEL_NAME).mkdir()
        (self.folder / FIXED_BATCH_MODEL_NAME / "model-settings.json").write_text(
            json.dumps(model_settings)
        )

    def start(self, wait: float = 120.0):
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
        self.log = open(self.folder / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(MLSERVER), "start", str(self.folder)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_ready(self, f"{self.http_url}/v2/models/{MODEL_NAME}/ready", wait, "server.log")
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class KServeServer:
    """KServe's Python model server for ``model_file`` (binary tensor extension over REST).

    kserve 0.21 binds its REST server to 0.0.0.0 (hard-coded); it lives for one test module.
    """

    def __init__(self, folder: Path, model_file: Path):
        self.folder, self.model_file = folder, model_file
        self.http_port = free_port()
        self.http_url = f"http://127.0.0.1:{self.http_port}"
        self.process = None

    def start(self, wait: float = 120.0):
        self.log = open(self.folder / "kserve.log", "wb")  # noqa: SIM115 (closed in stop)
        script = Path(__file__).parent / "kserve_onnx.py"
        command = [str(KSERVE_PYTHON), str(script), MODEL_NAME, str(self.model_file)]
        self.process = subprocess.Popen(
            [*command, str(self.http_port), str(free_port())],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_ready(self, f"{self.http_url}/v2/models/{MODEL_NAME}/ready", wait, "kserve.log")
        return self

    stop = InferenceServer.stop


def _wait_ready(server, ready_url, wait, log_name):
    """Poll the model's ready endpoint; stop the server and raise with its log on failure."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            with urllib.request.urlopen(ready_url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    server.stop()
    log = (server.folder / log_name).read_text(errors="replace")[-3000:]
    raise RuntimeError(f"{type(server).__name__} did not become ready:\n{log}")
