"""Linking martyr mentions into cases at scale: 100,000 mentions on 2 cores (goal < 3 min).

    python bench/cases_bench.py                       # 100,000 mentions
    python bench/cases_bench.py --mentions 1000000    # goal < 30 min (a shared machine: ask)

Measures the whole of ``sohoa-server cases link`` but the CSV: normalising every mention,
training (u from random pairs, EM), scoring the blocked pairs, clustering. The floor, in the
same run: the prediction blocking rules as plain DuckDB self-joins, counted (what any linkage
with those rules must at least do). Also the precision/recall against the generator's labels.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.server.cases.linker import link_table, load_model
from sync.server.cases.mentions import feature_table
from sync.server.cases.normalise import admin_index
from sync.server.cases.synthetic import generate, pairwise_scores

MENTIONS_PER_PERSON = 2.9  # what the generator gives on average at its default settings


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(table, rules: list[str], threads: int) -> tuple[float, int]:
    """Each blocking rule as a DuckDB self-join count (no dedup across rules: a lower bound
    on the joining work, none of the scoring)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads)}")
    con.register("mentions", table)
    started = time.perf_counter()
    total = 0
    for rule in rules:
        total += con.execute(  # the rules come from the shipped model, not from outside
            "SELECT count(*) FROM mentions l JOIN mentions r ON "  # noqa: S608
            f"({rule}) AND l.unique_id < r.unique_id").fetchone()[0]
    return time.perf_counter() - started, total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    admin = admin_index()
    started = time.perf_counter()
    mentions, truth = generate(round(args.mentions / MENTIONS_PER_PERSON), args.seed,
                               admin=admin)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    table = feature_table(mentions, admin)
    normalised = time.perf_counter() - started
    model = load_model()
    started = time.perf_counter()
    linkage = link_table(table, model, threads=args.threads, seed=args.seed)
    linked = time.perf_counter() - started
    scores = pairwise_scores(linkage.case_of, truth)
    rules = [b["blocking_rule"] for b in model["splink"]["blocking_rules_to_generate_predictions"]]
    floor_s, floor_pairs = floor(table, rules, args.threads)
    total = normalised + linked
    n = len(mentions)
    print(f"{n} mentions of {len(set(truth.values()))} people (generated in {generated:.1f} s)")
    print(f"normalise {normalised:.1f} s, train + score + cluster {linked:.1f} s: "
          f"{total:.1f} s, {n / total:,.0f} mentions/s on {args.threads} threads")
    print(f"pairs scored {linkage.pairs_scored:,}; floor: the {len(rules)} blocking rules as "
          f"DuckDB self-join counts {floor_s:.1f} s ({floor_pairs:,} pairs before dedup); "
          f"ratio {total / floor_s:.1f}x")
    print("link phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in linkage.timings.items()))
    print(f"precision {scores.precision:.4f}, recall {scores.recall:.4f}; "
          f"{len(linkage.review):,} pairs to review; peak RSS {peak_rss_mib():.0f} MiB")
    print(json.dumps({
        "bench": "cases", "mentions": n, "threads": args.threads,
        "seconds": round(total, 1), "normalise_s": round(normalised, 1),
        "link_s": round(linked, 1), "phases_s": linkage.timings, "mentions_per_s": round(n / total),
        "pairs_scored": linkage.pairs_scored, "floor_s": round(floor_s, 2),
        "floor_pairs": floor_pairs, "ratio_to_floor": round(total / floor_s, 1),
        "precision": round(scores.precision, 4), "recall": round(scores.recall, 4),
        "review_pairs": len(linkage.review), "peak_rss_mib": round(peak_rss_mib()),
        "goal_s": 180 if args.mentions <= 100_000 else 1800,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
