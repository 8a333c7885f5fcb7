"""The command's monthly province report through its index (issue 16): N visits, their lead
events and pages written straight into the index tables (bulk INSERTs: the indexer's own speed is
bench/workbench_bench.py's subject), then the November report by commune as JSON and as PDF,
through sync.server.report_facts on SQLite or a throwaway PostgreSQL.

    .venv/bin/python bench/command_reports_bench.py [--visits 50000] [--leads 200000]
                                                    [--pages 1000000] [--postgres | --database URL]

Per visit: 1 martyr, a witness and a relative willing to give DNA, pages spread over items of 5
pages (one in 20 a video), a testimony of 2 finished parts, its leads, a consent; 100 visits a
batch. The reports' roll-up (sync/server/report_rollup.py) is written as the indexer writes it,
in the transaction of each chunk. The lead work: every lead received (an event each), one in four
screened, cross-checked and verified days later, one in twenty of those searched, remains found
and gathered; the DNA follow-up: one visit in ten has a sample collected, sent and a result (one
in three a match). Default: SQLite, then a throwaway PostgreSQL (as the tests start one).

Floor, in the same run: the database reading the roll-up rows of the report's days alone (every
row fetched), which the report cannot do without; beside it the query a report without the
roll-up had to wait for (the million pages grouped by item, media and batch). Goals: JSON < 2 s,
PDF < 10 s, peak RSS < 300 MB. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
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
from sync.server import leads as lw  # noqa: E402
from sync.server import report_facts, report_rollup  # noqa: E402
from sync.server.casework_tables import dna_steps  # noqa: E402
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
            "consents", "states", "events", "dna")}
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
            _case_work(rows, n, vid, received, per_visit_leads)
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
            for table, name in ((lw.lead_states, "states"), (lw.lead_events, "events"),
                                (dna_steps, "dna")):
                if rows[name]:
                    conn.execute(insert(table), rows[name])
            report_rollup.refresh(conn, [row["visit_id"] for row in rows["visits"]])


def _case_work(rows: dict[str, list[dict]], n: int, vid: str, received: datetime,
               per_visit_leads: int) -> None:
    """The lead work's events and the DNA steps of visit n (see the module's docstring)."""
    def event(lead_id: str, at: datetime, action: str, frm: str | None, to: str,
              detail: str = "{}") -> None:
        rows["events"].append(dict(lead_id=lead_id, at=at, username="bench", role="admin",
                                   action=action, from_state=frm, to_state=to, reason="",
                                   detail=detail))

    for p in range(per_visit_leads):
        lead = n * per_visit_leads + p
        lead_id, state, at = uid(lead, 10), lw.RECEIVED, received
        event(lead_id, received, "received", None, lw.RECEIVED)
        if lead % 4 == 0:
            for step, (frm, to) in enumerate(((lw.RECEIVED, lw.SCREENING),
                                              (lw.SCREENING, lw.CROSS_CHECKED),
                                              (lw.CROSS_CHECKED, lw.VERIFIED))):
                at = received + timedelta(days=2 + 3 * step + lead % 5)
                event(lead_id, at, "transition", frm, to, json.dumps(
                    {"latitude": 16 + (lead % 997) / 1000, "longitude": 107.0}
                    if to == lw.VERIFIED else {}))
            state = lw.VERIFIED
        if lead % 20 == 0:
            for step, (frm, to) in enumerate(((lw.VERIFIED, lw.SEARCHED),
                                              (lw.SEARCHED, lw.REMAINS_FOUND),
                                              (lw.REMAINS_FOUND, lw.GATHERED))):
                at += timedelta(days=4 + step)
                event(lead_id, at, "transition", frm, to, json.dumps(
                    {"remains": 1 + lead % 3} if to == lw.REMAINS_FOUND else {}))
            state = lw.GATHERED
        rows["states"].append(dict(lead_id=lead_id, visit_id=vid, state=state,
                                   remains_count=1 + lead % 3 if lead % 20 == 0 else None,
                                   received_at=received, updated_at=at))
    if n % 10 == 0:
        code = f"ADN-{n:06d}"
        for step, days in (("collected", 1), ("sent", 3), ("result", 30)):
            at = received + timedelta(days=days)
            rows["dna"].append(dict(
                case_id=f"case-{n}", person_id=uid(n * 2 + 1, 5), relative_name="",
                relation="mother", step=step, sample_code=code, at=at,
                recorded_at=at + timedelta(hours=2), username="bench", laboratory="",
                result=("match" if n % 30 == 0 else "no_match") if step == "result" else None,
                grave_ref="", note=""))


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: it starts again at exec, where ru_maxrss keeps the
    parent's peak from before the fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor_seconds(store: Store, as_of: datetime) -> float:
    """The roll-up rows of the November report's days (the trend's six months), read alone."""
    r = report_rollup.report_days.c
    first, last = report_facts.days_read(kpis.parse_period("2026-11"))
    cut = as_of.astimezone(UTC).replace(tzinfo=None) if store.engine.dialect.name == "sqlite" \
        else as_of
    began = time.perf_counter()
    with store.engine.connect() as conn:
        for _ in conn.execution_options(stream_results=True, yield_per=20_000).execute(
                select(r.day, r.station_id, r.ward_code, r.province_code, r.household,
                       *[r[name] for name in report_rollup.COUNTERS])
                .where(r.day >= first.isoformat(), r.day <= last.isoformat(),
                       r.recorded_at < cut)):
            pass
    return time.perf_counter() - began


def pages_query_seconds(store: Store) -> float:
    """What a report without the roll-up waited for: the pages grouped by item and batch."""
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
        counted["lead_events"] = conn.execute(
            select(func.count()).select_from(lw.lead_events)).scalar()
        counted["report_days"] = conn.execute(
            select(func.count()).select_from(report_rollup.report_days)).scalar()
    rss_before = peak_rss_mb()
    as_of = kpis.end_of_day(date(2026, 12, 3))
    floor = floor_seconds(store, as_of)
    pages_query = pages_query_seconds(store)

    began, cpu = time.perf_counter(), time.process_time()
    data = report_facts.build(store, as_of, period="2026-11", by="commune",
                              body="BỘ CHỈ HUY QUÂN SỰ TỈNH")
    text = kpis.report_json(data)
    seconds_json, cpu_json = time.perf_counter() - began, time.process_time() - cpu
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
            "json_cpu_s": round(cpu_json, 2), "load_1min": round(os.getloadavg()[0], 1),
            "json_bytes": len(text), "floor_s": round(floor, 2),
            "pages_query_s": round(pages_query, 2),
            "ratio": round(seconds_json / floor, 1) if floor else None,
            "pdf_s": round(seconds_pdf, 2), "rss_before_report_mb": round(rss_before),
            "peak_rss_mb": round(rss),
            "november_visits": data["kpis"]["visits"]["value"],
            "november_pages": data["kpis"]["pages_digitised"]["value"],
            "november_leads_verified": data["kpis"]["leads_verified"]["value"],
            "november_dna_collected": data["kpis"]["dna_samples_collected"]["value"]}


def one(database: str | None, postgres: bool, visits: int, leads: int, pages: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="sohoa-command-reports-"))
    server = None
    try:
        url = database
        if postgres:
            from tests.sync.conftest import Postgres

            server = Postgres()
            url = server.new_database()
        url = url or f"sqlite:///{work / 'server.db'}"
        result = run(url, visits, leads, pages)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{result['database']}: {result['index_visits']:,} visits, "
          f"{result['index_pages']:,} pages, {result['index_leads']:,} leads, "
          f"{result['lead_events']:,} lead events in the index, {result['report_days']:,} "
          f"roll-up rows (built in {result['build_s']} s); {result['facts']:,} rows read")
    print(f"  JSON report by commune {result['json_s']:.2f} s (goal < 2 s; its CPU time "
          f"{result['json_cpu_s']:.2f} s, load {result['load_1min']}), floor (the "
          f"roll-up rows read alone) {result['floor_s']:.2f} s, ratio {result['ratio']}x; "
          f"without the roll-up the page query alone took {result['pages_query_s']:.2f} s; "
          f"PDF {result['pdf_s']:.2f} s (goal < 10 s); peak RSS {result['peak_rss_mb']} MB "
          f"(goal < 300 MB; {result['rss_before_report_mb']} MB before the report)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=50_000)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--database", help="an SQLAlchemy URL (only that database)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL only")
    parser.add_argument("--report-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.report_only:
        print(json.dumps(report_only(args.database)))
        return
    sizes = (args.visits, args.leads, args.pages)
    if args.database:
        results = [one(args.database, False, *sizes)]
    else:
        results = ([one(None, False, *sizes)] if not args.postgres else []) + (
            [one(None, True, *sizes)] if not args.sqlite else [])
    print(json.dumps({r["database"]: r for r in results}))


if __name__ == "__main__":
    main()
