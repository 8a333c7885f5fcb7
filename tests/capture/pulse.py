"""A private PulseAudio server with a null sink, for recording real audio on a machine without
a sound card (DESIGN §8).

How it runs here (root, no display, no D-Bus): ``pulseaudio -n`` (no default script) loading
only ``module-null-sink`` and ``module-native-protocol-unix`` with ``auth-anonymous=1``, with
HOME, PULSE_RUNTIME_PATH and XDG_RUNTIME_DIR pointed into a temp folder. As root PulseAudio
only warns ("This program is not intended to be run as root") when HOME is its own folder; it
needs no ``--system``. Clients find it through PULSE_SERVER=unix:<folder>/native. PortAudio
here is 19.6 (Debian 12) without a PulseAudio host API, so the app records through ALSA's
``pulse`` device (libasound2-plugins), which records the server's default source: we make that
the sink's ``.monitor``, so whatever ``paplay`` plays into the sink is what the recorder hears.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

SINK = "sohoa_test"
SPEECH = ("Bà kể rằng năm một nghìn chín trăm sáu mươi tám, anh ấy hy sinh ở Quảng Trị, "
          "đơn vị đại đội ba, tiểu đoàn tám.")


def available() -> str | None:
    """None when everything is installed, else why not (for pytest.skip)."""
    for tool in ("pulseaudio", "pactl", "paplay", "espeak-ng"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (packaging/dev/setup.sh installs it)"
    return None


class PulseServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runtime = folder / "run"
        self.runtime.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "HOME": str(folder), "PULSE_RUNTIME_PATH": str(self.runtime),
                    "XDG_RUNTIME_DIR": str(self.runtime),
                    "PULSE_SERVER": f"unix:{self.runtime}/native"}
        self.process: subprocess.Popen[bytes] | None = None
        self.sink_module: str | None = None

    def start(self) -> PulseServer:
        log = open(self.folder / "pulseaudio.log", "wb")
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
             "--log-target=stderr",
             "-L", f"module-native-protocol-unix socket={self.runtime}/native auth-anonymous=1"],
            env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while self.pactl("info", check=False).returncode != 0:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("pulseaudio did not start: "
                                   + (self.folder / "pulseaudio.log").read_text()[-2000:])
            time.sleep(0.05)
        self.add_sink()
        return self

    def add_sink(self) -> None:
        self.sink_module = self.pactl("load-module", "module-null-sink", f"sink_name={SINK}",
                                      "rate=48000").stdout.strip()
        self.pactl("set-default-sink", SINK)
        self.pactl("set-default-source", f"{SINK}.monitor")

    def remove_sink(self) -> None:
        """What pulling out a USB microphone does to PulseAudio: the source disappears."""
        assert self.sink_module is not None
        self.pactl("unload-module", self.sink_module)
        self.sink_module = None

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True,
                              check=check, timeout=10)

    def speech(self, path: Path, text: str = SPEECH) -> Path:
        subprocess.run(["espeak-ng", "-v", "vi", "-w", str(path), text], check=True,
                       capture_output=True, timeout=60)
        return path

    def play(self, path: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(["paplay", f"--device={SINK}", str(path)], env=self.env)

    def use_in_this_process(self) -> None:
        """ALSA's pulse plugin reads these when a stream opens."""
        for key in ("HOME", "PULSE_RUNTIME_PATH", "XDG_RUNTIME_DIR", "PULSE_SERVER"):
            os.environ[key] = self.env[key]

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
