"""Relinking: every mention the command holds (sync/server/cases/sources.py) through the
linker (Splink on DuckDB), written as cases and the review queue.

People's decisions bind the model: a pair decided "different" is never put in one case, a
pair decided "same" always is (linker.cluster). Case ids are stable: a group of mentions keeps
the id of the case most of its mentions were in (ties: the smaller id); a new group is named
as ``cases link`` names it, ``case-<smallest mention id>``. A case that lost every mention is
retired, never deleted (its DNA steps and links still name it).

``relink_if_changed`` is what the server calls after an ingest or an import: when the
mentions and the decisions are what the last run linked (a fingerprint), it returns at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from sync.server.cases import sources
from sync.server.cases.profile import summary
from sync.server.cases.tables import (
    DIFFERENT,
    MERGED,
    OPEN,
    PENDING,
    RETIRED,
    SAME,
    case_members,
    case_pairs,
    case_runs,
    cases,
)

MEMBER_COLUMNS = ("case_id", "kind", "record_id", "source_ref", "anchor")


@dataclass(frozen=True)
class Run:
    skipped: bool
    mentions: int = 0
    cases: int = 0
    pairs: int = 0
    changed_cases: int = 0
    seconds: float = 0.0


def decided_pairs(conn: Connection) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    rows = conn.execute(select(case_pairs.c.left_id, case_pairs.c.right_id, case_pairs.c.status)
                        .where(case_pairs.c.status.in_((SAME, DIFFERENT)))
                        .order_by(case_pairs.c.id)).all()
    return ([(r.left_id, r.right_id) for r in rows if r.status == SAME],
            [(r.left_id, r.right_id) for r in rows if r.status == DIFFERENT])


def _fingerprint(gathered: sources.Gathered, together: list, apart: list,
                 model: dict[str, Any]) -> str:
    digest = hashlib.sha256(gathered.fingerprint().encode())
    digest.update(json.dumps([together, apart, model], sort_keys=True).encode())
    return digest.hexdigest()


def _last_fingerprint(conn: Connection) -> str | None:
    return conn.execute(select(case_runs.c.fingerprint).order_by(case_runs.c.id.desc())
                        .limit(1)).scalar()


def relink_if_changed(conn: Connection, now: datetime, username: str = "system",
                      **options: Any) -> Run:
    return relink(conn, now, username, only_if_changed=True, **options)


def relink(conn: Connection, now: datetime, username: str = "system", *,
           only_if_changed: bool = False, threads: int = 2, seed: int = 15,
           model: dict[str, Any] | None = None) -> Run:
    """Link every mention again and write what changed, on the caller's transaction."""
    from sync.server.cases.linker import SMALL_FILE, load_model

    started = time.monotonic()
    model = model or load_model()
    gathered = sources.gather(conn)
    together, apart = decided_pairs(conn)
    fingerprint = _fingerprint(gathered, together, apart, model)
    if only_if_changed and fingerprint == _last_fingerprint(conn):
        return Run(skipped=True)
    trained = len(gathered.mentions) >= SMALL_FILE
    case_of: dict[str, str] = {}
    review: list[Any] = []
    if gathered.mentions:
        from sync.server.cases.linker import link_table
        from sync.server.cases.mentions import feature_table
        from sync.server.cases.normalise import admin_index

        logging.getLogger("splink").setLevel(logging.ERROR)
        table = feature_table(gathered.mentions, admin_index())
        linkage = link_table(table, model, train_model=trained, seed=seed, threads=threads,
                             together=together, apart=apart)
        case_of, review = linkage.case_of, linkage.review
    groups: dict[str, list[str]] = {}
    for mention in gathered.mentions:
        groups.setdefault(case_of[mention.mention_id], []).append(mention.mention_id)
    named = _name_groups(conn, list(groups.values()))
    changed = _write_members(conn, gathered, named)
    changed |= _retire_and_open(conn, set(named.values()), now)
    # Every case, not only those whose membership moved: a reindexed visit or a corrected list
    # may have changed what a mention says (only cases whose columns differ are written).
    refresh_cases(conn, changed | set(named.values()), now)
    pairs = _write_review(conn, review, now)
    seconds = time.monotonic() - started
    conn.execute(insert(case_runs).values(
        at=now, username=username[:64], fingerprint=fingerprint,
        mentions=len(gathered.mentions), cases=len(set(named.values())), pairs=pairs,
        trained=trained, seconds=round(seconds, 3)))
    return Run(False, len(gathered.mentions), len(set(named.values())), pairs, len(changed),
               seconds)  # changed_cases: those whose membership changed


def _name_groups(conn: Connection, groups: list[list[str]]) -> dict[str, str]:
    """mention -> case id: the id most of the group's mentions had, else a new one."""
    before = dict(conn.execute(select(case_members.c.mention_id, case_members.c.case_id)
                               .where(case_members.c.mention_id == case_members.c.anchor))
                  .all())
    existing = set(conn.execute(select(cases.c.id)).scalars())
    taken: set[str] = set()
    named: dict[str, str] = {}
    for group in sorted(groups, key=lambda g: (-len(g), min(g))):
        votes = Counter(before[m] for m in group if m in before)
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
        case_id = next((c for c, _n in ranked if c not in taken), None)
        if case_id is None:
            case_id = new_case_id(min(group), existing | taken)
        taken.add(case_id)
        named.update(dict.fromkeys(group, case_id))
    return named


