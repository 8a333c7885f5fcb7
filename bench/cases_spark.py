"""The same model on Spark (local mode): the same settings JSON, the same clusters as DuckDB.

    pip install 'pyspark>=3.5'        # needs Java 17+; not a dependency of the project
    python bench/cases_spark.py [--people 400]

Links one generated set twice with the shipped, trained model as it is (no training, so both
backends apply identical parameters): once on DuckDB, once on Spark through Splink's SparkAPI.
Splink transpiles the model's SQL (written for DuckDB, portable by choice) to Spark SQL.
Prints both timings and whether the cases are the same; last line JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.server.cases.linker import link_table, load_model
from sync.server.cases.mentions import feature_table
from sync.server.cases.normalise import admin_index
from sync.server.cases.synthetic import generate, pairwise_scores


def partition(case_of: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for mention, case in case_of.items():
        groups.setdefault(case, set()).add(mention)
    return {frozenset(g) for g in groups.values()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    from pyspark.sql import SparkSession
    from splink.backends.spark import SparkAPI

    mentions, truth = generate(args.people, args.seed)
    table = feature_table(mentions, admin_index())
    model = load_model()
    started = time.perf_counter()
    duck = link_table(table, model, train_model=False, threads=2)
    duck_s = time.perf_counter() - started
    spark = (SparkSession.builder.master("local[2]").appName("sohoa-cases")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setCheckpointDir(str(Path("/tmp") / "sohoa-cases-spark-checkpoints"))
    try:
        started = time.perf_counter()
        on_spark = link_table(table, model, train_model=False,
                              db_api=SparkAPI(spark_session=spark))
        spark_s = time.perf_counter() - started
    finally:
        spark.stop()
    same = partition(duck.case_of) == partition(on_spark.case_of)
    d, s = pairwise_scores(duck.case_of, truth), pairwise_scores(on_spark.case_of, truth)
    print(f"{len(mentions)} mentions: DuckDB {duck_s:.1f} s ({duck.pairs_scored} pairs), "
          f"Spark local[2] {spark_s:.1f} s ({on_spark.pairs_scored} pairs); "
          f"same cases: {same}")
    print(f"precision/recall DuckDB {d.precision:.4f}/{d.recall:.4f}, "
          f"Spark {s.precision:.4f}/{s.recall:.4f}")
    print(json.dumps({"bench": "cases_spark", "mentions": len(mentions), "duckdb_s":
                      round(duck_s, 1), "spark_s": round(spark_s, 1), "same_cases": same,
                      "pairs_duckdb": duck.pairs_scored, "pairs_spark": on_spark.pairs_scored}))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
