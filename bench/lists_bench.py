"""Imported lists and the witness network at scale: a generated list of martyrs (default
200,000 rows, the largest a file may have) read, checked and imported in one transaction,
against the floor of the same rows parsed by ``csv.reader`` and inserted with one executemany
into the same table (no decoding checks, no per-row validation); then the witness network's
linkage (the case linker on every witness, what /witnesses pays once after each change) at
--witnesses rows.

    .venv/bin/python bench/lists_bench.py [--rows 200000] [--witnesses 5000]
                                          [--database URL]

The last line printed is one JSON object; results with the machine are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, insert

from sync.server import list_files, lists
from sync.server import witnesses as wt
from sync.server.actors import Actor
from sync.server.casework_tables import list_imports, list_rows
from sync.server.store import Store

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
MIDDLES = ("Văn", "Thị", "Đức", "Hữu", "Công", "Minh")
GIVEN = ("Hùng", "Bảy", "Tư", "Hải", "Lâm", "Chín", "Mười", "Sáu", "Hoa", "Thanh", "Bình",
         "Dũng", "Cường", "Hòa", "Lợi", "Phúc")
PLACES = ("xã Cam Chính, huyện Cam Lộ, tỉnh Quảng Trị", "Hải Lăng, Quảng Trị",
          "xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị", "Triệu Phong, Quảng Trị")


def _name(i: int) -> str:
    return (f"{SURNAMES[i % 10]} {MIDDLES[(i // 10) % 6]} {GIVEN[(i // 60) % 16]} "
            f"{i // 960 or ''}").strip()


def martyrs_csv(rows: int) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["STT", "Họ và tên", "Năm sinh", "Quê quán", "Đơn vị", "Ngày hy sinh",
                     "Nơi hy sinh"])
    for i in range(rows):
        writer.writerow([i + 1, _name(i), 1935 + i % 20, PLACES[i % 4],
                         f"c{i % 4 + 1} d{i % 9 + 1} E{i % 60 + 1} F{300 + i % 30}",
                         f"{1 + i % 28}/{1 + i % 12}/{1965 + i % 10}", "Quảng Trị"])
    return out.getvalue().encode("utf-8-sig")


def witnesses_csv(rows: int) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Họ và tên", "Năm sinh", "Đơn vị", "Trận đánh", "Thời gian phục vụ"])
    for i in range(rows):
        person = i // 2 if i % 5 else i  # every fifth row a second mention of someone
        writer.writerow([_name(person * 7), 1930 + person % 25, f"E{person % 40 + 1}",
                         ("Khe Sanh", "Thành cổ Quảng Trị", "Đường 9")[person % 3] +
                         f" {1967 + person % 6}", f"{1965 + person % 5}-{1972 + person % 3}"])
    return out.getvalue().encode("utf-8")


def floor(store: Store, data: bytes, import_id: str) -> float:
    """csv.reader and one executemany of the same values: what any import must pay."""
    started = time.perf_counter()
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader)
    batch = [{"id": f"{import_id}:{n}", "import_id": import_id, "line": n, "kind": "martyrs",
              "full_name": r[1], "other_names": "", "birth_year": r[2], "home_town": r[3],
              "unit": r[4], "death_date": r[5], "death_place": r[6], "cemetery": "",
              "plot": "", "battle": "", "served": "", "extra": "{}"}
             for n, r in enumerate(reader, start=2)]
    with store.begin() as conn:
        for at in range(0, len(batch), 5000):
            conn.execute(insert(list_rows), batch[at:at + 5000])
    took = time.perf_counter() - started
    with store.begin() as conn:
        conn.execute(delete(list_rows).where(list_rows.c.import_id == import_id))
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--witnesses", type=int, default=5000)
    parser.add_argument("--database", help="an SQLAlchemy URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lists-bench-"))
    store = Store(args.database) if args.database else Store.in_folder(folder)
    actor, now = Actor("bench", "admin"), datetime.now(UTC)
    data = martyrs_csv(args.rows)
    print(f"{args.rows} rows, {len(data) / 2**20:.1f} MB, {platform.machine()}, "
          f"{os.cpu_count()} cores, {store.engine.dialect.name}")
    floor_s = floor(store, data, "00000000-0000-0000-0000-000000000000")
    started = time.perf_counter()
    grid = list_files.read(data)
    read_s = time.perf_counter() - started
    checked = lists.check(grid, "martyrs", lists.guess_mapping(grid.header))
    check_s = time.perf_counter() - started - read_s
    assert checked.ok, checked.problems[:3]
    with store.begin() as conn:
        lists.import_list(conn, actor, checked, title="bench", source="bench",
                          filename="bench.csv", sha256=hashlib.sha256(data).hexdigest(),
                          now=now)
    total_s = time.perf_counter() - started
    print(f"import: read {read_s:.1f} s + check {check_s:.1f} s + write "
          f"{total_s - read_s - check_s:.1f} s = {total_s:.1f} s ({args.rows / total_s:,.0f} "
          f"rows/s); floor (csv.reader + executemany) {floor_s:.1f} s; "
          f"{total_s / floor_s:.1f}x the floor")
    with store.begin() as conn:
        conn.execute(delete(list_rows))
        conn.execute(delete(list_imports))
    wdata = witnesses_csv(args.witnesses)
    wgrid = list_files.read(wdata)
    wchecked = lists.check(wgrid, "witnesses", lists.guess_mapping(wgrid.header))
    with store.begin() as conn:
        lists.import_list(conn, actor, wchecked, title="ccb", source="bench",
                          filename="ccb.csv", sha256=hashlib.sha256(wdata).hexdigest(), now=now)
    started = time.perf_counter()
    with store.begin() as conn:
        found = wt.network(conn, actor, unit_text="E24", place="Khe Sanh", year_from=1968,
                           year_to=1968, now=now)
    network_s = time.perf_counter() - started
    started = time.perf_counter()
    with store.begin() as conn:
        wt.network(conn, actor, unit_text="E7", now=now)
    cached_s = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"witness network: {args.witnesses} witnesses -> {found['persons']} persons, "
          f"{found['waiting']} pairs to review; first answer {network_s:.1f} s (the linkage), "
          f"the next {cached_s:.2f} s; peak RSS {rss:.0f} MB")
    print(json.dumps({"rows": args.rows, "import_s": round(total_s, 2),
                      "rows_per_s": round(args.rows / total_s), "floor_s": round(floor_s, 2),
                      "witnesses": args.witnesses, "network_first_s": round(network_s, 2),
                      "network_next_s": round(cached_s, 3), "peak_rss_mb": round(rss),
                      "database": store.engine.dialect.name}))
    store.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
