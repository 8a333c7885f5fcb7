"""`sohoa coords` as a script or a person checking the parser by hand runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def _sohoa(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui", *args], input=stdin, capture_output=True,
                          text=True, env=os.environ.copy(), check=False, timeout=120)


def test_one_json_line_per_coordinate_nothing_for_a_text_without(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = "\n".join(["Gọi 0912 345 678 ngày 15/03/1968",  # input 1: none
                       "mộ ở 16°44'46.7\"N 107°11'08.2\"E, anh Ba nói",  # input 2
                       "E24 F304 Đồi 1015"])  # input 3: none
    result = _sohoa("coords", "tọa độ 48QXD8415342030 và geo:16.7463,107.1856", "-",
                    stdin=lines + "\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["input"], r["notation"]) for r in rows] == [(0, "mgrs"), (0, "geo-uri"),
                                                           (2, "dms")]
    for row in rows:
        assert {"lat", "lon", "notation", "datum", "uncertainty_m", "text", "input"} <= set(row)
    assert rows[0]["text"] == "48QXD8415342030"
    assert rows[0]["lat"] == pytest.approx(16.6536, abs=1e-4)
    assert rows[2]["lon"] == pytest.approx(107.18561, abs=1e-5)
    assert rows[2]["datum"] == "WGS 84"


@pytest.mark.slow  # two interpreters starting Qt and PROJ: ~6 s on a loaded machine
def test_every_reading_is_printed_ranked_and_best_keeps_the_first() -> None:
    every = _sohoa("coords", "X = 1854321, Y = 512345", "--near", "16.77,107.12")
    best = _sohoa("coords", "X = 1854321, Y = 512345", "--near", "16.77,107.12", "--best")
    assert every.returncode == best.returncode == 0
    readings = [json.loads(line) for line in every.stdout.splitlines()]
    assert [r["rank"] for r in readings] == list(range(1, len(readings) + 1))
    assert len(readings) > 10
    (top,) = [json.loads(line) for line in best.stdout.splitlines()]
    assert top == readings[0] and top["projection"] == "TM-3 107°00′"
    assert top["datum"] == "VN-2000"
