#!/usr/bin/env bash
# Set up .venv (first run only: ~2 min, ~6.5 GB with the analysis stack) and run the tests.
# Arguments go to pytest. SQLite + an embedded Redis by default; set DATABASE_URL and
# REDIS_URL to run against servers instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "inference,remote,test"
exec .venv/bin/python -m pytest "$@"
