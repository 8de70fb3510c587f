#!/usr/bin/env bash
# Set up Counterflow with its dev tools, start a throw-away PostgreSQL, then lint, type-check and test.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/store -x).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
echo "== ruff"
.venv/bin/ruff check src tests benchmarks
echo "== mypy --strict"
.venv/bin/mypy --strict src/counterflow
echo "== chromium (Debian's, for the browser tests)"
scripts/chromium.sh
export COUNTERFLOW_REQUIRE_BROWSER=1
export COUNTERFLOW_ARTIFACTS="${COUNTERFLOW_ARTIFACTS:-$PWD/artifacts}"
echo "== postgresql"
eval "$(scripts/pg.sh start)"
trap 'scripts/pg.sh stop "$PGTMP"' EXIT
export COUNTERFLOW_REQUIRE_PG=1
echo "== pytest"
set +e
# loadgroup: the Spark tests share one worker (and one JVM); the rest spread as usual.
.venv/bin/pytest -n 2 --dist loadgroup -q "$@"
status=$?
set -e
if [ "$status" = "5" ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
