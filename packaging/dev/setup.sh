#!/usr/bin/env bash
# Everything a fresh Debian/Ubuntu machine needs to run the app and the tests. Idempotent: when
# nothing changed it only asks dpkg-query and compares one hash, and returns in well under a second.
#
#   1. system packages (apt-get, only those missing; `apt-get update` once, only if one is missing)
#   2. uv, the installer (from PyPI, pinned and hash-checked by packaging/dev/uv-requirements.txt,
#      into a small venv of its own in the user's cache, shared by every clone on the machine)
#   3. .venv synced exactly to uv.lock (every wheel hash-checked; the project itself editable,
#      with the test and bundle extras) when pyproject.toml or uv.lock changed since the last
#      sync (their hash is kept in .venv/.sohoa-installed)
#
# A pyproject.toml whose dependencies no longer match uv.lock is a stale lock: in CI (CI=true) the
# set-up fails, since the install would not be the reviewed one; on a developer's machine it says
# so, regenerates the lock (packaging/dev/lock.sh) and asks for it to be committed.
#
# Environment: SOHOA_PYTHON=/path/to/python3.x picks the interpreter for a new .venv;
# UV_CACHE_DIR moves uv's download cache (default ~/.cache/uv).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.sohoa-installed"
EXTRAS=(test bundle)
UV_REQUIREMENTS="$ROOT/packaging/dev/uv-requirements.txt"
# uv's own venv, named by the hash of its pinned requirements: a new pin makes a new one.
UV_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/sohoa-dev/uv-$(sha256sum "$UV_REQUIREMENTS" | cut -c1-12)"
UV="$UV_HOME/bin/uv"
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1

# One list. Later work appends here (one package a line, with the reason).
SYSTEM_PACKAGES=(
    # Python: a venv needs ensurepip, which Debian ships apart
    python3
    python3-venv
    # Qt 6 (PySide6 wheels) — what libQt6Core/Gui/Widgets/DBus/Network, the offscreen and xcb
    # platform plugins and the xcb GL integrations link against (found with objdump -p NEEDED)
    libglib2.0-0
    libzstd1
    zlib1g
    libgssapi-krb5-2
    libbrotli1
    libdbus-1-3
    libegl1
    libgl1
    libfontconfig1
    libfreetype6
    libx11-6
    libx11-xcb1
    libxkbcommon0
    libxkbcommon-x11-0
    libxcb1
    libxcb-cursor0
    libxcb-glx0
    libxcb-icccm4
    libxcb-image0
    libxcb-keysyms1
    libxcb-randr0
    libxcb-render0
    libxcb-render-util0
    libxcb-shape0
    libxcb-shm0
    libxcb-sync1
    libxcb-util1
    libxcb-xfixes0
    libxcb-xkb1
    # a real X server for window tests and screenshots
    xvfb
    xauth
    # fonts with every Vietnamese diacritic (the app bundles its own too)
    fonts-dejavu-core
    # tests: pdftoppm renders the consent PDFs, sqlite3 shows the vault database is not plain SQLite
    poppler-utils
    sqlite3
    # recorder: PortAudio for sounddevice; libsndfile (FLAC, MP3) for soundfile when its wheel
    # does not bundle it; a PulseAudio null sink, paplay/pactl and Vietnamese speech from espeak-ng
    # for the real-audio tests and bench on a machine without a sound card
    libportaudio2
    libsndfile1
    pulseaudio
    pulseaudio-utils
    espeak-ng
    # QtMultimedia (camera, video playback) loads libpulse even where no sound plays
    libpulse0
    # sync: the stock tools that must open what we make (age decrypts a batch, minisign -V
    # verifies its signature)
    age
    minisign
    # sync: zbarimg reads back the enrolment QR code the server writes
    zbar-tools
    # sync: the command server's tests start a real PostgreSQL (initdb, pg_ctl)
    postgresql
    # workbench (issue 13): the browser tests drive a real Chromium through its WebDriver
    chromium
    chromium-driver
    # guide (issue 18): ffprobe checks the tutorial clips as a trainee's player reads them
    ffmpeg
    # leads (issue 14): OCR of the typed pages photographed at the station, Vietnamese model
    tesseract-ocr
    tesseract-ocr-vie
    # map layers (issue 14): gdalinfo, gdalwarp, gdal_translate and gdaladdo tile the command's
    # georeferenced map sheets (run as bounded subprocesses by sync/server/map_layers.py)
    gdal-bin
)

say() { printf 'setup: %s\n' "$*" >&2; }

installed_packages() {
    # One dpkg-query for the whole list (fast). Ubuntu 24.04 renamed some libraries with a "t64"
    # suffix (libglib2.0-0t64); either name counts. Prints the installed names, t64 stripped.
    local names=()
    for p in "$@"; do names+=("$p" "${p}t64"); done
    dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${names[@]}" 2>/dev/null \
        | awk '$1 == "ii" { sub(/t64$/, "", $2); print $2 }' || true
}

