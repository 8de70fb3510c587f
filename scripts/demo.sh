#!/usr/bin/env bash
# Set up Counterflow and run the demo on the embedded default (a SQLite file in the working directory).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/counterflow demo "$@"
