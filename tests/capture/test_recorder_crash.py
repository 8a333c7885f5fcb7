"""SIGKILL the recording process at random moments: at the next unlock the recording is there,
joined, up to at most 1 second before the kill, and sample-exact up to there.

The child (recording_child.py) records a synthetic tone in real time through the real Recorder
(same ring, writer thread and committed segments as with a microphone) and prints every commit.
The kill time is taken on CLOCK_MONOTONIC, which parent and child share, so the audio the child
had been given by the moment of the kill is known exactly."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from capture import recorder as rec
from capture.testimony import load_testimony
from capture.vault import Vault
from tests.capture.conftest import VOLUNTEER_PASS
from tests.capture.recording_helpers import RATE, new_testimony, tone

TRIALS = 20
CHILD = Path(__file__).with_name("recording_child.py")


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_sigkill_loses_at_most_one_second(volunteer):
    path = volunteer.path
    _, testimony_id = new_testimony(volunteer)
    volunteer.lock()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    rng = random.Random(4_2026)
    worst = 0.0
    for trial in range(TRIALS):
        child = subprocess.Popen([sys.executable, str(CHILD), str(path), testimony_id,
                                  VOLUNTEER_PASS], stdout=subprocess.PIPE, env=env, text=True)
        assert child.stdout is not None
        line = child.stdout.readline().split()
        assert line and line[0] == "started", line
        part_id, started = line[1], float(line[2])
        time.sleep(rng.uniform(0.05, 2.5))
        killed_at = time.monotonic()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        committed = [int(x.split()[1]) for x in child.stdout.read().splitlines()
                     if x.startswith("committed")]
        given = (killed_at - started) * RATE  # frames the source had fed by the kill

        vault = Vault(path).unlock("lan", VOLUNTEER_PASS)
        try:
            recovered = {r.part_id: r for r in rec.recover_unfinished(vault)}
            parts = {p.id: p for p in load_testimony(vault, testimony_id).parts}
            frames = parts[part_id].frames if part_id in parts else 0
            if part_id in parts:
                assert part_id in recovered
                with rec.open_audio(vault, parts[part_id].object_name) as audio:
                    got = audio.read(dtype="int32", always_2d=True)
                assert np.array_equal(got >> 8, tone(0, frames) >> 8)
        finally:
            vault.lock()
        assert frames >= (committed[-1] if committed else 0)  # nothing reported is lost
        loss = (given - frames) / RATE
        worst = max(worst, loss)
        assert loss <= 1.0, f"trial {trial}: lost {loss:.2f} s"
    print(f"worst loss over {TRIALS} kills: {worst:.3f} s")
