"""The command's monthly province report through its index (issue 16): N visits, their lead
events and pages written straight into the index tables (bulk INSERTs: the indexer's own speed is
bench/workbench_bench.py's subject), then the November report by commune as JSON and as PDF,
through sync.server.report_facts on SQLite or a throwaway PostgreSQL.

    .venv/bin/python bench/command_reports_bench.py [--visits 50000] [--leads 200000]
                                                    [--pages 1000000] [--postgres | --database URL]

Per visit: 1 martyr, a witness and a relative willing to give DNA, pages spread over items of 5
pages (one in 20 a video), a testimony of 2 finished parts, its leads, a consent; 100 visits a
batch. Floor, in the same run: the database running the largest query alone (the pages grouped
by item, media and batch, every row fetched), which any report over the index must wait for.
Goals: JSON < 2 s, PDF < 10 s, peak RSS < 300 MB. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from capture import kpis, report_files  # noqa: E402
from sync.server import index as ix  # noqa: E402
from sync.server import report_facts  # noqa: E402
from sync.server.store import Store, batches, stations  # noqa: E402

COMMUNES = 92  # a province's communes and wards after 2025
STATIONS = 30
CHUNK = 5_000


def uid(n: int, kind: int) -> str:
    return str(uuid.UUID(int=(kind << 100) | n))


def fill(store: Store, visits: int, leads: int, pages: int) -> None:
    """The index of a province, in chunks (the generator's memory stays small)."""
    start = datetime(2026, 6, 1, 2, tzinfo=UTC)
    days = (kpis.CAMPAIGN_END - kpis.CAMPAIGN_START).days
    per_visit_pages = max(1, pages // visits)
    per_visit_leads = max(1, leads // visits)
    with store.begin() as conn:
        conn.execute(insert(stations), [
            {"id": uid(s, 1), "name": f"Trạm số {s}", "province_code": 20, "ward_code":
             (s % COMMUNES) + 1000, "signing_key": "0" * 64, "identity_key": "0" * 64,
             "enrolled_at": start, "active": True} for s in range(STATIONS)])
        conn.execute(insert(batches), [
            {"batch_id": uid(b, 2), "station_id": uid(b % STATIONS, 1),
             "received_at": start + timedelta(days=b * days // (visits // 100 + 1), hours=8),
             "tagmanifest_sha256": "0" * 64, "payload_files": 0, "payload_bytes": 0,
             "archive_path": "/nonexistent", "receipt": "{}"} for b in range(visits // 100 + 1)])
    for first in range(0, visits, CHUNK):
        rows: dict[str, list[dict]] = {t: [] for t in (
            "visits", "martyrs", "people", "items", "pages", "testimonies", "parts", "leads",
            "consents")}
        for n in range(first, min(visits, first + CHUNK)):
            vid, b = uid(n, 3), n // 100
            day = (start + timedelta(days=n * days // visits)).date().isoformat()
            received = start + timedelta(days=b * days // (visits // 100 + 1), hours=8)
            rows["visits"].append(dict(
                visit_id=vid, station_id=uid(b % STATIONS, 1), batch_id=uid(b, 2),
                received_at=received, record_format="sohoa-visit/2", province_code=20,
                ward_code=(n % COMMUNES) + 1000, visit_date=day, status="approved",
                village=f"Thôn {n % 700}", address=f"Số {n % 9000}", contact_name="",
                contact_phone="", notes="", withheld_captures=0, review="[]"))
            rows["martyrs"].append(dict(id=uid(n, 4), visit_id=vid, position=0,
                                        full_name="Liệt sĩ", other_names="", home_town="",
                                        unit="", enlistment_date="", death_date="",
                                        death_place="", burial_info="", notes=""))
            for p, (kind, dna) in enumerate((("witness", False), ("relative", True))):
                rows["people"].append(dict(
                    id=uid(n * 2 + p, 5), visit_id=vid, position=p, kind=kind, full_name="",
                    relationship="", phone="", unit="", battles="", dna_willing=dna,
                    dna_contact="", notes=""))
            for p in range(per_visit_pages):
                item = uid((n * per_visit_pages + p) // 5, 6)
                if p % 5 == 0:
                    rows["items"].append(dict(id=item, visit_id=vid, position=p // 5,
                                              kind="letter", title="Thư", description="",
                                              owner="", condition=""))
                rows["pages"].append(dict(
                    id=uid(n * per_visit_pages + p, 7), item_id=item, visit_id=vid,
                    position=p % 5, media="video" if p % 20 == 19 else "photo", rotation=0,
                    original_filename="", batch_id=uid(b, 2), path="x", sha256=None,
                    meta="{}", scopes=None))
            rows["testimonies"].append(dict(
                id=uid(n, 8), visit_id=vid, speaker_person_id=uid(n * 2, 5), speaker_name="",
                language="", notes="", created_at=day, martyr_ids="[]", duration=1200.0,
                batch_id=uid(b, 2)))
            for p in range(2):
                rows["parts"].append(dict(
                    id=uid(n * 2 + p, 9), testimony_id=uid(n, 8), visit_id=vid, position=p,
                    source="recorded", device_name="", sample_rate=48000, channels=1,
                    frames=48000 * 600, duration=600.0, offset_seconds=600.0 * p,
                    started_at=day, batch_id=uid(b, 2), path="x", original_filename=""))
            for p in range(per_visit_leads):
                rows["leads"].append(dict(
                    id=uid(n * per_visit_leads + p, 10), visit_id=vid, position=p,
                    description="", grid_reference="", source_kind="other", source_ref="",
                    confidence="medium"))
            rows["consents"].append(dict(
                id=uid(n, 11), visit_id=vid, station_id=uid(b % STATIONS, 1),
                batch_id=uid(b, 2), kind="grant", reference_code="DY", created_at=
                f"{day}T09:00:00+07:00", signer_name="", signer_relationship="",
                evidence_method="signature", payload="{}", signature="", public_key=""))
        with store.begin() as conn:
            for table, name in ((ix.index_visits, "visits"), (ix.index_martyrs, "martyrs"),
                                (ix.index_people, "people"), (ix.index_items, "items"),
                                (ix.index_pages, "pages"),
                                (ix.index_testimonies, "testimonies"),
                                (ix.index_parts, "parts"), (ix.index_leads, "leads"),
                                (ix.index_consents, "consents")):
                conn.execute(insert(table), rows[name])


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: it starts again at exec, where ru_maxrss keeps the
    parent's peak from before the fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor_seconds(store: Store) -> float:
    p = ix.index_pages.c
    began = time.perf_counter()
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=20_000).execute(
            select(p.item_id, p.visit_id, p.media, p.batch_id, func.count())
            .group_by(p.item_id, p.visit_id, p.media, p.batch_id))
        for _ in result:
            pass
    return time.perf_counter() - began


def run(url: str, visits: int, leads: int, pages: int) -> dict:
    """Fill the index here, then measure the report in a fresh process (its peak RSS is the
    report's, not the generator's)."""
    store = Store(url)
    began = time.perf_counter()
    fill(store, visits, leads, pages)
    built = time.perf_counter() - began
    store.engine.dispose()
    child = subprocess.run([sys.executable, __file__, "--report-only", "--database", url],
                           check=True, capture_output=True, text=True)
    return {**json.loads(child.stdout.splitlines()[-1]), "build_s": round(built, 1)}


def report_only(url: str) -> dict:
    store = Store(url)
    with store.engine.connect() as conn:
        counted = {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                   for t in (ix.index_visits, ix.index_pages, ix.index_leads)}
    rss_before = peak_rss_mb()
    as_of = kpis.end_of_day(date(2026, 12, 3))
    floor = floor_seconds(store)

    began = time.perf_counter()
    data = report_facts.build(store, as_of, period="2026-11", by="commune",
                              body="BỘ CHỈ HUY QUÂN SỰ TỈNH")
    text = kpis.report_json(data)
    seconds_json = time.perf_counter() - began
    began = time.perf_counter()
    pdf = io.BytesIO()
    body, place = report_facts.command_body(store)
    report_files.write_pdf(data, pdf, report_facts.letterhead(data, date(2026, 12, 3),
                                                               body=body, place=place))
    seconds_pdf = time.perf_counter() - began
    rss = peak_rss_mb()
    store.engine.dispose()
    return {"database": store.engine.dialect.name, **counted,
            "facts": data["snapshot"]["facts"], "json_s": round(seconds_json, 2),
            "json_bytes": len(text), "floor_s": round(floor, 2),
            "ratio": round(seconds_json / floor, 1) if floor else None,
            "pdf_s": round(seconds_pdf, 2), "rss_before_report_mb": round(rss_before),
            "peak_rss_mb": round(rss),
            "november_visits": data["kpis"]["visits"]["value"],
            "november_pages": data["kpis"]["pages_digitised"]["value"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=50_000)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--database", help="an SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument("--postgres", action="store_true",
                        help="start a throwaway PostgreSQL (as the tests do) and use it")
    parser.add_argument("--report-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.report_only:
        print(json.dumps(report_only(args.database)))
        return
    work = Path(tempfile.mkdtemp(prefix="sohoa-command-reports-"))
    server = None
    try:
        url = args.database
        if args.postgres:
            from tests.sync.conftest import Postgres

            server = Postgres()
            url = server.new_database()
        url = url or f"sqlite:///{work / 'server.db'}"
        result = run(url, args.visits, args.leads, args.pages)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{result['database']}: {result['index_visits']:,} visits, "
          f"{result['index_pages']:,} pages, {result['index_leads']:,} leads in the index "
          f"(built in {result['build_s']} s); {result['facts']:,} facts")
    print(f"JSON report by commune {result['json_s']:.2f} s, floor (the page query alone) "
          f"{result['floor_s']:.2f} s, ratio {result['ratio']}x; PDF {result['pdf_s']:.2f} s; "
          f"peak RSS {result['peak_rss_mb']} MB ({result['rss_before_report_mb']} MB before "
          f"the report)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
