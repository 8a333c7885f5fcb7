#!/usr/bin/env bash
# Set up if needed, then start the desktop app on the embedded default: a vault in the user's data
# folder (platformdirs; SOHOA_HOME moves it). Arguments go to `sohoa`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$ROOT/packaging/dev/setup.sh"
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
    echo "run-app: no display (DISPLAY and WAYLAND_DISPLAY are unset): starting under Xvfb," \
        "so the window is not visible. Run from a desktop session to see it." >&2
    exec xvfb-run -a -s "-screen 0 1366x768x24" "$ROOT/.venv/bin/sohoa" "$@"
fi
exec "$ROOT/.venv/bin/sohoa" "$@"
