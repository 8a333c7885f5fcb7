"""The tutorial clips script still drives the app: one clip is made, plays for as long as its
subtitles say, in both languages, with the screen on its frames."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CUE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")


def parse_vtt(path: Path) -> list[tuple[float, float, str]]:
    """A strict WebVTT reader for our files: the header, then numbered cues."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "WEBVTT"
    cues = []
    for number, line in enumerate(lines):
        match = CUE.match(line)
        if match:
            h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
            start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
            end = h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
            cues.append((start, end, lines[number + 1]))
    return cues


@pytest.mark.slow
def test_a_clip_plays_as_long_as_its_subtitles(tmp_path) -> None:
    import av
    import numpy as np

    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "guide" / "make_clips.py"),
                           str(tmp_path), "--only", "01-dang-nhap"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    video = tmp_path / "01-dang-nhap.mp4"
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        duration = float(stream.duration * stream.time_base)
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
    assert 8 <= duration <= 30
    assert len(frames) == round(duration * 10)
    # The stock tool agrees: what a trainee's player will read of the file.
    probed = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                             "-show_entries", "stream=nb_read_frames:format=duration",
                             "-of", "default=noprint_wrappers=1", str(video)],
                            capture_output=True, text=True, check=True).stdout
    fields = dict(line.split("=", 1) for line in probed.split())
    assert abs(float(fields["duration"]) - duration) < 0.2
    assert int(fields["nb_read_frames"]) == len(frames)
    vi, en = parse_vtt(tmp_path / "01-dang-nhap.vi.vtt"), parse_vtt(
        tmp_path / "01-dang-nhap.en.vtt")
    assert [(s, e) for s, e, _ in vi] == [(s, e) for s, e, _ in en]
    assert vi[0][0] == 0 and abs(vi[-1][1] - duration) < 0.15
    assert all(a[1] == b[0] for a, b in itertools.pairwise(vi))  # no gaps
    assert "Đăng nhập" in vi[1][2] and "Sign in" in en[1][2]
    # The first frame is the sign-in screen, the last the workspace: the app was driven.
    first, last = frames[0], frames[-1]
    assert first.shape == (664, 960, 3) and first.std() > 10
    assert np.abs(first.astype(int) - last.astype(int)).mean() > 5
