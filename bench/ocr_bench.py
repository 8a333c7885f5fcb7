"""OCR of photographed pages and place-name matching, beside their floors in the same run:

- OCR: seconds a page for ``sync.server.ocr.recognise`` (prepare, orientation, deskew, read)
  on rendered Vietnamese pages of five kinds (typed, turned 90°, turned 3°, blurred,
  speckled), with the character accuracy of each; floor: one plain ``tesseract --psm 3`` of
  the same upright page, at the same priority (what reading the text costs at the least).
- Place names: texts a second for ``sync.server.places.find_places`` (the seed register and
  the admin units), beside the coordinate parser on the same texts.

    .venv/bin/python bench/ocr_bench.py [--pages 2]

The last line printed is one JSON object; results with the machine are in docs/benchmarks.md.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import ImageFilter

from capture.coords import CoordinateReader
from sync.server import ocr, places
from tests.sync.test_ocr import NOTICE, accuracy, png, render, speckled
from tests.sync.test_places import seed_register

TEXTS = ["Mộ ở xã Cam Chính, huyện Cam Lộ, tỉnh Quảng Trị, gần suối, cách gốc đa 300 mét",
         "được quy tập về nghĩa trang Trường Sơn năm 1990, mộ số 12 khu B",
         "hy sinh ở Khe Sanh tháng 2 năm 1968, đơn vị E24 F304, tọa độ XD 841 420",
         "chiến đấu 81 ngày đêm ở Thành cổ Quảng Trị, bác Nguyễn Văn Hùng kể lại",
         "quê Cam Lộ, Quảng Trị; chôn cất cạnh Cầu Hiền Lương, phía bờ bắc"]


def plain_tesseract(data: bytes) -> float:
    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        handle.write(data)
        handle.flush()
        started = time.monotonic()
        subprocess.run(["nice", "-n", "10", "tesseract", handle.name, "stdout", "-l", "vie",
                        "--psm", "3"],
                       capture_output=True, check=True,
                       env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2, help="pages of each kind")
    args = parser.parse_args()
    page = render()
    kinds = {"typed": page, "turned 90°": page.rotate(90, expand=True, fillcolor=255),
             "turned 3°": page.rotate(3, expand=True, fillcolor=255),
             "blurred": page.filter(ImageFilter.GaussianBlur(1.2)), "speckled": speckled(page)}
    results, total, floor = {}, 0.0, 0.0
    for kind, image in kinds.items():
        data = png(image)
        times, scores = [], []
        for _ in range(args.pages):
            reading = ocr.recognise(data)
            times.append(reading.seconds)
            scores.append(accuracy(NOTICE, reading.text))
        results[kind] = {"seconds_per_page": round(sum(times) / len(times), 2),
                         "accuracy": round(min(scores), 4)}
        total += sum(times)
        print(f"{kind:>11}: {results[kind]['seconds_per_page']:.2f} s a page, character "
              f"accuracy {results[kind]['accuracy']:.3f}")
    upright = png(page)
    floor = sum(plain_tesseract(upright) for _ in range(args.pages)) / args.pages
    per_page = total / (len(kinds) * args.pages)
    print(f"OCR: {per_page:.2f} s a page; floor (one plain tesseract, upright): {floor:.2f} s "
          f"({per_page / floor:.1f}×)")

    register, reader = seed_register(), CoordinateReader()
    places.find_places(TEXTS[0], "Quảng Trị", register)  # the unit tables, read once
    rounds = 200
    started = time.monotonic()
    found = sum(len(places.find_places(t, "Quảng Trị", register))
                for _ in range(rounds) for t in TEXTS)
    place_rate = rounds * len(TEXTS) / (time.monotonic() - started)
    started = time.monotonic()
    for _ in range(rounds):
        for t in TEXTS:
            reader.find(t)
    parser_rate = rounds * len(TEXTS) / (time.monotonic() - started)
    print(f"place names: {place_rate:.0f} texts/s ({found // rounds} places in "
          f"{len(TEXTS)} texts); coordinate parser on the same texts: {parser_rate:.0f} texts/s")
    print(json.dumps({"bench": "ocr", "machine": f"{platform.machine()} {os.cpu_count()} cpu",
                      "tesseract": ocr.engine_version(), "kinds": results,
                      "seconds_per_page": round(per_page, 2),
                      "floor_seconds_per_page": round(floor, 2),
                      "place_texts_per_s": round(place_rate),
                      "parser_texts_per_s": round(parser_rate)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
