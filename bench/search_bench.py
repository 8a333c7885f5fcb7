"""Search speed: 100,000 visit and item records (generated Vietnamese names and places) in a
vault, diacritic-insensitive FTS5 search; goal p95 < 20 ms. The peer figure is the plain scan a
simple implementation would do: LIKE '%…%' over the same folded text.

    .venv/bin/python bench/search_bench.py [--records 100000] [--queries 300]

The last line printed is one JSON object; results with the machine are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from capture import accounts, search
from capture.keyslots import KdfParams
from capture.roles import Role
from capture.search import fold
from capture.vault import NewUser, StationSetup, Vault

PASSPHRASE = "bench passphrase 123"  # noqa: S105 - a throwaway vault
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đoàn", "Lương"]
MIDDLE = ["Văn", "Thị", "Đức", "Hữu", "Minh", "Quốc", "Ngọc", "Thanh", "Xuân", "Công"]
GIVEN = ["Hùng", "Lan", "Hoa", "Thắng", "Dũng", "Bình", "Sơn", "Tâm", "Hải", "Nam", "Tùng",
         "Hương", "Mai", "Đông", "Phúc", "Lộc", "Thọ", "Quang", "Khánh", "Tuấn", "Hạnh",
         "Nghĩa", "Trung", "Kiên", "Cường", "Đạt", "Yến", "Thảo", "Giang", "Vinh"]
PLACES = ["Quảng Trị", "Thừa Thiên Huế", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Thanh Hóa",
          "Thái Bình", "Nam Định", "Hải Dương", "Bắc Giang", "Phú Thọ", "Đồng Tháp", "Tây Ninh",
          "Bình Phước", "Kon Tum", "Gia Lai", "Đắk Lắk", "Khe Sanh", "Cam Lộ", "Vĩnh Linh"]
VILLAGES = ["Thôn Đông", "Thôn Tây", "Xóm Chùa", "Xóm Bãi", "Thôn Hạ", "Thôn Thượng",
            "Tổ dân phố 3", "Ấp Bình Hòa", "Bản Na", "Làng Mới"]
ITEMS = ["Nhật ký chiến trường", "Thư gửi mẹ", "Bản đồ vẽ tay", "Giấy báo tử", "Bằng Tổ quốc "
         "ghi công", "Ảnh chân dung", "Ba lô", "Bi đông", "Khăn thêu", "Sổ tay"]


def name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(2026)
    work = Path(tempfile.mkdtemp(prefix="sohoa-search-bench-"))
    admin, _ = Vault.create(work / "vault", StationSetup("Trạm đo", 1, 4),
                            NewUser("admin", "Quản trị", PASSPHRASE, Role.ADMIN),
                            kdf=KdfParams.for_tests())
    accounts.create_user(admin, NewUser("lan", "Lan", PASSPHRASE, Role.VOLUNTEER))
    admin.lock()
    vault = Vault(work / "vault").unlock("lan", PASSPHRASE)
    vault.set_new_passphrase(PASSPHRASE + "!")

    visits_n = args.records // 2
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    start = time.perf_counter()
    with vault.writing() as session:
        conn = session.connection()
        visit_rows, item_rows = [], []
        for _ in range(visits_n):
            visit_id = str(uuid.uuid4())
            visit_rows.append((visit_id, "2026-07-01", "draft", 1, 4, rng.choice(VILLAGES),
                               f"xã {rng.choice(PLACES)}", name(rng), "0912 345 678",
                               f"Liệt sĩ {name(rng)}, quê {rng.choice(PLACES)}",
                               vault.actor.user_id, now, now))
            item_rows.append((str(uuid.uuid4()), visit_id, 0, "diary", rng.choice(ITEMS),
                              f"Của liệt sĩ {name(rng)}, hy sinh tại {rng.choice(PLACES)}",
                              name(rng), ""))
        conn.exec_driver_sql(
            "INSERT INTO visits (id, visit_date, status, province_code, ward_code, village, "
            "address, contact_name, contact_phone, notes, created_by, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", visit_rows)
        conn.exec_driver_sql(
            "INSERT INTO items (id, visit_id, position, kind, title, description, owner, "
            "condition) VALUES (?,?,?,?,?,?,?,?)", item_rows)
        search.rebuild(conn)
    build_s = time.perf_counter() - start
    # What one edit costs at this size (its old rows are found through the search_rows map;
    # before migration 0012 they were found by a scan of the whole index, ~190 ms).
    sample = [row[0] for row in visit_rows[:: max(1, visits_n // 10)]][:10]
    # The generated rows are no longer needed: 200,000 tuples kept alive would make every
    # garbage collection during the queries walk them (a bench artefact, 10+ ms pauses).
    del visit_rows, item_rows
    gc.collect()
    edit_ms = []
    for visit_id in sample:
        t = time.perf_counter()
        with vault.writing() as session:
            search.reindex_visit(session, visit_id)
        edit_ms.append((time.perf_counter() - t) * 1000)

    queries = []
    for _ in range(args.queries):
        kind = rng.random()
        if kind < 0.5:
            queries.append(fold(name(rng)))  # "nguyen van hung"
        elif kind < 0.7:
            full = fold(name(rng))
            queries.append(full[: rng.randint(6, len(full))])  # still typing
        elif kind < 0.9:
            queries.append(fold(rng.choice(PLACES)))
        else:
            queries.append(rng.choice(GIVEN).lower())  # one word, many hits
    fts_ms, like_ms, hits = [], [], []
    for query in queries:
        t = time.perf_counter()
        found = search.search(vault, query, limit=50)
        fts_ms.append((time.perf_counter() - t) * 1000)
        hits.append(len(found))
    with vault.reading() as session:
        for query in queries[:50]:
            t = time.perf_counter()
            session.execute(text("SELECT visit_id, kind, ref_id, title, body FROM search_index "
                                 "WHERE folded LIKE :q LIMIT 50"), {"q": f"%{query}%"}).all()
            like_ms.append((time.perf_counter() - t) * 1000)
    vault.lock()
    shutil.rmtree(work, ignore_errors=True)
    result = {
        "bench": "search", "records": visits_n * 2, "queries": len(queries),
        "index_build_s": round(build_s, 1),
        "reindex_one_visit_ms": round(statistics.median(edit_ms), 1),
        "fts_p50_ms": round(statistics.median(fts_ms), 2),
        "fts_p95_ms": round(percentile(fts_ms, 0.95), 2),
        "fts_max_ms": round(max(fts_ms), 2),
        "like_p50_ms": round(statistics.median(like_ms), 2),
        "like_p95_ms": round(percentile(like_ms, 0.95), 2),
        "mean_hits": round(statistics.mean(hits), 1),
        "cpus": os.cpu_count(), "python": platform.python_version(),
    }
    slowest = sorted(zip(fts_ms, queries, strict=True), reverse=True)[:5]
    print("slowest:", ", ".join(f"{query!r} {ms:.1f} ms" for ms, query in slowest))
    print(f"FTS5 p50 {result['fts_p50_ms']} ms, p95 {result['fts_p95_ms']} ms; "
          f"LIKE scan p50 {result['like_p50_ms']} ms, p95 {result['like_p95_ms']} ms; "
          f"index built in {result['index_build_s']} s, one visit re-indexed (an edit) in "
          f"{result['reindex_one_visit_ms']} ms")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
