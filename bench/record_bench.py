"""CPU cost of recording, in real time, through real PortAudio: a private PulseAudio null sink
fed by paplay (espeak-ng Vietnamese speech, looped), recorded by the app's Recorder from the
sink's monitor into a real vault (a FLAC segment committed every 0.5 s, then the join). Measured
alone, and while another process stores a big object in the same vault's disk (the heavy write
a photo import makes). Goal: < 2 % of one core; 0 overflows under load.

    .venv/bin/python bench/record_bench.py [--seconds 60] [--load-mb 1024]

CPU is this process's user+system time (psutil) from ``start()`` to the end of ``stop()``,
divided by the audio recorded; it includes PortAudio's and ALSA's pulse-plugin threads, the
callback, the writer thread (FLAC, encryption, fsyncs, SQLCipher commits) and the join, but not
the PulseAudio server. Printed apart:

- **floor**: the same PortAudio stream (same device, rate, format, latency) with a callback that
  does nothing, over the same time — what any recorder on this audio path pays;
- **start-up**: the first ``WARMUP`` seconds. Here PortAudio's ALSA thread busy-polls the pulse
  plugin until the null sink's monitor delivers its first block (~1.5 s, ~1 s of CPU; the same
  in the floor): a one-off cost per start that weighs a lot in a one-minute bench and nothing
  in a one-hour testimony;
- **steady**: from then to the stop request; and the writer thread's own CPU and the join's.

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from capture import accounts, visits  # noqa: E402
from capture import recorder as rec  # noqa: E402
from capture.keyslots import KdfParams  # noqa: E402
from capture.roles import Role  # noqa: E402
from capture.testimony import create_testimony  # noqa: E402
from capture.vault import NewUser, StationSetup, Vault  # noqa: E402
from tests.capture.pulse import PulseServer  # noqa: E402

LOAD = """
import os, sys
sys.path.insert(0, {root!r})
from capture.vault import Vault
vault = Vault(__import__('pathlib').Path({path!r})).unlock('lan', 'mật khẩu của Lan')
block = os.urandom(1024 * 1024)
class Source:
    left = {mb}
    def read(self, n):
        if self.left <= 0:
            return b''
        self.left -= 1
        return block
