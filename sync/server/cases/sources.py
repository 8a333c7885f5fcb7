"""Where a case's mentions come from: the index (the martyrs of visits and what names them — a
testimony, an item, a lead) and the imported lists (martyrs whose remains are not found,
unidentified graves). Read here once for the linker (``gather``) and for the pages
(``records``): a mention with every field as it was written and a way back to its source.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from sync.server import index as ix
from sync.server.cases.mentions import MAX_FIELD, Mention
from sync.server.casework_tables import list_imports, list_rows

# The mention's fields as the pages show them, in this order.
FIELDS = ("full_name", "other_names", "birth_year", "home_town", "unit", "death_date",
          "death_place", "burial")
LIST_KINDS = {"martyrs": "list_martyrs", "graves": "list_graves"}


@dataclass(frozen=True)
class Member:
    """One row of case_members-to-be: a mention and where it came from."""

    mention_id: str
    kind: str
    record_id: str
    source_ref: str  # the visit, or the list import
    anchor: str  # the linked mention it follows (itself for a linked mention)


@dataclass
class Gathered:
    mentions: list[Mention] = field(default_factory=list)  # what the model links
    members: list[Member] = field(default_factory=list)  # linked mentions and their followers

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for m in sorted(self.mentions, key=lambda m: m.mention_id):
            digest.update(json.dumps(list(m.__dict__.values()), ensure_ascii=False).encode())
        for f in sorted(self.members, key=lambda f: f.mention_id):
            digest.update(json.dumps(list(f.__dict__.values())).encode())
        return digest.hexdigest()


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()[:MAX_FIELD]


def _active_lists(conn: Connection):  # type: ignore[no-untyped-def]
    return select(list_imports.c.id).where(list_imports.c.withdrawn_at.is_(None))


def gather(conn: Connection) -> Gathered:
    """Every mention of a martyr the command holds, in a stable order."""
    out = Gathered()
    m = ix.index_martyrs
    martyrs: set[str] = set()
    for row in conn.execute(select(m).order_by(m.c.id)):
        mention_id = f"martyr:{row.id}"
        martyrs.add(row.id)
        out.mentions.append(Mention(
            mention_id, _text(row.full_name), _text(row.other_names), _text(row.birth_year),
            _text(row.home_town), _text(row.unit), _text(row.death_date),
            _text(row.death_place)))
        out.members.append(Member(mention_id, "martyr", row.id, row.visit_id, mention_id))
    r = list_rows
    rows = conn.execute(select(r).where(r.c.kind.in_(tuple(LIST_KINDS)),
                                        r.c.import_id.in_(_active_lists(conn)))
                        .order_by(r.c.id))
    for row in rows:
        mention_id = f"list:{row.id}"
        out.mentions.append(Mention(
            mention_id, _text(row.full_name), _text(row.other_names), _text(row.birth_year),
            _text(row.home_town), _text(row.unit), _text(row.death_date),
            _text(row.death_place)))
        out.members.append(Member(mention_id, LIST_KINDS[row.kind], row.id, row.import_id,
                                  mention_id))
    t = ix.index_testimonies
    for row in conn.execute(select(t.c.id, t.c.visit_id, t.c.martyr_ids).order_by(t.c.id)):
        try:
            named = json.loads(row.martyr_ids or "[]")
        except ValueError:
            named = []
        for martyr_id in sorted({str(x) for x in named if isinstance(x, str)}):
            if martyr_id in martyrs:
                out.members.append(Member(f"testimony:{row.id}:{martyr_id}", "testimony",
                                          row.id, row.visit_id, f"martyr:{martyr_id}"))
    for table, kind in ((ix.index_items, "item"), (ix.index_leads, "lead")):
        for row in conn.execute(select(table.c.id, table.c.visit_id, table.c.martyr_id)
                                .where(table.c.martyr_id.is_not(None)).order_by(table.c.id)):
            if row.martyr_id in martyrs:
                out.members.append(Member(f"{kind}:{row.id}", kind, row.id, row.visit_id,
                                          f"martyr:{row.martyr_id}"))
    return out


# --- a mention as the pages show it ------------------------------------------------------------

def records(conn: Connection, members: Iterable[Any]) -> list[dict[str, Any]]:
    """Each member (a case_members row) with its fields and its source, in a stable order:
    linked mentions first (the visits' martyrs, then list rows), then what follows them."""
    members = list(members)
    by_kind: dict[str, list[str]] = {}
    for row in members:
        by_kind.setdefault(row.kind, []).append(row.record_id)
    martyr_rows, visit_rows, list_row_rows, import_rows, extra = {}, {}, {}, {}, {}
    m, v = ix.index_martyrs, ix.index_visits
    if ids := by_kind.get("martyr"):
        for row in conn.execute(select(m).where(m.c.id.in_(ids))):
            martyr_rows[row.id] = row
    visit_ids = {row.source_ref for row in members if row.kind in ("martyr", "testimony",
                                                                      "item", "lead")}
    if visit_ids:
        for row in conn.execute(select(v.c.visit_id, v.c.visit_date, v.c.station_id,
                                       v.c.village).where(v.c.visit_id.in_(visit_ids))):
            visit_rows[row.visit_id] = row
    list_ids = by_kind.get("list_martyrs", []) + by_kind.get("list_graves", [])
    if list_ids:
        for row in conn.execute(select(list_rows).where(list_rows.c.id.in_(list_ids))):
            list_row_rows[row.id] = row
        for row in conn.execute(select(list_imports.c.id, list_imports.c.title,
                                       list_imports.c.source, list_imports.c.filename)
                                .where(list_imports.c.id.in_(
                                    {r.import_id for r in list_row_rows.values()}))):
            import_rows[row.id] = row
    for kind, table, label in (("testimony", ix.index_testimonies, "speaker_name"),
                               ("item", ix.index_items, "title"),
                               ("lead", ix.index_leads, "description")):
        if ids := by_kind.get(kind):
            for row in conn.execute(select(table.c.id, table.c[label]).where(
                    table.c.id.in_(ids))):
                extra[(kind, row.id)] = row[1]
    out = []
    for row in members:
        record: dict[str, Any] = {"mention_id": row.mention_id, "kind": row.kind,
                                  "record_id": row.record_id, "source_ref": row.source_ref,
                                  "anchor": row.anchor, "case_id": row.case_id,
                                  "fields": {}, "source": {}}
        if row.kind == "martyr" and (found := martyr_rows.get(row.record_id)) is not None:
            record["fields"] = {
                "full_name": found.full_name, "other_names": found.other_names,
                "birth_year": "" if found.birth_year is None else str(found.birth_year),
                "home_town": found.home_town, "unit": found.unit,
                "death_date": found.death_date, "death_place": found.death_place,
                "burial": found.burial_info}
        elif row.kind in ("list_martyrs", "list_graves") and (
                found := list_row_rows.get(row.record_id)) is not None:
            burial = ", ".join(x for x in (found.cemetery, found.plot and f"mộ {found.plot}")
                               if x)
            record["fields"] = {
                "full_name": found.full_name, "other_names": found.other_names,
                "birth_year": found.birth_year, "home_town": found.home_town,
                "unit": found.unit, "death_date": found.death_date,
                "death_place": found.death_place, "burial": burial}
            listed = import_rows.get(found.import_id)
            record["source"] = {"list_title": listed.title if listed else "",
                                "list_source": listed.source if listed else "",
                                "filename": listed.filename if listed else "",
                                "line": found.line, "import_id": found.import_id,
                                "cemetery": found.cemetery, "plot": found.plot}
        else:
            record["label"] = extra.get((row.kind, row.record_id), "")
        if (visit := visit_rows.get(row.source_ref)) is not None:
            record["source"] = {"visit_id": visit.visit_id, "visit_date": visit.visit_date,
                                "station_id": visit.station_id, "village": visit.village}
        out.append(record)
    order = {"martyr": 0, "list_martyrs": 1, "list_graves": 2, "testimony": 3, "item": 4,
             "lead": 5}
    out.sort(key=lambda r: (order.get(r["kind"], 9), r["mention_id"]))
    return out
