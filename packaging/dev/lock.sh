#!/usr/bin/env bash
# Regenerate uv.lock from pyproject.toml: after adding, removing or re-bounding a dependency, or
# after merging branches that did. One command, deterministic, a few seconds with a warm cache:
#
#   bash packaging/dev/lock.sh             # keep every pinned version that still fits; resolve
#                                          # only what changed (a merge's new dependencies)
#   bash packaging/dev/lock.sh --upgrade   # move everything to the newest versions that fit
#   bash packaging/dev/lock.sh --upgrade-package NAME   # one package (and what it needs)
#   bash packaging/dev/lock.sh --uv 0.14.0 # pin another uv (rewrites uv-requirements.txt)
#
# A merge conflict in uv.lock needs no hand-editing: take either side (git checkout --theirs
# uv.lock) and run this; uv keeps the pins it can and resolves the rest. Then run
# packaging/dev/setup.sh (it syncs .venv) and commit uv.lock.
#
# The lock is universal (Linux and Windows, every Python the project allows): the Windows bundle's
# CI installs from the same file.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
UV_REQUIREMENTS="$ROOT/packaging/dev/uv-requirements.txt"
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1

if [[ "${1:-}" == "--uv" ]]; then
    version="${2:?usage: lock.sh --uv VERSION}"
    uv_bin="$(bash "$ROOT/packaging/dev/setup.sh" --print-uv)"
    {
        echo "# uv, the installer packaging/dev/setup.sh uses, pinned with the hash of every wheel PyPI has"
        echo "# for it. A new pin: bash packaging/dev/lock.sh --uv VERSION"
        echo "uv==$version" | "$uv_bin" pip compile - --generate-hashes --universal --no-header -q
    } >"$UV_REQUIREMENTS.new"
    mv "$UV_REQUIREMENTS.new" "$UV_REQUIREMENTS"
    echo "lock: pinned uv $version in packaging/dev/uv-requirements.txt" >&2
    exit 0
fi

uv_bin="$(bash "$ROOT/packaging/dev/setup.sh" --print-uv)"
cd "$ROOT"
"$uv_bin" lock "$@"
echo "lock: uv.lock is up to date with pyproject.toml; commit it" >&2