def new_case_id(smallest: str, existing: set[str]) -> str:
    base = ("case-" + smallest)[:60]
    case_id, n = base, 1
    while case_id in existing:
        n += 1
        case_id = f"{base}-{n}"
    return case_id


def _write_members(conn: Connection, gathered: sources.Gathered,
                   named: dict[str, str]) -> set[str]:
    """The membership rows as the run says; only changed rows are written. The cases whose
    membership changed."""
    wanted = {}
    for member in gathered.members:
        case_id = named.get(member.anchor)
        if case_id is not None:
            wanted[member.mention_id] = (case_id, member.kind, member.record_id,
                                         member.source_ref, member.anchor)
    have = {row.mention_id: tuple(row[1:]) for row in conn.execute(
        select(case_members.c.mention_id, *(case_members.c[c] for c in MEMBER_COLUMNS)))}
    changed: set[str] = set()
    gone = [m for m in have if m not in wanted]
    for chunk in _chunks(gone):
        conn.execute(delete(case_members).where(case_members.c.mention_id.in_(chunk)))
    changed |= {have[m][0] for m in gone}
    new = [dict(zip(("mention_id", *MEMBER_COLUMNS), (m, *v), strict=True))
           for m, v in wanted.items() if m not in have]
    for chunk in _chunks(new):
        conn.execute(insert(case_members), chunk)
    changed |= {row["case_id"] for row in new}
    for mention_id, values in wanted.items():
        if mention_id in have and have[mention_id] != values:
            conn.execute(update(case_members).where(case_members.c.mention_id == mention_id)
                         .values(dict(zip(MEMBER_COLUMNS, values, strict=True))))
            changed |= {have[mention_id][0], values[0]}
    return changed


def _retire_and_open(conn: Connection, live: set[str], now: datetime) -> set[str]:
    """Cases with mentions are open; an open case left without any is retired."""
    states = dict(conn.execute(select(cases.c.id, cases.c.state)).all())
    changed = set()
    for case_id, state in states.items():
        if state == OPEN and case_id not in live:
            changed.add(case_id)
    for case_id in live:
        if states.get(case_id) in (MERGED, RETIRED):
            conn.execute(update(cases).where(cases.c.id == case_id).values(
                state=OPEN, merged_into=None, updated_at=now))
            changed.add(case_id)
    return changed


def refresh_cases(conn: Connection, case_ids: set[str], now: datetime) -> None:
    """Each case's summary columns from its members (made if new, retired if empty); a case
    whose columns are unchanged is not written (its updated_at stays)."""
    for case_id in sorted(case_ids):
        members = conn.execute(select(case_members).where(case_members.c.case_id == case_id)
                               ).all()
        row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
        if not members:
            if row is not None and row.state == OPEN:
                conn.execute(update(cases).where(cases.c.id == case_id).values(
                    state=RETIRED, mentions=0, updated_at=now))
            continue
        values = summary(sources.records(conn, members))
        if row is None:
            conn.execute(insert(cases).values(id=case_id, state=OPEN, merged_into=None,
                                              created_at=now, updated_at=now, **values))
        elif any(getattr(row, k) != v for k, v in values.items()) or row.state != OPEN:
            conn.execute(update(cases).where(cases.c.id == case_id).values(
                state=OPEN, merged_into=None, updated_at=now, **values))


def _write_review(conn: Connection, review: list[Any], now: datetime) -> int:
    """The pending pairs as the run proposes them; decided pairs are left as people left
    them. The number of pairs pending."""
    have = {(r.left_id, r.right_id): r for r in conn.execute(
        select(case_pairs.c.id, case_pairs.c.left_id, case_pairs.c.right_id,
               case_pairs.c.status, case_pairs.c.probability, case_pairs.c.match_weight,
               case_pairs.c.reasons, case_pairs.c.held_apart))}
    proposed = set()
    for pair in review:
        key = tuple(sorted((pair.left, pair.right)))
        proposed.add(key)
        values = {"probability": round(pair.match_probability, 6),
                  "match_weight": round(pair.match_weight, 4),
                  "reasons": json.dumps({k: [v[0], v[1]] for k, v in pair.reasons.items()},
                                        ensure_ascii=False),
                  "held_apart": bool(pair.held_apart)}
        old = have.get(key)
        if old is None:
            conn.execute(insert(case_pairs).values(
                left_id=key[0], right_id=key[1], status=PENDING, origin="model",
                proposed_at=now, **values))
        elif old.status == PENDING and any(getattr(old, k) != v for k, v in values.items()):
            conn.execute(update(case_pairs).where(case_pairs.c.id == old.id).values(**values))
    stale = [r.id for key, r in have.items() if r.status == PENDING and key not in proposed]
    for chunk in _chunks(stale):
        conn.execute(delete(case_pairs).where(case_pairs.c.id.in_(chunk)))
    return len(proposed) - sum(1 for k in proposed if k in have and have[k].status != PENDING)


def _chunks(items: list, size: int = 500):  # type: ignore[no-untyped-def]
    for start in range(0, len(items), size):
        yield items[start:start + size]
