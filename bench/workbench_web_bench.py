"""The workbench over HTTP, as a browser and a script use it: index N generated visits (the
generator of bench/workbench_bench.py), top the index up to --rows, serve the web app under
uvicorn on loopback, sign in through the form, then the p95 of 200 accent-free search pages,
200 visit pages (each one also written to the hash-chained access log), 200 API searches with a
bearer token, beside a floor measured in the same run on the same server and client: 200 GETs of
a static file (the HTTP stack, no session, no database). Peak RSS of the process (server and
client together). The last line is one JSON object.

    .venv/bin/python bench/workbench_web_bench.py [--visits 2000] [--rows 200000]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import workbench_bench as gen  # noqa: E402
from sync.server import accounts  # noqa: E402
from sync.server import index as ix  # noqa: E402
from sync.server.store import Store, stations  # noqa: E402
from sync.server.web.app import WebConfig, create_web_app  # noqa: E402
from tests.sync.servers import free_port  # noqa: E402

PASSWORD = "mật khẩu của bench 2026"  # noqa: S105


def timed(client: httpx.Client, urls: list[str], **kw: object) -> list[float]:
    times = []
    for url in urls:
        t0 = time.perf_counter()
        answer = client.get(url, **kw)  # type: ignore[arg-type]
        times.append(time.perf_counter() - t0)
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:200])
    return times


def run(work: Path, visits: int, rows_goal: int, seed: int) -> dict[str, object]:
    store = Store(f"sqlite:///{work / 'server.db'}")
    key = Ed25519PrivateKey.generate()
    with store.begin() as conn:
        conn.execute(insert(stations).values(
            id=gen.STATION, name="Trạm bench", province_code=1, ward_code=4,
            signing_key=key.public_key().public_bytes_raw().hex(), identity_key="0" * 64,
            enrolled_at=datetime.now(UTC), active=True))
    bags = gen.write_archive(work / "archive", store, visits, 100, seed, key)
    for batch_id, bag in bags:
        with store.begin() as conn:
            ix.index_bag(conn, bag, gen.STATION, batch_id)
    rng = random.Random(seed + 1)
    rows, extra, day = gen.count_rows(store), 0, datetime(2025, 1, 1, tzinfo=UTC)
    per_visit = max(1, rows // max(1, visits))
    while rows + extra * per_visit < rows_goal:
        with store.begin() as conn:
            for _ in range(500):
                record, consents, _ = gen.make_visit(rng, key, day + timedelta(hours=extra))
                ix.index_record(conn, record, gen.STATION, bags[0][0], day, consents=consents)
                extra += 1
    total_rows = gen.count_rows(store)
    with store.begin() as conn:
        accounts.add_account(conn, "bench", "analyst", PASSWORD, datetime.now(UTC))
        _, token = accounts.create_token(conn, "bench", datetime.now(UTC), "bench")
        ids = list(conn.execute(select(ix.index_visits.c.visit_id)).scalars())

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_web_app(WebConfig(work), store),
                                           host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    qrng = random.Random(seed + 2)
    queries = gen.queries(qrng, 200)
    sample = qrng.sample(ids, min(200, len(ids)))
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            form = client.get("/signin").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
            signed = client.post("/signin", data={"username": "bench", "password": PASSWORD,
                                                  "csrf": csrf})
            assert signed.status_code == 303, signed.text[:200]
            floor = timed(client, ["/static/workbench.css"] * 200)
            search = timed(client, [f"/search?q={q}" for q in queries])
            visit = timed(client, [f"/visits/{v}" for v in sample])
            api = timed(client, [f"/api/v1/search?q={q}" for q in queries],
                        headers={"authorization": f"Bearer {token}"})
    finally:
        server.should_exit = True
        thread.join(15)
    with store.engine.connect() as conn:
        from sync.server import access_log

        assert access_log.verify(conn) is None
    store.engine.dispose()
    return {
        "database": "sqlite", "visits_from_bags": visits, "topup_visits": extra,
        "indexed_rows": total_rows,
        "static_floor_p95_ms": round(gen.p95(floor), 2),
        "search_page_p95_ms": round(gen.p95(search), 2),
        "search_page_median_ms": round(statistics.median(search) * 1000, 2),
        "visit_page_p95_ms": round(gen.p95(visit), 2),
        "visit_page_median_ms": round(statistics.median(visit) * 1000, 2),
        "api_search_p95_ms": round(gen.p95(api), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sohoa-webbench-") as folder:
        result = run(Path(folder), args.visits, args.rows, args.seed)
    for name, value in result.items():
        print(f"{name}: {value}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
