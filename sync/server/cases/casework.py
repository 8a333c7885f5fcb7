"""The cases as people work them: the list (search over folded text), a case with every
source side by side, the review queue, and the decisions — merge two cases, split mentions
out of one, a pair decided the same or different, and undo.

A merge or a split is a recorded link (``case_links``): who, when, why, and every row it
changed as it was before. Undo puts those rows back exactly — the cases' every column, the
memberships, the pairs it decided, the DNA steps it moved — and is refused when something has
changed those rows since (a later merge, a relink that moved a mention): the link's
``after_sha256`` no longer matches, and undoing would overwrite someone else's work.

Each function takes the ``Actor`` asking and checks the role itself.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from capture.folding import fold
from sync.errors import SyncError
from sync.server.actors import ADMIN, ANALYST, READS, Actor, require
from sync.server.cases import sources
from sync.server.cases.profile import LINKED, side_by_side
from sync.server.cases.relink import new_case_id, refresh_cases
from sync.server.cases.tables import (
    DIFFERENT,
    MERGED,
    OPEN,
    PENDING,
    SAME,
    case_links,
    case_members,
    case_pairs,
    cases,
)
from sync.server.casework_tables import dna_steps

DECIDERS = frozenset({ADMIN, ANALYST})
MAX_REASON = 2000
MAX_SPLIT_PAIRS = 20_000  # moved × kept mentions recorded as "different"


class CaseError(SyncError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class CaseNotFound(CaseError):
    def __init__(self, what: str) -> None:
        super().__init__("not_found", f"no such {what}")


# --- reading ---------------------------------------------------------------------------------

def list_cases(conn: Connection, actor: Actor, *, q: str = "", page: int = 1,
               per_page: int = 20) -> dict[str, Any]:
    """Open cases, the most mentioned first; ``q`` matched word by word on folded text, so
    "nguyen van hung" finds "Nguyễn Văn Hùng"."""
    require(actor, READS, "read cases")
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    where = [cases.c.state == OPEN]
    for word in fold(q[:200]).split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(or_(cases.c.folded.like(f"%{escaped}%", escape="\\"),
                         cases.c.id.like(f"%{escaped}%", escape="\\")))
    total = conn.execute(select(func.count()).select_from(cases).where(*where)).scalar_one()
    rows = conn.execute(select(cases).where(*where)
                        .order_by(cases.c.mentions.desc(), cases.c.id)
                        .limit(per_page).offset((page - 1) * per_page)).all()
    return {"total": total, "page": page, "per_page": per_page,
            "pages": max(1, -(-total // per_page)),
            "items": [_case_row(r) for r in rows]}


def _case_row(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) for k in ("id", "state", "merged_into", "title", "birth_year",
                                          "home_town", "death_date", "mentions",
                                          "contradictions", "created_at", "updated_at")}


def _case(conn: Connection, case_id: str) -> Any:
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise CaseNotFound("case")
    return row


def _members(conn: Connection, case_id: str) -> list[Any]:
    return conn.execute(select(case_members).where(case_members.c.case_id == case_id)
                        .order_by(case_members.c.mention_id)).all()


def case_detail(conn: Connection, actor: Actor, case_id: str) -> dict[str, Any]:
    """The case, each mention with its fields and source, the fields side by side with
    their contradictions, the links that made it, its pending pairs and its DNA steps."""
    require(actor, READS, "read cases")
    row = _case(conn, case_id)
    records = sources.records(conn, _members(conn, case_id))
    links = conn.execute(select(case_links).where(or_(
        case_links.c.case_id == case_id, case_links.c.other_case_id == case_id))
        .order_by(case_links.c.id.desc())).all()
    steps = conn.execute(select(dna_steps).where(dna_steps.c.case_id == case_id)
                         .order_by(dna_steps.c.at, dna_steps.c.id)).all()
    return {**_case_row(row), "records": records, "fields": side_by_side(records),
            "links": [_link_row(link, undoable=_undoable(conn, link)) for link in links],
            "dna_steps": [dict(s._mapping) for s in steps]}


def _link_row(link: Any, undoable: bool) -> dict[str, Any]:
    return {"id": link.id, "action": link.action, "case_id": link.case_id,
            "other_case_id": link.other_case_id, "username": link.username, "at": link.at,
            "reason": link.reason, "undone_by": link.undone_by, "undone_at": link.undone_at,
            "undoable": undoable}


def pending_pairs(conn: Connection, actor: Actor) -> int:
    require(actor, READS, "read cases")
    return conn.execute(select(func.count()).select_from(case_pairs)
                        .where(case_pairs.c.status == PENDING)).scalar_one()


def review_queue(conn: Connection, actor: Actor, *, offset: int = 0) -> dict[str, Any]:
    """The pending pairs, strongest first; the one at ``offset`` with both sides' records."""
    where = case_pairs.c.status == PENDING
    total = pending_pairs(conn, actor)
    offset = max(0, min(int(offset), max(0, total - 1)))
    row = conn.execute(select(case_pairs).where(where)
                       .order_by(case_pairs.c.probability.desc(), case_pairs.c.id)
                       .offset(offset).limit(1)).first()
    return {"total": total, "offset": offset, "pair": _pair(conn, row) if row else None}


