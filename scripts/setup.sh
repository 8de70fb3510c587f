#!/usr/bin/env bash
# Set up Counterflow in ./.venv (idempotent). Usage: scripts/setup.sh [dev]
#   dev: also the test and lint tools.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
extras=""
if [ "${1:-}" = "dev" ]; then extras="[dev]"; fi
stamp=".venv/.installed${extras}"
# Reinstall only when the project definition changed since the last install.
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras}"
  touch "$stamp"
fi
