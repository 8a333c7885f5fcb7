"""Mentions linked into cases with Splink on DuckDB (embedded) — the model is data.

``model.json`` beside this file holds Splink's settings (blocking rules, comparisons with
term-frequency adjustment, written in SQL both DuckDB and Spark run), the training plan and the
thresholds. Training re-estimates it on the mentions given (u from random pairs, m by EM);
``link`` clusters at the "link" threshold and returns the pairs between "surely different"
and "surely the same" as the review list, with each comparison's match weight as the reason.

Splink is imported inside the functions: the server's start-up does not pay for it.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("model.json")


def load_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ReviewPair:
    left: str
    right: str
    match_probability: float
    match_weight: float
    reasons: dict[str, tuple[str, float]]  # comparison -> (level label, its match weight)
    held_apart: bool = False  # above the link threshold, kept apart by a contradiction


@dataclass
class Linkage:
    case_of: dict[str, str]  # mention id -> case id
    review: list[ReviewPair] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)  # the settings as trained
    pairs_scored: int = 0
    timings: dict[str, float] = field(default_factory=dict)  # seconds by phase


def _level_weights(settings: dict[str, Any]) -> dict[str, dict[int, tuple[str, float]]]:
    """comparison -> comparison vector value -> (label, match weight log2(m/u)).

    Splink numbers levels from the top (null level -1, the last one 0). The weight is the
    level's own, before any term-frequency adjustment (a common name counts for less than
    shown: the pair's total match_weight has it)."""
    out: dict[str, dict[int, tuple[str, float]]] = {}
    for comparison in settings["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        table = {-1: (next((lv["label_for_charts"] for lv in levels
                            if lv.get("is_null_level")), "missing"), 0.0)}
        for i, level in enumerate(non_null):
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = round(math.log2(m / u), 2) if m and u else 0.0
            table[len(non_null) - 1 - i] = (level["label_for_charts"], weight)
        out[comparison["output_column_name"]] = table
    return out


def make_linker(db_api: Any, table: Any, settings: dict[str, Any]):
    """A Splink Linker over a registered table; works with DuckDBAPI or SparkAPI alike."""
    from splink import Linker

    return Linker(db_api.register(table), copy.deepcopy(settings), log_level=logging.ERROR)


# Term frequencies are counted in the file being linked: in a file of a few rows every name is
# "common" and agreement on it would count for nothing. Below this size they are left out.
SMALL_FILE = 1000


def without_term_frequencies(settings: dict[str, Any]) -> dict[str, Any]:
    settings = copy.deepcopy(settings)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
            level.pop("tf_minimum_u_value", None)
    return settings