def _pair(conn: Connection, row: Any) -> dict[str, Any]:
    members = {m.mention_id: m for m in conn.execute(select(case_members).where(
        case_members.c.mention_id.in_((row.left_id, row.right_id))))}
    sides = {m["mention_id"]: m for m in sources.records(conn, members.values())}
    reasons = json.loads(row.reasons or "{}")
    return {"id": row.id, "left_id": row.left_id, "right_id": row.right_id,
            "probability": row.probability, "match_weight": row.match_weight,
            "held_apart": row.held_apart, "status": row.status,
            "reasons": [{"comparison": k, "level": v[0], "weight": v[1]}
                        for k, v in reasons.items()],
            "left": sides.get(row.left_id), "right": sides.get(row.right_id),
            "same_case": (row.left_id in members and row.right_id in members
                          and members[row.left_id].case_id == members[row.right_id].case_id)}


# --- the rows a link changes, as they were -------------------------------------------------------

_TABLES = {"cases": (cases, "id"), "case_members": (case_members, "mention_id"),
           "case_pairs": (case_pairs, "id"), "dna_steps": (dna_steps, "id")}


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _restore_value(column: Any, value: Any) -> Any:
    if value is not None and column.type.python_type is datetime:
        return datetime.fromisoformat(value)
    return value


def _scope_rows(conn: Connection, scope: dict[str, list]) -> dict[str, list[dict[str, Any]]]:
    """The rows in a link's scope: the cases, every member of those cases, the pairs and
    DNA steps it named."""
    out: dict[str, list[dict[str, Any]]] = {}
    queries = {
        "cases": select(cases).where(cases.c.id.in_(scope["cases"])).order_by(cases.c.id),
        "case_members": select(case_members).where(case_members.c.case_id.in_(scope["cases"]))
        .order_by(case_members.c.mention_id),
        "case_pairs": select(case_pairs).where(case_pairs.c.id.in_(scope["pairs"]))
        .order_by(case_pairs.c.id),
        "dna_steps": select(dna_steps).where(dna_steps.c.id.in_(scope["dna"]))
        .order_by(dna_steps.c.id)}
    for name, query in queries.items():
        out[name] = [{k: _value(v) for k, v in r._mapping.items()}
                     for r in conn.execute(query)]
    return out


