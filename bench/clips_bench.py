"""Every tutorial clip, made and checked as a trainee's player reads it.

    .venv/bin/python bench/clips_bench.py [--out DIR]

Runs packaging/guide/make_clips.py for all clips, then for each MP4: ffprobe's duration and
frame count (the stock tool, not our encoder's word), and both WebVTT files parsed, their cues
in step and ending with the clip. The floor beside it, in the same run: ffmpeg encoding a still
picture for the same total length at the same size and rate (what the encoding alone costs);
the ratio says how much of the making is driving the app. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ui.test_clips import parse_vtt  # noqa: E402 - the same strict reader as the test


def probe(video: Path) -> tuple[float, int]:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                          "-show_entries", "stream=nb_read_frames:format=duration",
                          "-of", "default=noprint_wrappers=1", str(video)],
                         capture_output=True, text=True, check=True).stdout
    fields = dict(line.split("=", 1) for line in out.split())
    return float(fields["duration"]), int(fields["nb_read_frames"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="sohoa-clips-"))
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "packaging" / "guide" / "make_clips.py"),
                    str(out)], check=True)
    made_s = time.perf_counter() - started
    total, problems = 0.0, []
    for video in sorted(out.glob("*.mp4")):
        duration, frames = probe(video)
        total += duration
        cues = {lang: parse_vtt(video.with_suffix(f".{lang}.vtt")) for lang in ("vi", "en")}
        steps = [(s, e) for s, e, _ in cues["vi"]]
        if steps != [(s, e) for s, e, _ in cues["en"]]:
            problems.append(f"{video.name}: the two languages' cues differ")
        if not steps or abs(steps[-1][1] - duration) > 0.2:
            problems.append(f"{video.name}: subtitles end at {steps[-1][1] if steps else 0:.1f} s,"
                            f" the clip at {duration:.1f} s")
        if frames != round(duration * 10):
            problems.append(f"{video.name}: {frames} frames for {duration:.1f} s at 10 fps")
        print(f"{video.name:28} {duration:5.1f} s {frames:4d} frames {len(steps):2d} cues "
              f"{video.stat().st_size / 1024:6.0f} KiB")
    with tempfile.TemporaryDirectory() as floor_dir:
        still = Path(floor_dir) / "still.mp4"
        started = time.perf_counter()
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                        f"testsrc=size=960x664:rate=10:duration={max(total, 1):.1f}",
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", str(still)], check=True)
        floor_s = time.perf_counter() - started
    clips = len(list(out.glob("*.mp4")))
    print(f"{clips} clips, {total:.1f} s of video made in {made_s:.1f} s; "
          f"ffmpeg encoding the same length alone: {floor_s:.1f} s ({made_s / floor_s:.1f}x)")
    for problem in problems:
        print("PROBLEM:", problem)
    print(json.dumps({"bench": "clips", "clips": clips, "video_s": round(total, 1),
                      "made_s": round(made_s, 1), "floor_ffmpeg_s": round(floor_s, 2),
                      "floor_ratio": round(made_s / floor_s, 1), "problems": len(problems)}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
