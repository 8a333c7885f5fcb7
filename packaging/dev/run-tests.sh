#!/usr/bin/env bash
# The whole check, as CI runs it: set-up, ruff, the import contracts, then pytest (offscreen Qt).
# Extra arguments go to pytest: bash packaging/dev/run-tests.sh -k vault -x
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$ROOT/packaging/dev/setup.sh"
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1
echo "== ruff check" >&2
.venv/bin/ruff check .
echo "== lint-imports" >&2
.venv/bin/lint-imports --no-cache
echo "== pytest" >&2
# pytest exits 5 when it collects nothing; with `exec` and set -e that fails the run, as it should.
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
