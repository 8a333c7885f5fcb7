"""Disk nearly full, honestly: the vault lives on a small tmpfs mounted for this test (root
only; skipped with the reason when mount is refused), and a synthetic noise source (FLAC cannot
shrink noise) records through the real writer path. The recorder must warn while there is still
time, then stop by itself while the joined FLAC still fits, keeping every second it recorded.

The source feeds as fast as the writer takes it (it waits when the ring is nearly full), not at
a fixed speed: at a fixed 20x real time a loaded machine let the writer fall behind, the ring
dropped frames and the sample comparison failed — a flake that said nothing about the disk.
Now the check is the same and the pace is the writer's; the recorder looks at the free space
after every segment, so how fast the disk fills does not matter either.
"""

from __future__ import annotations

import os
import subprocess
import time

import numpy as np
import pytest

from capture import accounts
from capture import recorder as rec
from capture.roles import Role
from capture.testimony import load_testimony
from capture.vault import NewUser, Vault
from tests.capture.recording_helpers import new_testimony

SIZE_MB = 24


BLOCK = 4800


def noise(start: int, frames: int) -> np.ndarray:
    rng = np.random.default_rng(start)
    return rng.integers(-2**30, 2**30, (frames, 1), dtype=np.int32)


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs",
                             str(mount)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="tmpfs")
def test_nearly_full_disk_warns_then_stops_keeping_everything(make_vault, small_disk):
    admin, _ = make_vault(small_disk / "vault")
    accounts.create_user(admin, NewUser("lan", "Lan", "tạm thời 12345", Role.VOLUNTEER))
    admin.lock()
    vault = Vault(small_disk / "vault").unlock("lan", "tạm thời 12345")
    vault.set_new_passphrase("mật khẩu của Lan")
    try:
        _, testimony_id = new_testimony(vault)
        recorder = rec.Recorder(vault, testimony_id, disk_reserve_bytes=4 * 1024 * 1024,
                                disk_warn_seconds=20)
        recorder.start(rec.SyntheticSource(noise, realtime=False, block=BLOCK))
        deadline = time.monotonic() + 120
        while recorder.state != rec.State.STOPPED and time.monotonic() < deadline:
            time.sleep(0.05)
        assert recorder.state == rec.State.STOPPED, "the recorder never stopped for the disk"
        events = recorder.events()
        kinds = [e.kind for e in events]
        assert "disk_low" in kinds and kinds.index("disk_low") < kinds.index("part_ended")
        ended = events[kinds.index("part_ended")].detail
        assert ended["reason"] == "disk_full" and ended["joined"]
        (part,) = load_testimony(vault, testimony_id).parts
        assert part.state == "complete" and part.end_reason == "disk_full"
        assert part.duration >= 20  # it recorded for a while before the disk ran short
        assert part.frames == recorder.frames_committed
        assert recorder._ring is not None and recorder._ring.dropped == 0
        with rec.open_audio(vault, part.object_name) as audio:
            got = audio.read(dtype="int32", always_2d=True)
        fed = np.concatenate([noise(i, BLOCK) for i in range(0, part.frames, BLOCK)])
        fed = fed[:part.frames]
        assert np.array_equal(got >> 8, fed >> 8)  # every frame, in order, none dropped
        print(f"kept {part.duration:.1f} s on a {SIZE_MB} MB disk")
    finally:
        vault.lock()
