"""The command's index at a province's scale: index N generated visits from archived bags
(visits/s), top the index up to 1,000,000 rows, then the p95 of 200 diacritic-insensitive
searches and of 200 visit_detail calls, the process's peak RSS, and a reindex of the whole
archive (visits/s) — each beside a floor measured in the same run.

    .venv/bin/python bench/workbench_bench.py [--visits 10000] [--rows 1000000]
                                              [--postgres | --database URL]

Floors: for indexing, reading and parsing the same visit.json and consent files (what any
indexer must do); for search, the database's own query for the same words (SQLite: the FTS5
MATCH alone, through sqlite3; PostgreSQL: the trigram LIKE alone, through psycopg); for a
visit, one SELECT by primary key. Goals (issue 13): search p95 < 50 ms, visit p95 < 150 ms,
peak RSS < 300 MB. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from capture.folding import fold  # noqa: E402
from sync.server import index as ix  # noqa: E402
from sync.server import search as ws  # noqa: E402
from sync.server.actors import Actor  # noqa: E402
from sync.server.store import Store, batches, stations  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Hữu", "Minh", "Quang", "Xuân", "Đình", "Ngọc"]
GIVEN = ["Hùng", "Dũng", "Bảy", "Hoa", "Lan", "Mai", "Tuấn", "Sơn", "Hải", "Đông", "Thắng",
         "Lợi", "Bình", "Hòa", "Phúc", "Cường", "Thu", "Nga", "Khải", "Tư", "Sáu", "Nghĩa"]
PLACES = ["Thành cổ Quảng Trị", "Khe Sanh", "Đường 9", "gốc cây đa", "bờ suối", "đồi 1015",
          "Cồn Tiên", "Dốc Miếu", "Gio Linh", "Vĩnh Linh", "Hải Lăng", "Triệu Phong", "Cam Lộ",
          "ngã ba Đồng Lộc", "bến phà", "nghĩa trang Trường Sơn", "rừng Lào", "bãi cát trắng"]
UNITS = ["Trung đoàn 48", "Sư đoàn 320", "Tiểu đoàn 8", "Đại đội 3", "E27", "F304",
         "Thanh niên xung phong đội 55", "Trung đoàn 101"]
WORDS = ["chôn cất", "hy sinh", "mộ", "lá thư", "nhật ký", "trận đánh", "đồng đội", "mẹ",
         "giấy báo tử", "hài cốt", "tọa độ", "bản đồ", "di vật", "khẩu súng", "ảnh"]
STATION = "5a7c0000-0000-4000-8000-000000000001"
DOMAIN = b"sohoa consent record v1\0"


def name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def phrase(rng: random.Random, n: int = 6) -> str:
    return " ".join(rng.choice(WORDS + PLACES + UNITS) for _ in range(n))


def make_visit(rng: random.Random, key: Ed25519PrivateKey, day: datetime
               ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, bytes]]:
    """A sohoa-visit/2 record like a station's (2 martyrs, 3 people, 2 items of 2 pages, a
    testimony of 2 parts with 5 markers, 2 leads), its signed consent and its small files."""
    vid = str(uuid.UUID(int=rng.getrandbits(128)))

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128)))

    files: dict[str, bytes] = {}
    martyrs = [{"id": new_id(), "position": i, "full_name": name(rng), "other_names": "",
                "birth_year": rng.randint(1940, 1956), "home_town": rng.choice(PLACES),
                "unit": rng.choice(UNITS), "enlistment_date": "", "death_date":
                f"{rng.randint(1965, 1975)}-{rng.randint(1, 12):02d}",
                "death_place": rng.choice(PLACES), "burial_info": phrase(rng, 4),
                "notes": phrase(rng)} for i in range(2)]
    people = [{"id": new_id(), "position": i, "kind": kind, "full_name": name(rng),
               "relationship": "em gái" if kind == "relative" else "", "martyr_id":
               martyrs[0]["id"], "birth_year": 1950, "phone": "0912345678",
               "unit": rng.choice(UNITS), "battles": phrase(rng, 3),
               "dna_willing": kind == "relative", "dna_contact": "", "notes": phrase(rng, 4)}
              for i, kind in enumerate(("relative", "witness", "veteran"))]
    items, covers = [], []
    for i in range(2):
        pages = []
        for p in range(2):
            page_id = new_id()
            path = f"visits/{vid}/media/{page_id}.jpg"
            files[path] = rng.randbytes(512)
            pages.append({"id": page_id, "position": p, "media": "photo",
                          "original_filename": f"IMG_{p}.JPG", "rotation": 90 * p, "meta": {},
                          "file": path, "sha256": "0" * 64,
                          "consent_scopes": {"media_use": "anonymous"}})
            covers.append({"kind": "page", "ref_id": page_id, "object_name": "x",
                           "sha256": "0" * 64})
        items.append({"id": new_id(), "position": i, "kind": "letter", "title":
                      f"Thư {rng.choice(GIVEN)} gửi mẹ {rng.randint(1965, 1975)}",
                      "description": phrase(rng), "owner": name(rng), "condition": "",
                      "martyr_id": martyrs[0]["id"], "pages": pages})
    testimony_id = new_id()
    parts = []
    for p in range(2):
        part_id = new_id()
        path = f"visits/{vid}/recordings/{part_id}.flac"
        files[path] = b"fLaC" + rng.randbytes(1020)
        parts.append({"id": part_id, "position": p, "source": "recorded",
                      "device_name": "USB mic", "sample_rate": 48000, "channels": 1,
                      "subtype": "PCM_24", "started_at": day.isoformat(), "frames": 48000 * 600,
                      "duration": 600.0, "offset_seconds": 600.0 * p, "state": "complete",
                      "end_reason": "stopped", "overflows": 0, "original_filename": "",
                      "file": path, "sha256": "0" * 64, "media_type": "audio/flac"})
        covers.append({"kind": "recording", "ref_id": part_id, "object_name": "y",
                       "sha256": "0" * 64})
    markers = [{"id": new_id(), "at_seconds": 60.0 * m + 5, "label": phrase(rng, 3),
                "kind": rng.choice(["place", "person", "unit", "date"]), "note": phrase(rng, 2)}
               for m in range(5)]
    vtt = f"visits/{vid}/testimonies/{testimony_id}.vtt"
    files[vtt] = ("WEBVTT\n\n" + "\n".join(m["label"] for m in markers)).encode()
    testimony = {"id": testimony_id, "speaker_person_id": people[1]["id"],
                 "speaker_name": people[1]["full_name"], "speaker": people[1],
                 "language": "tiếng Việt", "notes": phrase(rng), "created_at": day.isoformat(),
                 "martyr_ids": [martyrs[0]["id"]], "duration": 1200.0, "parts": parts,
                 "markers": markers, "index": {"webvtt": vtt, "ohms": None}}
    leads = [{"id": new_id(), "position": i, "martyr_id": martyrs[0]["id"],
              "description": phrase(rng, 8), "latitude": 16.7 + rng.random() / 10,
              "longitude": 107.1 + rng.random() / 10, "grid_reference": "",
              "source_kind": "testimony", "source_ref": markers[i]["id"], "confidence": "medium",
              "source": {"kind": "marker", "ref": markers[i]["id"]}} for i in range(2)]
    consent_id = new_id()
    payload = json.dumps({"format": "sohoa-consent/1", "id": consent_id, "kind": "grant",
                          "supersedes": None, "visit": vid, "station": STATION,
                          "reference_code": f"DY-{rng.randint(0, 9999):04d}-0000",
                          "created_at": day.isoformat(), "covers": covers,
                          "scopes": {"archive_and_search": True, "share_with_authorities": True,
                                     "media_use": "anonymous", "dna_contact": False,
                                     "dna_contact_details": "", "embargo_until": ""},
                          "signer": {"name": people[0]["full_name"], "relationship": "em gái"},
                          "evidence": {"method": "signature"}},
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    consent = {"payload": payload, "signature": key.sign(DOMAIN + payload.encode()).hex(),
               "public_key": key.public_key().public_bytes_raw().hex()}
    record = {"format": "sohoa-visit/2",
              "visit": {"id": vid, "visit_date": day.date().isoformat(), "status": "approved",
                        "province_code": 1, "ward_code": rng.choice([4, 7, 10, 13]),
                        "village": f"Thôn {rng.choice(GIVEN)}", "address": "",
                        "contact_name": people[0]["full_name"], "contact_phone": "0912345678",
                        "latitude": None, "longitude": None, "notes": phrase(rng)},
              "martyrs": martyrs, "people": people, "items": items, "leads": leads,
              "testimonies": [testimony], "withheld_captures": 0,
              "review": [{"decision": "approved", "comment": "", "item_id": None,
                          "at": day.isoformat()}]}
    return record, [consent], files


def write_archive(archive: Path, store: Store, visits: int, per_bag: int, seed: int,
                  key: Ed25519PrivateKey) -> list[tuple[str, Path]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    bags = []
    with store.begin() as conn:
        for b in range(0, visits, per_bag):
            batch_id = str(uuid.UUID(int=rng.getrandbits(128)))
            bag = archive / STATION / batch_id
            for n in range(b, min(visits, b + per_bag)):
                record, consents, files = make_visit(rng, key, start + timedelta(hours=n))
                vid = record["visit"]["id"]
                folder = bag / "data" / "visits" / vid
                (folder / "consent").mkdir(parents=True)
                for path, data in files.items():
                    target = bag / "data" / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                (folder / "visit.json").write_text(json.dumps(record, ensure_ascii=False))
                for c in consents:
                    (folder / "consent" / f"{uuid.uuid4()}.json").write_text(
                        json.dumps(c, ensure_ascii=False))
            conn.execute(insert(batches).values(
                batch_id=batch_id, station_id=STATION,
                received_at=start + timedelta(days=b // per_bag), tagmanifest_sha256="0" * 64,
                payload_files=0, payload_bytes=0, archive_path=str(bag), receipt="{}"))
            bags.append((batch_id, bag))
    return bags


def parse_floor(bags: list[tuple[str, Path]]) -> float:
    t0 = time.perf_counter()
    for _, bag in bags:
        for record in (bag / "data" / "visits").glob("*/visit.json"):
            json.loads(record.read_bytes())
            for c in (record.parent / "consent").glob("*.json"):
                json.loads(c.read_bytes())
    return time.perf_counter() - t0


def count_rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return sum(conn.execute(select(func.count()).select_from(t)).scalar() or 0
                   for t in ix.INDEX_TABLES)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


def queries(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        choice = rng.random()
        if choice < 0.4:
            q = name(rng)
        elif choice < 0.7:
            q = rng.choice(PLACES)
        elif choice < 0.85:
            q = rng.choice(UNITS)
        else:
            q = f"{rng.choice(GIVEN)} {rng.choice(PLACES).split()[0]}"
        out.append(fold(q))  # typed without accents
    return out


def floor_search(store: Store, words_list: list[list[str]], trigram: bool = False
                 ) -> list[float]:
    times = []
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for words in words_list:
            t0 = time.perf_counter()
            if store.engine.dialect.name == "sqlite":
                cursor.execute("SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE "
                               "search_fts MATCH ? LIMIT 1001)", (ws.fts_query(words),))
                cursor.fetchall()
                cursor.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH ? "
                               "ORDER BY rowid DESC LIMIT 20", (ws.fts_query(words),))
            elif trigram:
                like = " AND ".join("folded LIKE %s" for _ in words)
                args = [f"%{w}%" for w in words]
                cursor.execute("SELECT count(*) FROM (SELECT 1 FROM search_entries "  # noqa: S608
                               f"WHERE {like} LIMIT 1001) AS m", args)
                cursor.fetchall()
                cursor.execute(f"SELECT id FROM search_entries WHERE {like} "  # noqa: S608
                               "ORDER BY id DESC LIMIT 20", args)
            else:
                match = "words @@ to_tsquery('simple'::regconfig, %s)"  # stored (0006)
                cursor.execute("SELECT count(*) FROM (SELECT 1 FROM search_entries "  # noqa: S608
                               f"WHERE {match} LIMIT 1001) AS m", (ws.ts_query(words),))
                cursor.fetchall()
                cursor.execute(f"SELECT id FROM search_entries WHERE {match} "  # noqa: S608
                               "ORDER BY id DESC LIMIT 20", (ws.ts_query(words),))
            cursor.fetchall()
            times.append(time.perf_counter() - t0)
    finally:
        raw.close()
    return times


def run(url: str, work: Path, visits: int, rows_goal: int, seed: int,
        explain: bool = False) -> dict[str, Any]:
    store = Store(url)
    key = Ed25519PrivateKey.generate()
    with store.begin() as conn:
        conn.execute(insert(stations).values(
            id=STATION, name="Trạm bench", province_code=1, ward_code=4,
            signing_key=key.public_key().public_bytes_raw().hex(), identity_key="0" * 64,
            enrolled_at=datetime.now(UTC), active=True))
    archive = work / "archive"
    t0 = time.perf_counter()
    bags = write_archive(archive, store, visits, 100, seed, key)
    generated = time.perf_counter() - t0
    floor = parse_floor(bags)

    t0 = time.perf_counter()
    for batch_id, bag in bags:
        with store.begin() as conn:
            ix.index_bag(conn, bag, STATION, batch_id)
    index_seconds = time.perf_counter() - t0
    rows_from_bags = count_rows(store)

    # Top up to the goal with records indexed straight from memory (the code index_bag runs:
    # build each visit's rows, then one INSERT per table for 500 visits).
    rng = random.Random(seed + 1)
    key2 = key
    extra = 0
    per_visit = max(1, rows_from_bags // max(1, visits))
    day = datetime(2025, 1, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    while rows_from_bags + extra * per_visit < rows_goal:
        with store.begin() as conn:
            built = []
            for _ in range(500):
                record, consents, _ = make_visit(rng, key2, day + timedelta(hours=extra))
                built.append(ix._build(conn, record, STATION, bags[0][0], day, None, consents))
                extra += 1
            ix._write(conn, built)
    topup_seconds = time.perf_counter() - t0
    total_rows = count_rows(store)

    if store.engine.dialect.name == "postgresql":
        with store.begin() as conn:  # what autovacuum does soon after a bulk load
            conn.exec_driver_sql("ANALYZE")
    actor = Actor("bench", "analyst")
    qrng = random.Random(seed + 2)
    qs = queries(qrng, 200)
    search_times, totals = [], []
    with store.engine.connect() as conn:
        for q in qs:
            t0 = time.perf_counter()
            page = ws.search(conn, actor, q)
            search_times.append(time.perf_counter() - t0)
            totals.append(page.total)
        ids = list(conn.execute(select(ix.index_visits.c.visit_id)).scalars())
    sample = qrng.sample(ids, min(200, len(ids)))
    detail_times, pk_times = [], []
    with store.engine.connect() as conn:
        for vid in sample:
            t0 = time.perf_counter()
            detail = ws.visit_detail(conn, actor, vid)
            detail_times.append(time.perf_counter() - t0)
            assert detail["consents"][0]["signature_valid"]
            t0 = time.perf_counter()
            conn.execute(select(ix.index_visits).where(
                ix.index_visits.c.visit_id == vid)).first()
            pk_times.append(time.perf_counter() - t0)
    floor_times = floor_search(store, [ws.query_words(q) for q in qs])
    if explain and store.engine.dialect.name == "postgresql":
        slowest = sorted(zip(search_times, qs, strict=True))[-3:]
        with store.engine.connect() as conn:
            for seconds, q in slowest:
                words = ws.query_words(q)
                match = ("words @@ "  # the stored tsvector (0006); words: letters/digits
                         f"to_tsquery('simple'::regconfig, '{ws.ts_query(words)}')")
                print(f"-- {q!r}: {seconds * 1000:.1f} ms", file=sys.stderr)
                for sql in (f"SELECT count(*) FROM search_entries WHERE {match}",  # noqa: S608
                            f"SELECT id FROM search_entries WHERE {match} "  # noqa: S608
                            "ORDER BY id DESC LIMIT 20"):
                    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql).all()
                    print("\n".join(r[0] for r in plan), file=sys.stderr)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    trigram_p95 = None
    if store.engine.dialect.name == "postgresql":
        # The peer COMMAND.md named: pg_trgm's GIN index and LIKE per word, same queries.
        with store.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.exec_driver_sql("CREATE INDEX bench_trgm ON search_entries "
                                 "USING gin (folded gin_trgm_ops)")
            conn.exec_driver_sql("ANALYZE search_entries")
        trigram_p95 = round(p95(floor_search(store, [ws.query_words(q) for q in qs],
                                             trigram=True)), 2)
        with store.begin() as conn:
            conn.exec_driver_sql("DROP INDEX bench_trgm")

    t0 = time.perf_counter()
    with store.begin() as conn:
        reindexed = ix.reindex(conn)
    reindex_seconds = time.perf_counter() - t0
    with store.engine.connect() as conn:
        fts_check = conn.execute(text("SELECT count(*) FROM search_entries")).scalar()
    store.engine.dispose()
    return {
        "database": store.engine.dialect.name,
        "visits_from_bags": visits, "generate_s": round(generated, 2),
        "index_visits_per_s": round(visits / index_seconds, 1),
        "parse_floor_visits_per_s": round(visits / floor, 1),
        "index_vs_parse_floor": round(index_seconds / floor, 2),
        "topup_visits": extra, "topup_visits_per_s": round(extra / topup_seconds, 1)
        if extra else None,
        "indexed_rows": total_rows,
        "search_p95_ms": round(p95(search_times), 2),
        "search_median_ms": round(statistics.median(search_times) * 1000, 2),
        "search_floor_p95_ms": round(p95(floor_times), 2),
        "pg_trgm_like_p95_ms": trigram_p95,
        "search_median_hits": statistics.median(totals),
        "visit_detail_p95_ms": round(p95(detail_times), 2),
        "select_by_pk_p95_ms": round(p95(pk_times), 3),
        "peak_rss_mb": round(rss_mb, 1),
        "reindex_visits_per_s": round(reindexed["visits"] / reindex_seconds, 1),
        "reindex_vs_parse_floor": round(reindex_seconds / floor, 2),
        "rows_after_reindex": fts_check,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="index rows to reach before measuring search")
    parser.add_argument("--database", help="an SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument("--postgres", action="store_true",
                        help="start a throwaway PostgreSQL (as the tests do) and use it")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--explain", action="store_true",
                        help="PostgreSQL: print the plans of the three slowest searches")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="workbench-bench-"))
    server = None
    try:
        url = args.database
        if args.postgres:
            from tests.sync.conftest import Postgres

            server = Postgres()
            url = server.new_database()
        url = url or f"sqlite:///{work / 'server.db'}"
        result = run(url, work, args.visits, args.rows, args.seed, args.explain)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    for key, value in result.items():
        print(f"{key:28} {value}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
