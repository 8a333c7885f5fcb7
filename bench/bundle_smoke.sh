#!/usr/bin/env bash
# The frozen Linux bundle's smoke test and figures (packaging/smoke_linux.py): its size, start-up
# frozen against .venv (the peer), the wizard → vault → import → recording → batch run under Xvfb.
# Builds dist/sohoa/ first when missing (--build rebuilds). Minutes on two cores: not in CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/packaging/dev/setup.sh"
exec "$ROOT/.venv/bin/python" "$ROOT/packaging/smoke_linux.py" "$@"
