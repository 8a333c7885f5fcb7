"""Shared by the recorder tests and their child processes: a visit, a testimony, a test tone."""

from __future__ import annotations

import numpy as np

from capture import visits
from capture.testimony import create_testimony

RATE = 48_000


def tone(start: int, frames: int) -> np.ndarray:
    """A 440 Hz tone whose loudness ramps with time, as int32: every sample tells where it was."""
    t = np.arange(start, start + frames) / RATE
    envelope = 0.2 + 0.6 * ((t % 10) / 10)
    wave = np.sin(2 * np.pi * 440 * t) * envelope
    return (wave * 2**31 * 0.9).astype(np.int32).reshape(-1, 1)


def new_testimony(vault) -> tuple[str, str]:
    visit_id = visits.create_visit(vault, visits.Household(province_code=1, ward_code=4))
    return visit_id, create_testimony(vault, visit_id, speaker_name="Bà Nguyễn Thị Mai",
                                      language="tiếng Việt (Huế)")
