#!/usr/bin/env bash
# Set up everything the test suite needs and run all of it:
# a virtual environment with the pinned packages, Debian's chromium for the
# browser tests, then pytest (unit, real-model, API and real-browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY=${PYTHON:-python3}

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  "$PY" -m venv "$VENV"
fi
echo "== installing pinned packages"
"$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt

export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False
export INSTRUCTION_LENS_REQUIRE_BROWSER=1
echo "== running the tests"
exec "$VENV/bin/python" -m pytest -q -rs "$@"