as_root() {
    if [[ "$(id -u)" == 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        say "need root to run: $*"
        say "install sudo, or run this script as root once"
        exit 1
    fi
}

python_ok() {  # a Python ≥ 3.11 (pyproject's requires-python)
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

install_system_packages() {
    if ! command -v dpkg-query >/dev/null; then
        say "not a Debian/Ubuntu system: install the equivalent of these yourself:"
        say "  ${SYSTEM_PACKAGES[*]}"
        return 0
    fi
    local wanted=("${SYSTEM_PACKAGES[@]}")
    # Ubuntu 22.04's python3 is 3.10: bring a 3.11 beside it.
    if [[ -z "${SOHOA_PYTHON:-}" ]] && ! python_ok python3 && ! command -v python3.11 >/dev/null \
        && ! command -v python3.12 >/dev/null; then
        wanted+=(python3.11 python3.11-venv)
    fi
    local -A have=()
    local p missing=()
    while read -r p; do have["$p"]=1; done < <(installed_packages "${wanted[@]}")
    for p in "${wanted[@]}"; do
        [[ -n "${have[$p]:-}" ]] || missing+=("$p")
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get -y -q -o DPkg::Lock::Timeout=600)
    as_root env DEBIAN_FRONTEND=noninteractive "${apt[@]}" -qq update
    as_root env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install --no-install-recommends \
        "${missing[@]}"
}

pick_python() {
    if [[ -n "${SOHOA_PYTHON:-}" ]]; then
        echo "$SOHOA_PYTHON"
        return
    fi
    for candidate in python3 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null && python_ok "$candidate"; then
            command -v "$candidate"
            return
        fi
    done
    say "no Python 3.11 or newer found; set SOHOA_PYTHON to one"
    exit 1
}

install_uv() {
    if [[ -x "$UV" ]] && "$UV" --version >/dev/null 2>&1; then
        return 0
    fi
    local python
    python="$(pick_python)"
    say "installing uv (pinned, hash-checked) into $UV_HOME"
    rm -rf "$UV_HOME" "$UV_HOME.new"
    "$python" -m venv "$UV_HOME.new"
    # --require-hashes: uv's wheel must be one of those pinned, nothing else is taken.
    "$UV_HOME.new/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
        --require-hashes --only-binary :all: -r "$UV_REQUIREMENTS"
    mv "$UV_HOME.new" "$UV_HOME"
}

stamp_of() {  # what the installed .venv was synced from
    cat "$ROOT/pyproject.toml" "$ROOT/uv.lock" "$UV_REQUIREMENTS" | sha256sum | cut -d' ' -f1
    printf '%s\n' "${EXTRAS[@]}"
}

check_lock() {
    local python="$1"
    if "$UV" lock --check --project "$ROOT" --python "$python" -q 2>/dev/null; then
        return 0
    fi
    say "uv.lock does not match pyproject.toml: its dependencies changed and the lock was not"
    say "regenerated. Run: bash packaging/dev/lock.sh   (then commit uv.lock)"
    if [[ -n "${CI:-}" && "${CI}" != "false" ]]; then
        say "CI: a stale lock is a defect, stopping"
        exit 1
    fi
    say "regenerating it now (not in CI); commit the new uv.lock with your change"
    bash "$ROOT/packaging/dev/lock.sh"
}

install_project() {
    if [[ -f "$STAMP" && -x "$VENV/bin/python" && "$(cat "$STAMP")" == "$(stamp_of)" ]] \
        && "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        return 0
    fi
    install_uv
    local python extra_args=()
    if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' 2>/dev/null \
        && python_ok "$VENV/bin/python"; then
        python="$VENV/bin/python"
    else
        if [[ -e "$VENV" ]]; then
            say "$VENV is broken (its Python is gone?): making it again"
            rm -rf "$VENV"
        fi
        python="$(pick_python)"
        say "creating $VENV with $python ($("$python" --version 2>&1))"
    fi
    check_lock "$python"
    for extra in "${EXTRAS[@]}"; do extra_args+=(--extra "$extra"); done
    say "syncing .venv with uv.lock (hash-checked)"
    # --locked: install exactly the lock, never re-resolve (and fail if it is stale). A .venv made
    # by the old pip set-up is kept and made exact: what matches is not reinstalled.
    (cd "$ROOT" && UV_PROJECT_ENVIRONMENT="$VENV" "$UV" sync --locked -q "${extra_args[@]}" \
        --python "$python")
    stamp_of >"$STAMP"
}

if [[ "${1:-}" == "--print-uv" ]]; then  # for lock.sh: uv, installed if needed, and no more
    install_uv >&2
    echo "$UV"
    exit 0
fi
install_system_packages
install_project
