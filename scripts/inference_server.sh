#!/usr/bin/env bash
# Set up .server-venv: MLServer + onnxruntime, the KServe v2 inference server the remote
# detector backend's tests start (tests/inference_server/). A venv of its own: MLServer's
# pins clash with the analysis stack. Idempotent: a venv already holding these pins is kept.
# First run ~2 min. Override the location with INFERENCE_SERVER_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${INFERENCE_SERVER_VENV:-.server-venv}
PINS="mlserver==1.7.1 onnxruntime==1.32.0 numpy==2.4.6"
STAMP="$VENV/.pins"

if [ -x "$VENV/bin/mlserver" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$PINS" ]; then
  echo "inference server venv $VENV is ready"
  exit 0
fi
"${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install -q $PINS
"$VENV/bin/mlserver" --version
echo "$PINS" > "$STAMP"