print('load started', flush=True)
vault.store_object(Source(), label='bench load')
print('load done', flush=True)
"""


WARMUP = 5.0


def _play_while(pulse: PulseServer, speech: Path, seconds: float,
                marks: dict[str, Any], process: psutil.Process) -> None:
    """Keep the speech playing for ``seconds``; note the CPU time after the start-up."""
    started = time.monotonic()
    player = None
    while time.monotonic() - started < seconds:
        if player is None or player.poll() is not None:
            player = pulse.play(speech)
        if "warm" not in marks and time.monotonic() - started >= WARMUP:
            marks["warm"] = (_cpu(process), time.monotonic())
        time.sleep(0.05)
    marks["end"] = (_cpu(process), time.monotonic())
    if player is not None:
        player.kill()
        player.wait()


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def record(vault, testimony_id: str, pulse: PulseServer, speech: Path, seconds: float) -> dict:
    recorder = rec.Recorder(vault, testimony_id)
    process = psutil.Process()
    marks: dict[str, Any] = {}
    before = _cpu(process)
    recorder.start(rec.DeviceSource("pulse"))
    _play_while(pulse, speech, seconds, marks, process)
    recorder.stop()
    cpu = _cpu(process) - before
    audio = (recorder.frames_committed or 1) / rec.SAMPLE_RATE
    (warm_cpu, warm_at), (end_cpu, end_at) = marks["warm"], marks["end"]
    return {"audio_seconds": round(audio, 2),
            "cpu_seconds": round(cpu, 3),
            "cpu_seconds_per_audio_minute": round(cpu / audio * 60, 3),
            "percent_of_one_core": round(100 * cpu / audio, 2),
            "startup_cpu_seconds": round(warm_cpu - before, 3),
            "steady_percent_of_one_core": round(100 * (end_cpu - warm_cpu) / (end_at - warm_at),
                                                2),
            "writer_cpu_seconds": round(recorder.writer_cpu_seconds, 3),
            "join_cpu_seconds": round(recorder.join_cpu_seconds, 3),
            "overflows": recorder.overflows,
            "ring_dropped_frames": recorder._ring.dropped if recorder._ring else 0}


def floor(pulse: PulseServer, speech: Path, seconds: float) -> dict:
    """The same stream as DeviceSource opens, with a callback that does nothing."""
    import sounddevice as sd

    process = psutil.Process()
    marks: dict[str, Any] = {}
    before = _cpu(process)
    stream = sd.RawInputStream(device="pulse", samplerate=rec.SAMPLE_RATE, channels=1,
                               dtype="int32", latency=0.1, blocksize=rec.BLOCK_FRAMES,
                               callback=lambda *_: None)
    stream.start()
    _play_while(pulse, speech, seconds, marks, process)
    stream.abort()
    stream.close()
    cpu = _cpu(process) - before
    (warm_cpu, warm_at), (end_cpu, end_at) = marks["warm"], marks["end"]
    return {"cpu_seconds": round(cpu, 3), "percent_of_one_core": round(100 * cpu / seconds, 2),
            "startup_cpu_seconds": round(warm_cpu - before, 3),
            "steady_percent_of_one_core": round(100 * (end_cpu - warm_cpu) / (end_at - warm_at),
                                                2)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--load-mb", type=int, default=1024)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="record-bench-", dir=os.environ.get("BENCH_DIR")))
    pulse = PulseServer(work / "pulse").start()
    pulse.use_in_this_process()
    speech = pulse.speech(work / "speech.wav")
    vault = _new_vault(work / "vault")
    other = _new_vault(work / "other-vault")  # a vault is one process's; the load uses this one
    other.lock()
    visit_id = visits.create_visit(vault, visits.Household(province_code=1, ward_code=4))
    results: dict[str, Any] = {}
    try:
        results["floor"] = floor(pulse, speech, args.seconds)
        print("floor (PortAudio stream, empty callback):", results["floor"], flush=True)
        results["alone"] = record(vault, create_testimony(vault, visit_id), pulse, speech,
                                  args.seconds)
        print("alone:", results["alone"], flush=True)
        # Another process stores a big object on the same disk (another vault: a vault is
        # open in one process at a time), as a photo import would beside the recorder.
        load = subprocess.Popen([sys.executable, "-c", LOAD.format(
            root=str(ROOT), path=str(work / "other-vault"), mb=args.load_mb)],
            stdout=subprocess.PIPE, text=True)
        assert load.stdout is not None
        load.stdout.readline()
        results["under_load"] = record(vault, create_testimony(vault, visit_id), pulse,
                                       speech, args.seconds)
        load_done = load.poll() is not None
        load.wait()
        results["under_load"]["load_finished_during_recording"] = load_done
        print("under load:", results["under_load"], flush=True)
    finally:
        if not vault.is_locked:
            vault.lock()
        pulse.stop()
    results["machine"] = {"cpus": os.cpu_count(), "processor": platform.processor(),
                          "python": platform.python_version(), "load_mb": args.load_mb}
    print(json.dumps(results))
    return 0


def _new_vault(path: Path):
    admin, _ = Vault.create(path, StationSetup("Bench", 1, 4),
                            NewUser("admin", "Admin", "mật khẩu quản trị", Role.ADMIN),
                            kdf=KdfParams.for_tests())
    accounts.create_user(admin, NewUser("lan", "Lan", "tạm thời 12345", Role.VOLUNTEER))
    admin.lock()
    vault = Vault(path).unlock("lan", "tạm thời 12345")
    vault.set_new_passphrase("mật khẩu của Lan")
    return vault


if __name__ == "__main__":
    sys.exit(main())
