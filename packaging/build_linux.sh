#!/usr/bin/env bash
# Build the station's Linux bundle: dist/sohoa/ (run dist/sohoa/sohoa) and, with --tarball,
# dist/sohoa-VERSION-linux-x86_64.tar.gz beside it. Set-up first (.venv from uv.lock, which
# pins PyInstaller too: the bundle is built from the reviewed versions).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/packaging/dev/setup.sh"
cd "$ROOT"
# Compiled translations must be current: the bundle carries the .qm, not the .ts.
"$ROOT/.venv/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$ROOT/dist" \
    --workpath "$ROOT/build/pyinstaller" "$ROOT/packaging/pyinstaller/sohoa-linux.spec"
if [[ "${1:-}" == "--tarball" ]]; then
    version="$("$ROOT/.venv/bin/python" -c \
        'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
    tarball="$ROOT/dist/sohoa-$version-linux-$(uname -m).tar.gz"
    # Reproducible archive: sorted names, fixed owner and time (the last commit's).
    mtime="$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" \
        -C "$ROOT/dist" -czf "$tarball" sohoa
    echo "build_linux: $tarball" >&2
fi
echo "build_linux: $ROOT/dist/sohoa/sohoa ($(du -sh "$ROOT/dist/sohoa" | cut -f1))" >&2
