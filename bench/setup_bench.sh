#!/usr/bin/env bash
# Fresh set-up time, the old pip set-up against the uv.lock one, on this machine:
#
#   bash bench/setup_bench.sh [BEFORE_COMMIT]     (default: the commit before uv.lock came)
#
# Each run clones the commit into /tmp (no .venv) and times `bash packaging/dev/setup.sh` — the
# system packages are already there, so this is the Python part that differs. "cold": an empty
# cache folder (XDG_CACHE_HOME, so pip's cache, uv's cache and uv's own venv all start empty:
# what a new laptop or a new CI machine has). "warm": the same cache after one cold run.
# Prints one line per run, then one JSON object.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BEFORE="${1:-$(git -C "$ROOT" rev-parse \
    "$(git -C "$ROOT" log --format=%H --diff-filter=A -1 -- uv.lock)^")}"
AFTER="$(git -C "$ROOT" rev-parse HEAD)"
WORK="$(mktemp -d /tmp/setup-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

run() {  # NAME COMMIT CACHE → seconds
    local name="$1" commit="$2" cache="$3" clone="$WORK/$1"
    git clone -q --no-checkout "$ROOT" "$clone"
    git -C "$clone" checkout -q "$commit"
    local start end
    start=$(date +%s.%N)
    XDG_CACHE_HOME="$cache" bash "$clone/packaging/dev/setup.sh" >"$WORK/$name.log" 2>&1 \
        || { echo "setup failed ($name):" >&2; tail -20 "$WORK/$name.log" >&2; exit 1; }
    end=$(date +%s.%N)
    (cd /tmp && "$clone/.venv/bin/python" -c 'import PySide6.QtMultimedia, sqlcipher3, ui, pytest')
    rm -rf "$clone"
    python3 -c "print(round($end - $start, 1))"
}

declare -A t
for side in before after; do
    commit=$BEFORE; [[ $side == after ]] && commit=$AFTER
    cache="$WORK/cache-$side"; mkdir -p "$cache"
    t[$side-cold]=$(run "$side-cold" "$commit" "$cache")
    echo "$side (${commit:0:8}) cold cache: ${t[$side-cold]} s" >&2
    t[$side-warm]=$(run "$side-warm" "$commit" "$cache")
    echo "$side (${commit:0:8}) warm cache: ${t[$side-warm]} s" >&2
done
printf '{"bench": "fresh_setup", "before_commit": "%s", "after_commit": "%s", "before_cold_s": %s, "before_warm_s": %s, "after_cold_s": %s, "after_warm_s": %s, "cpus": %s}\n' \
    "${BEFORE:0:12}" "${AFTER:0:12}" "${t[before-cold]}" "${t[before-warm]}" \
    "${t[after-cold]}" "${t[after-warm]}" "$(nproc)"