def untrained(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings without m/u: EM started from a previous file's m can drive a level it
    does not see here to exactly 0, which Splink refuses; from scratch it converges."""
    settings = copy.deepcopy(settings)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("m_probability", None)
            level.pop("u_probability", None)
    return settings


def train(linker: Any, model: dict[str, Any], seed: int) -> None:
    plan = model["training"]
    linker.training.estimate_probability_two_random_records_match(
        plan["deterministic_rules"], recall=plan["deterministic_recall"])
    linker.training.estimate_u_using_random_sampling(
        max_pairs=plan["u_max_pairs"], seed=seed)
    for block in plan["em_blocks"]:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block, estimate_without_term_frequencies=True)


# DuckDB is told how much memory it may use and where to spill beyond it (a scratch directory,
# removed after), rather than growing without bound on a machine shared with others. An
# on-disk database file kept the 100,000-mention run under 0.9 GiB but wrote every scored
# pair to disk: several times slower on a loaded machine, so the database stays in memory.
MEMORY_LIMIT = "2GB"


@contextmanager
def _duckdb_api(threads: int | None, memory_limit: str | None):
    import duckdb
    from splink import DuckDBAPI

    with tempfile.TemporaryDirectory(prefix="sohoa-cases-") as scratch:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"SET temp_directory = '{Path(scratch) / 'spill'}'")
            con.execute("SET preserve_insertion_order = false")
            if memory_limit:
                con.execute("SET memory_limit = ?", [memory_limit])
            if threads:
                con.execute(f"SET threads = {int(threads)}")
            yield DuckDBAPI(connection=con)
        finally:
            con.close()


def link_table(table: Any, model: dict[str, Any] | None = None, *, train_model: bool = True,
               seed: int = 15, threads: int | None = None, db_api: Any = None,
               memory_limit: str | None = MEMORY_LIMIT,
               together: list[tuple[str, str]] = (), apart: list[tuple[str, str]] = (),
               ) -> Linkage:
    """Link a feature table (see mentions.feature_table) into cases.

    ``together`` and ``apart``: pairs people decided are the same / different martyr; the
    model never joins an ``apart`` pair and always joins a ``together`` one (unless a person
    also kept one of its sides apart from the other group).

    ``memory_limit`` bounds DuckDB's own memory (it spills to a temporary directory beyond
    it); it is not used when a ``db_api`` (Spark) is given."""
    model = model or load_model()
    ids = [str(x) for x in table.column("unique_id").to_pylist()]
    if len(ids) < 2:
        return Linkage({i: _case_id([i]) for i in ids}, model=model)
    if db_api is not None:
        return _link(table, ids, model, train_model, seed, db_api, together, apart)
    with _duckdb_api(threads, memory_limit) as duck:
        return _link(table, ids, model, train_model, seed, duck, together, apart)


def _link(table: Any, ids: list[str], model: dict[str, Any], train_model: bool, seed: int,
          db_api: Any, together: list[tuple[str, str]] = (),
          apart: list[tuple[str, str]] = ()) -> Linkage:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[phase] = round(now - clock, 2)
        clock = now

    settings = model["splink"]
    if len(ids) < SMALL_FILE:
        settings = without_term_frequencies(settings)
    if train_model:
        settings = untrained(settings)
    linker = make_linker(db_api, table, settings)
    if train_model:
        train(linker, model, seed)
    lap("train")
    thresholds = model["thresholds"]
    low, link, high = (float(thresholds[k]) for k in ("surely_different", "link", "surely_same"))
    predictions = linker.inference.predict()
    lap("predict")
    trained_settings = {k: v for k, v in linker.misc.save_model_to_json().items()
                        if k != "linker_uid"}  # a run's own table prefix
    weights = _level_weights(trained_settings)
    names = list(weights)
    gammas = ", ".join(f"gamma_{n}" for n in names)
    pairs = int(predictions.query_sql("SELECT count(*) AS n FROM {this}").as_record_list()[0]["n"])
    # Only the pairs above "surely different" come back to Python: the links and the review
    # band. The thresholds are floats: nothing from the file is in the SQL.
    band = predictions.query_sql(
        f"SELECT unique_id_l, unique_id_r, match_probability, match_weight, {gammas}"  # noqa: S608
        f" FROM {{this}} WHERE match_probability >= {low}")
    band_rows = [tuple(r.values()) for r in band.as_record_list()]
    band.drop_table_from_database_and_remove_from_cache()
    edges = [(str(r[0]), str(r[1]), float(r[2])) for r in band_rows if float(r[2]) >= link]
    lap("fetch links")
    component_ids = set(ids)
    # A contradiction matters only between two mentions the links could bring into one case:
    # the pairs below "surely different" are narrowed to those within one linked component.
    # People's "same" decisions join components too: their contradictions matter as well.
    component = _components(ids, edges + [(a, b, 1.0) for a, b in together
                                           if a in component_ids and b in component_ids])
    components = db_api.register(_component_table(component)).physical_name
    conflicts = predictions.query_sql(
        "SELECT p.unique_id_l, p.unique_id_r FROM {this} p"  # noqa: S608 - floats, our names
        f" JOIN {components} cl ON cl.unique_id = p.unique_id_l"
        f" JOIN {components} cr ON cr.unique_id = p.unique_id_r"
        f" WHERE cl.component = cr.component AND p.match_probability < {low}"
        f" AND ({model.get('contradiction', CONTRADICTION)})")
    conflict_pairs = [(str(c["unique_id_l"]), str(c["unique_id_r"]))
                      for c in conflicts.as_record_list()]
    conflicts.drop_table_from_database_and_remove_from_cache()
    predictions.drop_table_from_database_and_remove_from_cache()
    lap("fetch contradictions")
    groups, held_apart = cluster(ids, edges, conflict_pairs, together=together, apart=apart)
    case_of = {mention: _case_id(group) for group in groups for mention in group}
    lap("cluster")
    held = set(held_apart)
    review: list[ReviewPair] = []
    for row in band_rows:
        p = float(row[2])
        pair = (str(row[0]), str(row[1]))
        if p >= high and pair not in held:
            continue
        reasons = {name: weights[name].get(int(row[4 + i]), ("?", 0.0))
                   for i, name in enumerate(names)}
        review.append(ReviewPair(*pair, p, float(row[3]), reasons, held_apart=pair in held))
    review.sort(key=lambda r: -r.match_probability)
    lap("review list")
    return Linkage(case_of, review, dict(model, splink=trained_settings), pairs,
                   timings=timings)


def _components(ids: list[str], edges: list[tuple[str, str, float]]) -> dict[str, int]:
    """Connected components of the links (mention -> component number)."""
    index = {m: i for i, m in enumerate(ids)}
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, _p in edges:
        ra, rb = root(index[a]), root(index[b])
        if ra != rb:
            parent[rb] = ra
    return {m: root(i) for m, i in index.items()}


def _component_table(component: dict[str, int]):
    import pyarrow as pa

    linked = {c for c, n in Counter(component.values()).items() if n > 1}
    kept = [(m, c) for m, c in component.items() if c in linked]
    return pa.table({"unique_id": pa.array([m for m, _ in kept], pa.string()),
                     "component": pa.array([c for _, c in kept], pa.int64())})


# Two mentions that plainly disagree (born more than 2 years apart, died in years more than one
# apart, from two provinces, in two regiments and divisions) and score low are never put in one
# case through a third, sparser mention: namesakes from one commune are told apart by this.
# model.json's "contradiction" overrides it.
CONTRADICTION = ("gamma_birth_year = 0 OR gamma_death_date = 0 OR gamma_home_town = 0"
                 " OR gamma_unit = 0")


def cluster(ids: list[str], edges: list[tuple[str, str, float]],
            conflicts: list[tuple[str, str]], *, together: list[tuple[str, str]] = (),
            apart: list[tuple[str, str]] = (),
            ) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """Greedy linking, strongest pair first, never joining two groups that hold a
    contradicting pair. Returns the groups and the pairs held apart (for the review list).

    People's decisions come first: ``together`` pairs are joined before any edge of the model
    (the model's contradictions do not stop them, a person's ``apart`` does), and ``apart``
    pairs block like contradictions."""
    parent = {i: i for i in ids}
    members = {i: [i] for i in ids}

    def pairs_against(pairs) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for a, b in pairs:
            if a in parent and b in parent:
                out.setdefault(a, set()).add(b)
                out.setdefault(b, set()).add(a)
        return out

    decided = pairs_against(apart)
    blocked = {i: set(decided.get(i, ())) for i in ids}  # root -> mentions it cannot take

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    held: list[tuple[str, str]] = []

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra == rb:
            return
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        if any(m in blocked[ra] for m in members[rb]):
            held.append((a, b))
            return
        parent[rb] = ra
        members[ra].extend(members.pop(rb))
        blocked[ra] |= blocked.pop(rb)

    for a, b in sorted((a, b) for a, b in together if a in parent and b in parent):
        join(a, b)
    del held[:]  # a person's own contradiction is theirs to see, not the model's review
    for mention, others in pairs_against(conflicts).items():
        blocked[root(mention)] |= others
    for a, b, _p in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        join(a, b)
    return list(members.values()), held


def _case_id(members: list[str]) -> str:
    """A case is named by its smallest mention id: stable when the same file is linked again."""
    return "case-" + min(members)
