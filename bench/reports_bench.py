"""The KPI module at a province's scale, as the command will feed it: 50,000 visits, 200,000
lead events and 1,000,000 pages as plain facts (one fact per page: the worst case; the command
may also send one fact per item and day with a quantity).

    .venv/bin/python bench/reports_bench.py [--pages 1000000]

Prints the monthly report by commune (freeze, compute, JSON) and the PDF, each beside a floor
doing the least work over the same facts (one pass counting them by kind), the peak RSS, and
last one JSON line. Goals of issue 16: JSON < 2 s, PDF < 10 s, peak RSS < 300 MB. The command's
index queries (SQLite, PostgreSQL) are not in this figure; the command side adds them.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from capture import kpis, report_files
from capture.kpis import Fact, FactKind

COMMUNES = 92  # a province's communes and wards after 2025 (Lạng Sơn's plan: 92)


def make_facts(visits: int, leads: int, pages: int, per_item: bool = False) -> list[Fact]:
    start = datetime(2026, 6, 1, 9, tzinfo=kpis.VIETNAM)
    days = (kpis.CAMPAIGN_END - kpis.CAMPAIGN_START).days
    facts: list[Fact] = []
    for i in range(visits):
        when = start + timedelta(days=i * days // visits)
        commune = str(i % COMMUNES)
        facts.append(Fact(FactKind.VISIT, f"v{i}", when.date(), when, f"s{i % 300}", commune,
                          key=f"h{i * 7 % (visits - visits // 5)}"))
    step = 8 if per_item else 1  # eight pages an item
    for i in range(0, pages, step):
        visit = i * visits // pages
        when = start + timedelta(days=visit * days // visits)
        facts.append(Fact(FactKind.PAGE, f"p{i}", when.date(), when, f"s{visit % 300}",
                          str(visit % COMMUNES), key=f"i{i // 8}", quantity=step))
    kinds = (FactKind.LEAD, FactKind.LEAD_VERIFIED, FactKind.COORDINATE_VERIFIED,
             FactKind.REMAINS_FOUND)
    for i in range(leads):
        visit = i * visits // leads
        when = start + timedelta(days=visit * days // visits + i % 20)
        facts.append(Fact(kinds[i % 4], f"l{i}", when.date(), when, f"s{visit % 300}",
                          str(visit % COMMUNES)))
    return facts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=50_000)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--per-item", action="store_true",
                        help="one page fact per item (quantity 8), as the command may send")
    args = parser.parse_args()
    facts = make_facts(args.visits, args.leads, args.pages, args.per_item)
    input_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    as_of = kpis.end_of_day(date(2026, 11, 24))
    november = kpis.parse_period("2026-11")

    began = time.perf_counter()
    counts: dict[FactKind, int] = {}
    for fact in facts:  # the floor: touch every fact once
        if fact.recorded_at < as_of and november.contains(fact.day):
            counts[fact.kind] = counts.get(fact.kind, 0) + 1
    floor = time.perf_counter() - began

    began = time.perf_counter()
    snapshot = kpis.freeze(facts, as_of, source={"kind": "command", "name": "bench"},
                           covers=set(FactKind))
    data = kpis.report(snapshot, november, by="commune")
    text = kpis.report_json(data)
    seconds_json = time.perf_counter() - began
    pages = sum(f.quantity for f in facts if f.kind is FactKind.PAGE and f.recorded_at < as_of
                and november.contains(f.day))
    assert data["kpis"]["pages_digitised"]["value"] == pages

    began = time.perf_counter()
    pdf = io.BytesIO()
    report_files.write_pdf(data, pdf, report_files.Letterhead(
        "ỦY BAN NHÂN DÂN TỈNH", "BỘ CHỈ HUY QUÂN SỰ TỈNH", "Lạng Sơn", date(2026, 11, 25)))
    seconds_pdf = time.perf_counter() - began
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"facts: {len(facts):,}; JSON report by commune {seconds_json:.2f} s "
          f"({len(text):,} bytes), floor (one counting pass) {floor:.2f} s, "
          f"ratio {seconds_json / floor:.1f}x")
    print(f"PDF {seconds_pdf:.2f} s ({len(pdf.getvalue()):,} bytes); peak RSS {rss_mb:.0f} MB, "
          f"of which {input_mb:.0f} MB were the input facts before the report began")
    print(json.dumps({"facts": len(facts), "per_item": args.per_item,
                      "json_s": round(seconds_json, 2), "input_rss_mb": round(input_mb),
                      "floor_s": round(floor, 2), "ratio": round(seconds_json / floor, 1),
                      "pdf_s": round(seconds_pdf, 2), "peak_rss_mb": round(rss_mb)}))


if __name__ == "__main__":
    main()
