#!/usr/bin/env bash
# Set up the inference servers the remote detector backend's tests start on 127.0.0.1
# (tests/inference_server/): MLServer (JSON REST + gRPC) in .server-venv and KServe's
# Python model server (REST with the binary tensor extension) in .kserve-venv, each with
# onnxruntime. Venvs of their own: their pins clash with the analysis stack and with each
# other (fastapi). Idempotent: a venv already holding its pins is kept. First run ~3 min.
# Override the locations with INFERENCE_SERVER_VENV and KSERVE_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."

ensure_server_venv() {
  local venv=$1 pins=$2
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.pins" 2>/dev/null)" = "$pins" ]; then
    echo "inference server venv $venv is ready"
    return
  fi
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install -q $pins
  echo "$pins" > "$venv/.pins"
  echo "inference server venv $venv installed: $pins"
}

ensure_server_venv "${INFERENCE_SERVER_VENV:-.server-venv}" \
  "mlserver==1.7.1 onnxruntime==1.32.0 numpy==2.4.6"
ensure_server_venv "${KSERVE_VENV:-.kserve-venv}" \
  "kserve==0.21.0 onnxruntime==1.32.0 numpy==2.4.6"