def _digest(rows: dict[str, list[dict[str, Any]]]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


def _record_link(conn: Connection, actor: Actor, action: str, case_id: str, other: str,
                 now: datetime, reason: str, scope: dict[str, list],
                 before: dict[str, list[dict[str, Any]]], created: dict[str, list]) -> int:
    after = _scope_rows(conn, scope)
    return int(conn.execute(insert(case_links).values(
        action=action, case_id=case_id, other_case_id=other, username=actor.username,
        role=actor.role, at=now, reason=reason[:MAX_REASON],
        before=json.dumps({"scope": scope, "rows": before, "created": created},
                          ensure_ascii=False),
        after_sha256=_digest(after))).inserted_primary_key[0])


def _undoable(conn: Connection, link: Any) -> bool:
    if link.undone_at is not None:
        return False
    scope = json.loads(link.before)["scope"]
    return _digest(_scope_rows(conn, scope)) == link.after_sha256


def undo(conn: Connection, actor: Actor, link_id: int, now: datetime) -> dict[str, Any]:
    """Every row the link changed as it was before it; the link is kept, marked undone."""
    require(actor, DECIDERS, "undo a merge or a split")
    link = conn.execute(select(case_links).where(case_links.c.id == link_id)
                        .with_for_update()).first()
    if link is None:
        raise CaseNotFound("merge or split")
    if link.undone_at is not None:
        raise CaseError("already_undone", "this was undone already")
    if not _undoable(conn, link):
        raise CaseError("changed_since", "the cases have changed since: split or merge again")
    saved = json.loads(link.before)
    scope, rows, created = saved["scope"], saved["rows"], saved["created"]
    conn.execute(delete(case_members).where(case_members.c.case_id.in_(scope["cases"])))
    if created.get("pairs"):
        conn.execute(delete(case_pairs).where(case_pairs.c.id.in_(created["pairs"])))
    if created.get("cases"):
        conn.execute(delete(cases).where(cases.c.id.in_(created["cases"])))
    for name in ("cases", "case_pairs", "dna_steps"):
        table, key = _TABLES[name]
        for row in rows[name]:
            values = {k: _restore_value(table.c[k], v) for k, v in row.items() if k != key}
            conn.execute(update(table).where(table.c[key] == row[key]).values(**values))
    if rows["case_members"]:
        conn.execute(insert(case_members), rows["case_members"])
    conn.execute(update(case_links).where(case_links.c.id == link_id).values(
        undone_by=actor.username, undone_at=now))
    return {"case_id": link.case_id, "other_case_id": link.other_case_id}


# --- deciding ------------------------------------------------------------------------------------

def _open_case(conn: Connection, case_id: str) -> Any:
    row = _case(conn, case_id)
    if row.state != OPEN:
        raise CaseError("not_open", f"the case {case_id} is {row.state}"
                        + (f" into {row.merged_into}" if row.merged_into else ""))
    return row


def _linked(members: list[Any]) -> list[str]:
    return sorted(m.mention_id for m in members if m.kind in LINKED)


def _pair_row(conn: Connection, a: str, b: str) -> Any:
    left, right = sorted((a, b))
    return conn.execute(select(case_pairs).where(and_(case_pairs.c.left_id == left,
                                                      case_pairs.c.right_id == right))).first()


def _decide_pair(conn: Connection, actor: Actor, a: str, b: str, status: str, origin: str,
                 now: datetime, touched: list[int], created: list[int],
                 before: list[dict[str, Any]] | None) -> None:
    """Record a person's decision on a pair (made if the model never proposed it)."""
    row = _pair_row(conn, a, b)
    if row is None:
        left, right = sorted((a, b))
        new = conn.execute(insert(case_pairs).values(
            left_id=left, right_id=right, probability=None, match_weight=None, reasons="{}",
            held_apart=False, status=status, origin=origin, proposed_at=now,
            decided_by=actor.username, decided_at=now)).inserted_primary_key[0]
        created.append(int(new))
        return
    if before is not None:
        before.append({k: _value(v) for k, v in row._mapping.items()})
    touched.append(row.id)
    conn.execute(update(case_pairs).where(case_pairs.c.id == row.id).values(
        status=status, decided_by=actor.username, decided_at=now))


def merge(conn: Connection, actor: Actor, keep_id: str, other_id: str, now: datetime,
          reason: str = "", pair_id: int | None = None) -> int:
    """Every mention of ``other_id`` into ``keep_id``; the other case is kept, marked merged
    into it. Recorded as a "same" decision between the two cases (the pair reviewed, or their
    first mentions), so relinking keeps them together. The link's id."""
    require(actor, DECIDERS, "merge cases")
    if keep_id == other_id:
        raise CaseError("same_case", "a case cannot be merged into itself")
    _open_case(conn, keep_id)
    _open_case(conn, other_id)
    keep_members, other_members = _members(conn, keep_id), _members(conn, other_id)
    if not _linked(keep_members) or not _linked(other_members):
        raise CaseError("empty_case", "a case without mentions cannot be merged")
    steps = list(conn.execute(select(dna_steps.c.id).where(dna_steps.c.case_id == other_id))
                 .scalars())
    pair = None
    if pair_id is not None:
        pair = conn.execute(select(case_pairs).where(case_pairs.c.id == pair_id)).first()
    a, b = (pair.left_id, pair.right_id) if pair else (_linked(keep_members)[0],
                                                         _linked(other_members)[0])
    existing = _pair_row(conn, a, b)
    scope = {"cases": sorted({keep_id, other_id}), "pairs": [existing.id] if existing else [],
             "dna": steps}
    before = _scope_rows(conn, scope)
    touched: list[int] = []
    created: list[int] = []
    _decide_pair(conn, actor, a, b, SAME, "merge", now, touched, created, None)
    scope["pairs"] = sorted(set(scope["pairs"]) | set(created))
    conn.execute(update(case_members).where(case_members.c.case_id == other_id)
                 .values(case_id=keep_id))
    if steps:
        conn.execute(update(dna_steps).where(dna_steps.c.id.in_(steps)).values(case_id=keep_id))
    conn.execute(update(cases).where(cases.c.id == other_id).values(
        state=MERGED, merged_into=keep_id, mentions=0, updated_at=now))
    _touch(conn, keep_id, now)
    return _record_link(conn, actor, "merge", keep_id, other_id, now, reason, scope, before,
                        {"pairs": created, "cases": []})


def _touch(conn: Connection, case_id: str, now: datetime) -> None:
    refresh_cases(conn, {case_id}, now)
    conn.execute(update(cases).where(cases.c.id == case_id).values(updated_at=now))


def split(conn: Connection, actor: Actor, case_id: str, mention_ids: list[str], now: datetime,
          reason: str = "") -> tuple[int, str]:
    """The chosen mentions (and the testimonies, items and leads that name them) out of the
    case into a new one. Recorded as "different" between each moved and each kept mention and
    "same" among the moved and among the kept (the person looked at the whole case: what
    stays, stays together), so relinking keeps the split. (The link's id, the new case's id.)"""
    require(actor, DECIDERS, "split a case")
    _open_case(conn, case_id)
    members = _members(conn, case_id)
    linked = _linked(members)
    moved = sorted({m for m in mention_ids if m in linked})
    kept = [m for m in linked if m not in moved]
    if not moved or not kept:
        raise CaseError("bad_split", "choose some of the case's mentions, not none or all")
    if len(moved) * len(kept) > MAX_SPLIT_PAIRS:
        raise CaseError("bad_split", "too many mentions to split at once")
    existing_ids = set(conn.execute(select(cases.c.id)).scalars())
    new_id = new_case_id(moved[0], existing_ids)
    wanted = [(m, k, DIFFERENT) for m in moved for k in kept] + \
             [(moved[0], m, SAME) for m in moved[1:]] + [(kept[0], k, SAME) for k in kept[1:]]
    pairs_before = [r for a, b, _s in wanted if (r := _pair_row(conn, a, b)) is not None]
    scope = {"cases": sorted({case_id, new_id}), "pairs": sorted(r.id for r in pairs_before),
             "dna": []}
    before = _scope_rows(conn, scope)
    touched: list[int] = []
    created: list[int] = []
    for a, b, status in wanted:
        _decide_pair(conn, actor, a, b, status, "split", now, touched, created, None)
    scope["pairs"] = sorted(set(scope["pairs"]) | set(created))
    moving = [m.mention_id for m in members if m.anchor in moved]
    conn.execute(update(case_members).where(case_members.c.mention_id.in_(moving))
                 .values(case_id=new_id))
    refresh_cases(conn, {new_id}, now)
    _touch(conn, case_id, now)
    link = _record_link(conn, actor, "split", case_id, new_id, now, reason, scope, before,
                        {"pairs": created, "cases": [new_id]})
    return link, new_id


def decide(conn: Connection, actor: Actor, pair_id: int, decision: str, now: datetime,
           reason: str = "") -> dict[str, Any]:
    """A person's answer on a proposed pair. "same": two cases are merged (a link with undo);
    one case already: confirmed. "different": two cases stay apart; one case: the right-hand
    mention is split out (a link with undo)."""
    require(actor, DECIDERS, "decide on a proposed pair")
    if decision not in (SAME, DIFFERENT):
        raise CaseError("bad_decision", "decide same or different")
    row = conn.execute(select(case_pairs).where(case_pairs.c.id == pair_id)
                       .with_for_update()).first()
    if row is None:
        raise CaseNotFound("pair")
    if row.status != PENDING:
        raise CaseError("already_decided", f"this pair was decided {row.status} already")
    of = dict(conn.execute(select(case_members.c.mention_id, case_members.c.case_id).where(
        case_members.c.mention_id.in_((row.left_id, row.right_id)))).all())
    if len(of) != 2:
        raise CaseError("gone", "a mention of this pair is no longer in any case")
    left_case, right_case = of[row.left_id], of[row.right_id]
    if decision == SAME and left_case != right_case:
        sizes = {c: len(_members(conn, c)) for c in (left_case, right_case)}
        keep = min((left_case, right_case), key=lambda c: (-sizes[c], c))
        other = right_case if keep == left_case else left_case
        link = merge(conn, actor, keep, other, now, reason, pair_id=pair_id)
        return {"link": link, "case_id": keep}
    if decision == DIFFERENT and left_case == right_case:
        link, new_id = split(conn, actor, left_case, [row.right_id], now, reason)
        return {"link": link, "case_id": left_case, "new_case_id": new_id}
    conn.execute(update(case_pairs).where(case_pairs.c.id == pair_id).values(
        status=decision, decided_by=actor.username, decided_at=now))
    return {"link": None, "case_id": left_case}


# --- the decisions, for the next training --------------------------------------------------------

DECISION_COLUMNS = ("left_id", "right_id", "label", "decision", "origin", "probability",
                    "decided_by", "decided_at")


def decisions(conn: Connection) -> list[dict[str, Any]]:
    """Every pair a person decided, labelled (1 same, 0 different), with both mentions'
    fields as written (so the file trains without the database)."""
    rows = conn.execute(select(case_pairs).where(case_pairs.c.status.in_((SAME, DIFFERENT)))
                        .order_by(case_pairs.c.decided_at, case_pairs.c.id)).all()
    ids = {i for r in rows for i in (r.left_id, r.right_id)}
    members = [m for chunk in _chunked(sorted(ids)) for m in conn.execute(
        select(case_members).where(case_members.c.mention_id.in_(chunk)))]
    fields = {r["mention_id"]: r["fields"] for r in sources.records(conn, members)}
    out = []
    for r in rows:
        item = {"left_id": r.left_id, "right_id": r.right_id,
                "label": 1 if r.status == SAME else 0, "decision": r.status,
                "origin": r.origin,
                "probability": "" if r.probability is None else f"{r.probability:.4f}",
                "decided_by": r.decided_by or "",
                "decided_at": r.decided_at.isoformat() if r.decided_at else ""}
        for side, mention in (("left", r.left_id), ("right", r.right_id)):
            for name in sources.FIELDS:
                item[f"{side}_{name}"] = fields.get(mention, {}).get(name, "")
        out.append(item)
    return out


def _chunked(items: list, size: int = 500):  # type: ignore[no-untyped-def]
    for start in range(0, len(items), size):
        yield items[start:start + size]
