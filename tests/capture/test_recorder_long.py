"""Three hours of recording with flat memory, through the real writer path.

What is fake, and only on the INPUT side: the microphone. A SyntheticSource pushes 3 hours of
audio into the recorder's ring as fast as the writer takes it (it waits when the ring is nearly
full, which a device never does), so 3 hours pass in well under a minute. Everything after the
ring is the code a real recording runs: the writer thread, the one FLAC encoder per part, the
segments made durable through the vault's streaming encryption with their rows committed, the
join at stop, and reading back through ``open_audio`` (the seekable decrypting reader).

One parameter differs from a real recording: segments are committed every 30 s of audio
instead of every 0.5 s, so that 3 hours make 360 commits (each one fsyncs twice) rather than
21,600. The segment length changes how often the same code runs, not what it holds in memory.

How it could fail: anything that keeps audio, encoded bytes, segment names or rows per second
of recording (a growing buffer, a list of frames, a join that reads every segment first) grows
the process by tens of MB over 3 hours — the stored FLAC here is ~500 MB — and breaks the 20 MB
bound; a lost, repeated or reordered block breaks the sample comparison; a wrong STREAMINFO
total breaks the header's frame count.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from capture import recorder as rec
from capture.testimony import load_testimony
from tests.capture.recording_helpers import RATE, new_testimony

HOURS = 3
TOTAL = HOURS * 3600 * RATE
WARM_UP_FRAMES = 10 * 60 * RATE  # RSS after 10 minutes of audio is the baseline; the peak
# from then on (VmHWM, reset at that moment) must stay within GROWTH_LIMIT of it
GROWTH_LIMIT = 20 * 1024 * 1024


def _one_second() -> np.ndarray:
    """A second of a tone with some noise (so FLAC cannot shrink it to nothing: ~48 kB/s),
    24-bit exact (the low 8 bits of each int32 are zero, as the 24-bit FLAC keeps them)."""
    t = np.arange(RATE) / RATE
    tone = np.sin(2 * np.pi * 440 * t) * 2**29
    noise = np.random.default_rng(3).integers(-2**14, 2**14, RATE)
    return ((tone + noise).astype(np.int32) & ~0xFF).reshape(-1, 1)


def _status(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} in /proc/self/status")


def _reset_peak_rss() -> None:
    """From now on VmHWM (the peak RSS) counts afresh (Linux ≥ 4.0): no sample can miss a
    short peak, in the join say, as a sampling thread could."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


@pytest.mark.slow
def test_three_hours_record_join_and_read_back_with_flat_memory(volunteer):
    second = _one_second()
    _, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id, segment_seconds=30)
    source = rec.SyntheticSource(lambda start, frames: second, realtime=False, block=RATE,
                                 limit_frames=TOTAL)
    started = time.monotonic()
    baseline = None
    recorder.start(source)
    ring = recorder._ring
    assert ring is not None
    while (ring.written < TOTAL or ring.read < ring.written) \
            and recorder.state == rec.State.RECORDING:
        if baseline is None and recorder.frames_committed >= WARM_UP_FRAMES:
            baseline = _status("VmRSS")
            _reset_peak_rss()
        time.sleep(0.05)
    recorded_at = time.monotonic()
    recorder.stop()
    joined_at = time.monotonic()
    (part,) = load_testimony(volunteer, testimony_id).parts
    read = 0
    with rec.open_audio(volunteer, part.object_name) as audio:
        header_frames = audio.frames
        for block in audio.blocks(10 * RATE, dtype="int32", always_2d=True):
            whole = len(block) // RATE * RATE  # the pattern repeats every second
            if not (np.array_equal(block[:whole].reshape(-1, RATE), np.broadcast_to(
                    second[:, 0], (whole // RATE, RATE)))
                    and np.array_equal(block[whole:], second[:len(block) - whole])):
                raise AssertionError(f"audio differs after second {read // RATE}")
            read += len(block)
    peak = _status("VmHWM")
    done = time.monotonic()

    assert baseline is not None
    stored = volunteer.objects.path_of(part.object_name).stat().st_size
    print(f"3 h: recorded in {recorded_at - started:.1f} s, joined in "
          f"{joined_at - recorded_at:.1f} s, read back in {done - joined_at:.1f} s; "
          f"{part.frames / RATE / 3600:.3f} h stored ({stored / 2**20:.0f} MB); RSS after 10 min "
          f"{baseline / 2**20:.1f} MB, peak after that {peak / 2**20:.1f} MB")
    assert part.end_reason == "stopped" and part.frames == TOTAL
    assert read == TOTAL and header_frames == TOTAL  # exactly 3 hours, to the sample
    assert ring.dropped == 0
    assert peak - baseline < GROWTH_LIMIT, (baseline, peak)
