"""Smoke test of the frozen Linux bundle (dist/sohoa/): what freezing can break, run for real.

    .venv/bin/python packaging/smoke_linux.py [--build] [--seconds 3]
    (bench/bundle_smoke.sh runs it; it is not part of the normal test run: building takes
    minutes on two cores)

1. Builds the bundle first when it is missing or with --build (packaging/build_linux.sh).
2. The CLI, frozen, in a clean environment (no .venv on the PATH, no PYTHONPATH): `sohoa --help`
   timed against the same command from .venv (the peer figure); `sohoa vault info`.
3. A private PulseAudio with a null sink (tests/capture/pulse.py, as the recorder tests use),
   Vietnamese speech from espeak-ng played into it over and over.
4. The GUI smoke inside the bundle (packaging/pyinstaller/smoke_driver.py, SOHOA_SMOKE) under
   Xvfb: the wizard creates a vault, a photo and a scan are imported through the spawned
   decoders, the null sink is recorded through PortAudio, a batch is built through the
   encryptor process (age CLI and pyrage) and decrypted back.
5. `sohoa vault check` on the vault the smoke made, frozen.

Prints the bundle's size and start-up times; the last line is one JSON object. Exit 0 only when
every step passed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.capture.pulse import PulseServer, available  # noqa: E402

BUNDLE = ROOT / "dist" / "sohoa"
BINARY = BUNDLE / "sohoa"


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a volunteer's session has: the system PATH, a display, a language; nothing of .venv."""
    keep = ("DISPLAY", "XAUTHORITY", "LANG", "LC_ALL", "TERM", "TZ", "USER", "LOGNAME")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(PATH="/usr/local/bin:/usr/bin:/bin", HOME=str(home), SOHOA_HOME=str(home / "sohoa"))
    env.update(extra)
    return env


def best_of(times: int, command: list[str], env: dict[str, str]) -> float:
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
        runs.append(time.perf_counter() - started)
    return min(runs)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", action="store_true", help="rebuild the bundle first")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to record")
    args = parser.parse_args()
    if args.build or not BINARY.exists():
        subprocess.run(["bash", str(ROOT / "packaging" / "build_linux.sh")], check=True)
    why_not = available()
    if why_not:
        print(f"smoke: {why_not}", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="sohoa-smoke-"))
    figures: dict[str, object] = {"bench": "bundle_smoke", "cpus": os.cpu_count()}
    figures["bundle_bytes"] = folder_size(BUNDLE)
    figures["bundle_files"] = sum(1 for p in BUNDLE.rglob("*") if p.is_file())
    print(f"bundle: {figures['bundle_bytes'] / 2**20:.0f} MiB in {figures['bundle_files']} files"
          f" ({BUNDLE})", file=sys.stderr)

    cli_home = work / "cli"
    cli_home.mkdir()
    env = clean_env(cli_home)
    frozen = best_of(3, [str(BINARY), "--help"], env)
    venv = best_of(3, [str(ROOT / ".venv" / "bin" / "sohoa"), "--help"], env)
    figures.update(cli_help_frozen_s=round(frozen, 2), cli_help_venv_s=round(venv, 2))
    print(f"start-up, `sohoa --help`: frozen {frozen:.2f} s, from .venv {venv:.2f} s (peer)",
          file=sys.stderr)
    # No vault yet: the frozen CLI says so, in Vietnamese, and exits non-zero.
    info = subprocess.run([str(BINARY), "vault", "info"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert info.returncode != 0 and "Không tìm thấy kho" in info.stderr, info.stderr

    pulse = PulseServer(work / "pulse").start()
    try:
        speech = pulse.speech(work / "speech.wav")
        players = [pulse.play(speech)]
        gui_home = work / "gui"
        gui_home.mkdir()
        result = gui_home / "result.json"
        env = clean_env(gui_home, SOHOA_SMOKE=str(result),
                        SOHOA_SMOKE_SECONDS=str(args.seconds),
                        **{k: pulse.env[k] for k in ("PULSE_RUNTIME_PATH", "XDG_RUNTIME_DIR",
                                                     "PULSE_SERVER")})
        started = time.perf_counter()
        smoke = subprocess.Popen(
            ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", str(BINARY)], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # An idle null sink's monitor delivers nothing: keep speech playing until the end.
        while smoke.poll() is None:
            if players[-1].poll() is not None:
                players.append(pulse.play(speech))
            if time.perf_counter() - started > 600:
                smoke.kill()
                break
            time.sleep(0.1)
        output = smoke.communicate()[0]
        figures["gui_smoke_s"] = round(time.perf_counter() - started, 1)
        for player in players:
            if player.poll() is None:
                player.terminate()
    finally:
        pulse.stop()
    if not result.exists():
        print(output[-4000:], file=sys.stderr)
        print("smoke: the frozen app wrote no result", file=sys.stderr)
        return 1
    found = json.loads(result.read_text(encoding="utf-8"))
    if found.get("exit") != 0:
        print(output[-4000:], file=sys.stderr)
        print(found.get("error", ""), file=sys.stderr)
        return 1
    check = subprocess.run([str(BINARY), "vault", "check", "--user", "lan",
                            "--passphrase-stdin"], env=clean_env(gui_home),
                           input="quê hương là chùm khế ngọt\n", capture_output=True, text=True,
                           timeout=300)
    figures["vault_check_exit"] = check.returncode
    info = subprocess.run([str(BINARY), "vault", "info"], env=clean_env(gui_home),
                          capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    assert found["frozen"], "the smoke did not run frozen"
    assert found["wizard_next_label"] == "Tiếp theo", "the Vietnamese translation is missing"
    for key in ("startup_to_window_s", "vault_created_s", "import_s", "decoder_processes",
                "recorded_s",
                "recorded_rms", "batch_pyrage_bytes", "batch_age_bytes", "qt_multimedia_decodes",
                "recovery_pdf_bytes"):
        if key in found:
            figures[key] = found[key]
    print(f"start-up to the wizard's window (frozen, Xvfb): {found['startup_to_window_s']} s; "
          f"vault created in {found['vault_created_s']} s; import {found['import_s']} s "
          f"({found['decoder_processes']} decoder processes); "
          f"recorded {found['recorded_s']} s (rms {found['recorded_rms']}); batches "
          + ", ".join(f"{k.split('_')[1]} {v} B" for k, v in found.items()
                      if k.startswith("batch_") and k.endswith("_bytes")), file=sys.stderr)
    print(f"screenshots: {gui_home / 'smoke-shots'}", file=sys.stderr)
    if check.returncode != 0:
        print(f"vault check failed: {check.stdout[-2000:]} {check.stderr[-2000:]}",
              file=sys.stderr)
        return 1
    print(json.dumps(figures, ensure_ascii=False))
    shutil.rmtree(work / "cli", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
