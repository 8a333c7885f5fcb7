"""Coordinate parser: accuracy on the labelled set and parse rate (texts/s), beside two floors
doing part of the same work on the same texts in the same run:

- regex floor: one plain scan for two decimal numbers in a row (what the old
  ``parse_coordinate`` amounted to) — the cost of merely looking at the texts;
- conversion floor: the pyproj/mgrs conversions alone for the same points (each positive's
  expected point through the transformer or mgrs call its notation needs, set up once) — the
  cost of the geodesy the parser cannot avoid.

    .venv/bin/python bench/coords_bench.py [--rounds 3]

The last line printed is one JSON object; results with the machine are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mgrs
from pyproj import Transformer

from capture.coords import Context, CoordinateReader, distance_m

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "capture" / "data" / \
    "coords_labelled.jsonl"
PLAIN_PAIR = re.compile(r"(-?\d{1,3}[.,]\d+)\s*[,;]\s*(-?\d{1,3}[.,]\d+)")


def _context(row: dict) -> Context:
    reference = tuple(row["reference"]) if row.get("reference") else None
    return Context(reference=reference, province=row.get("province", ""))  # type: ignore[arg-type]


def accuracy(reader: CoordinateReader, rows: list[dict]) -> dict[str, object]:
    positives = [r for r in rows if r["kind"] == "positive"]
    negatives = [r for r in rows if r["kind"] == "negative"]
    good = 0
    by_notation: dict[str, list[int]] = {}
    for row in positives:
        best = reader.best(row["text"], _context(row))
        ok = bool(best) and distance_m(best[0].lat, best[0].lon, row["lat"], row["lon"]) <= \
            row["tolerance_m"]
        good += ok
        counts = by_notation.setdefault(row["notation"], [0, 0])
        counts[0] += ok
        counts[1] += 1
    false = sum(1 for row in negatives if reader.find(row["text"]))
    return {"positives": len(positives), "within_tolerance": good,
            "rate": round(good / len(positives), 4), "negatives": len(negatives),
            "false_coordinates": false, "notations": len(by_notation),
            "by_notation": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_notation.items())}}


def time_parser(reader: CoordinateReader, rows: list[dict]) -> float:
    start = time.perf_counter()
    for row in rows:
        reader.find(row["text"], _context(row))
    return time.perf_counter() - start


def time_regex(rows: list[dict]) -> float:
    start = time.perf_counter()
    for row in rows:
        for match in PLAIN_PAIR.finditer(row["text"]):
            float(match[1].replace(",", ".")), float(match[2].replace(",", "."))
    return time.perf_counter() - start


class ConversionFloor:
    """The conversions each positive needs, transformers made once (as the reader keeps its)."""

    def __init__(self) -> None:
        self.mgrs = mgrs.MGRS()
        self.utm = {z: Transformer.from_crs("EPSG:4326", 32600 + z, always_xy=True)
                    for z in (47, 48, 49, 50)}
        self.vn = Transformer.from_crs("EPSG:4326", "EPSG:4756", always_xy=True)
        self.indian = Transformer.from_crs("EPSG:4326", "EPSG:4131", always_xy=True)

    def run(self, rows: list[dict]) -> float:
        start = time.perf_counter()
        for row in rows:
            if row["kind"] != "positive":
                continue
            lat, lon, notation = row["lat"], row["lon"], row["notation"]
            if notation.startswith("mgrs"):
                self.mgrs.toLatLon(self.mgrs.toMGRS(lat, lon))
            elif notation == "utm":
                zone = int((lon + 180) // 6) + 1
                self.utm[min(50, max(47, zone))].transform(lon, lat)
            elif notation.startswith("vn2000"):
                self.vn.transform(lon, lat)
            elif notation.startswith("indian1960"):
                self.indian.transform(lon, lat)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    reader = CoordinateReader()
    figures = accuracy(reader, rows)  # also warms the reader's transformers
    floor = ConversionFloor()
    parse, regex, convert = [], [], []
    for _ in range(args.rounds):
        parse.append(time_parser(reader, rows))
        regex.append(time_regex(rows))
        convert.append(floor.run(rows))
    texts = len(rows)
    parse_rate = texts / statistics.median(parse)
    regex_rate = texts / statistics.median(regex)
    convert_s = statistics.median(convert)
    print(f"labelled set: {figures['within_tolerance']}/{figures['positives']} positives within "
          f"tolerance ({figures['rate']:.1%}) in {figures['notations']} notations; "
          f"{figures['false_coordinates']} false coordinates in {figures['negatives']} negatives")
    for notation, count in figures["by_notation"].items():  # type: ignore[attr-defined]
        print(f"  {notation:24s} {count}")
    print(f"parser: {parse_rate:,.0f} texts/s ({statistics.median(parse) * 1000:.0f} ms for "
          f"{texts} texts, median of {args.rounds})")
    print(f"regex floor (plain decimal pairs): {regex_rate:,.0f} texts/s — the parser takes "
          f"{regex_rate / parse_rate:.0f}× as long")
    print(f"conversion floor (pyproj/mgrs for the {figures['positives']} points alone): "
          f"{convert_s * 1000:.0f} ms — {convert_s / statistics.median(parse):.0%} of the "
          "parser's time")
    print(json.dumps({
        "bench": "coords", "texts": texts, "rounds": args.rounds, **{
            k: v for k, v in figures.items() if k != "by_notation"},
        "parse_texts_per_s": round(parse_rate), "regex_floor_texts_per_s": round(regex_rate),
        "parser_to_regex_time": round(regex_rate / parse_rate, 1),
        "conversion_floor_ms": round(convert_s * 1000, 1),
        "parse_ms": round(statistics.median(parse) * 1000, 1),
        "cpus": os.cpu_count(), "python": platform.python_version()}))


if __name__ == "__main__":
    main()
