"""The witness network (COMMAND.md §5): the people who were there — witnesses and veterans named
in visits, relatives who served, the speakers of testimonies, and the rows of the veterans'
associations' lists — by unit, battle, time and place.

- ``network(...)`` answers "who else was in Trung đoàn 24 at Khe Sanh in 1968": the unit read
  with ``normalise.unit`` ("E24" = "Trung đoàn 24"), the place or battle matched folded in
  what each wrote of their battles, the years taken from the same part of that text.
- The same person told of twice (in two visits, and on a list) is found with the case linker
  (Splink, the same model and thresholds) and shown once; the pairs between "surely
  different" and "surely the same" wait in a short review list, and a person's decision
  (same / different) is recorded in ``witness_decisions`` and applied over the linker's.
- The oldest not yet recorded: a person with a birth year and no testimony of theirs at the
  command, oldest first — they may not have long.

Read from the index (rebuilt at will: its person ids are the stations' own, so decisions keep)
and from ``list_rows``; this module writes only the decisions.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from capture.names import fold
from sync.errors import SyncError
from sync.server import index as ix
from sync.server.actors import ADMIN, ANALYST, READS, Actor, require
from sync.server.cases.normalise import Unit, unit
from sync.server.casework_tables import list_imports, list_rows
from sync.server.witness_tables import witness_decisions

REVIEWERS = frozenset({ADMIN, ANALYST})
DECISIONS = ("same", "different")
REVIEW_SHOWN = 15
OLDEST_SHOWN = 25
MAX_QUERY = 200
SERVED_KINDS = ("witness", "veteran")  # relatives count when they wrote a unit or battles


_REF = re.compile(r"(?:person|speaker):[0-9A-Za-z-]{1,36}|row:[0-9a-f-]{36}:\d{1,7}")


class WitnessError(SyncError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class Witness:
    ref: str  # person:<index person id> | speaker:<testimony id> | row:<list row id>
    kind: str  # witness | veteran | relative | speaker | list
    name: str
    birth_year: int | None
    unit_text: str
    unit: Unit
    battles: str
    served: str = ""
    home_town: str = ""
    visit_id: str | None = None
    import_id: str | None = None
    import_title: str = ""
    line: int | None = None
    recorded: bool = False  # a testimony of theirs is at the command

    @property
    def said(self) -> str:
        """What they wrote of where and when, folded, for the place query."""
        return fold(f"{self.battles} ; {self.served}")


@dataclass
class Person:
    id: str
    members: list[Witness] = field(default_factory=list)

    @property
    def name(self) -> str:
        names = Counter(m.name for m in self.members if m.name)
        return max(names, key=lambda n: (names[n], len(n))) if names else ""

    @property
    def names(self) -> list[str]:
        return sorted({m.name for m in self.members if m.name} - {self.name})

    @property
    def birth_year(self) -> int | None:
        years = [m.birth_year for m in self.members if m.birth_year]
        return Counter(years).most_common(1)[0][0] if years else None

    @property
    def recorded(self) -> bool:
        return any(m.recorded for m in self.members)

    @property
    def units(self) -> list[str]:
        return sorted({m.unit_text for m in self.members if m.unit_text})

    @property
    def battles(self) -> list[str]:
        return sorted({m.battles for m in self.members if m.battles})


def _year(value: Any) -> int | None:
    from sync.server.cases.normalise import birth_year

    if isinstance(value, int):
        return value if 1880 <= value <= 2025 else None
    return birth_year(str(value or ""))


def gather(conn: Connection) -> list[Witness]:
    """Everyone the network knows, from the index and the lists (withdrawn lists have no rows)."""
    p, t = ix.index_people.c, ix.index_testimonies.c
    speakers = {r.speaker_person_id for r in conn.execute(
        select(t.speaker_person_id).where(t.speaker_person_id.is_not(None)))}
    out: list[Witness] = []
    rows = conn.execute(select(p.id, p.visit_id, p.kind, p.full_name, p.birth_year, p.unit,
                               p.battles).order_by(p.visit_id, p.position))
    for r in rows:
        if r.kind not in SERVED_KINDS and not (r.unit.strip() or r.battles.strip()):
            continue
        out.append(Witness(f"person:{r.id}", r.kind, r.full_name.strip(), _year(r.birth_year),
                           r.unit.strip(), unit(r.unit), r.battles.strip(), visit_id=r.visit_id,
                           recorded=r.id in speakers))
    for r in conn.execute(select(t.id, t.visit_id, t.speaker_name).where(
            t.speaker_person_id.is_(None), t.speaker_name != "").order_by(t.id)):
        out.append(Witness(f"speaker:{r.id}", "speaker", r.speaker_name.strip(), None, "",
                           Unit(), "", visit_id=r.visit_id, recorded=True))
    titles = dict(conn.execute(select(list_imports.c.id, list_imports.c.title)).all())
    lr = list_rows.c
    for r in conn.execute(select(lr.id, lr.import_id, lr.line, lr.full_name, lr.birth_year,
                                 lr.unit, lr.battle, lr.served, lr.home_town)
                          .where(lr.kind == "witnesses").order_by(lr.import_id, lr.line)):
        out.append(Witness(f"row:{r.id}", "list", r.full_name, _year(r.birth_year), r.unit,
                           unit(r.unit), r.battle, r.served, r.home_town,
                           import_id=r.import_id, import_title=titles.get(r.import_id, ""),
                           line=r.line))
    return out


# --- the query ------------------------------------------------------------------------------

_PARTS = ("company", "battalion", "regiment", "division")  # finest first


def unit_matches(asked: Unit, have: Unit) -> bool:
    """The finest part asked must be theirs; the coarser parts asked may be missing on their
    side ("E24" was in "F304" as far as anyone knows) but not different."""
    if asked.tnxp is not None:
        return have.tnxp == asked.tnxp
    wanted = [(name, getattr(asked, name)) for name in _PARTS if getattr(asked, name) is not None]
    if not wanted:
        return False
    finest, value = wanted[0]
    if getattr(have, finest) != value:
        return False
    return all(getattr(have, name) in (None, value) for name, value in wanted[1:])


_RANGE = re.compile(r"(?<!\d)(1[89]\d\d|20[0-2]\d)\s*(?:-|–|—|den|toi|to)\s*"
                    r"(1[89]\d\d|20[0-2]\d)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20[0-2]\d)(?!\d)")


def years_in(folded: str) -> set[int]:
    found: set[int] = set()
    for start, end in _RANGE.findall(folded):
        a, b = int(start), int(end)
        if a <= b <= a + 40:
            found.update(range(a, b + 1))
    found.update(int(y) for y in _YEAR.findall(folded))
    return found


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text)


def place_and_years(witness: Witness, place: str) -> tuple[bool, set[int]]:
    """Whether they wrote of the place (folded, spaces aside: "Khe Sanh" = "khesanh"), and
    the years written in the same part of the text (else anywhere in it)."""
    said = witness.said
    if not place:
        return True, years_in(said)
    wanted = _compact(fold(place))
    parts = [part for part in re.split(r"[,;\n]", said) if wanted in _compact(part)]
    if not parts:
        return False, set()
    years = set().union(*(years_in(part) for part in parts))
    return True, years or years_in(said)


@dataclass
class Answer:
    person: Person
    years: set[int]
    year_written: bool  # False: they did not say when (shown apart, not left out)


def ask(persons: list[Person], unit_text: str = "", place: str = "",
        year_from: int | None = None, year_to: int | None = None) -> list[Answer]:
    asked = unit(unit_text) if unit_text.strip() else None
    folded_unit = _compact(fold(unit_text))
    answers: list[Answer] = []
    for person in persons:
        if asked is not None:
            if asked == Unit():  # no c/d/e/f in it: the text itself ("Đoàn 559")
                if not any(folded_unit in _compact(fold(m.unit_text)) for m in person.members):
                    continue
            elif not any(unit_matches(asked, m.unit) for m in person.members):
                continue
        seen = [place_and_years(m, place) for m in person.members]
        if not any(found for found, _years in seen):
            continue
        years = set().union(*(y for found, y in seen if found))
        if year_from is not None or year_to is not None:
            low, high = year_from or 1880, year_to or 2030
            if years and not any(low <= y <= high for y in years):
                continue
        answers.append(Answer(person, years, bool(years)))
    answers.sort(key=lambda a: (not a.year_written, a.person.birth_year or 9999, a.person.name))
    return answers


# --- one person, many mentions --------------------------------------------------------------

@dataclass
class Pair:
    left: Witness
    right: Witness
    probability: float
    agreed: list[str]  # the comparisons that spoke for the pair


_LINKED: dict[str, Any] = {}  # digest of the witnesses -> the linker's answer (pure, bounded)


def _linkage(witnesses: list[Witness]):  # type: ignore[no-untyped-def]
    from sync.server.cases.linker import link_table
    from sync.server.cases.mentions import Mention, feature_table
    from sync.server.cases.normalise import admin_index

    mentions = [Mention(w.ref, w.name, "", str(w.birth_year or ""), w.home_town, w.unit_text)
                for w in witnesses if w.name]
    digest = hashlib.sha256(repr(mentions).encode()).hexdigest()
    if digest not in _LINKED:
        if len(_LINKED) >= 4:
            _LINKED.pop(next(iter(_LINKED)))
        _LINKED[digest] = link_table(feature_table(mentions, admin_index()), train_model=False,
                                     threads=2)
    return _LINKED[digest]


def decisions(conn: Connection) -> dict[tuple[str, str], str]:
    """The latest decision on each pair."""
    d = witness_decisions.c
    latest: dict[tuple[str, str], str] = {}
    for r in conn.execute(select(d.left_ref, d.right_ref, d.decision).order_by(d.at, d.id)):
        latest[(r.left_ref, r.right_ref)] = r.decision
    return latest


def persons_of(witnesses: list[Witness], decided: dict[tuple[str, str], str]
               ) -> tuple[list[Person], list[Pair]]:
    """The witnesses as persons (the linker's links, then the recorded decisions over them)
    and the pairs still waiting for a person, strongest first."""
    from sync.server.cases.linker import cluster

    by_ref = {w.ref: w for w in witnesses}
    linkage = _linkage(witnesses)
    ids = list(by_ref)
    edges = [(a, b, 2.0) for (a, b), what in decided.items()
             if what == "same" and a in by_ref and b in by_ref]
    groups: dict[str, list[str]] = {}
    for ref, case in linkage.case_of.items():
        groups.setdefault(case, []).append(ref)
    for members in groups.values():  # each case as a star on its smallest mention
        head = min(members)
        edges.extend((head, m, 1.0) for m in members if m != head)
    conflicts = [pair for pair, what in decided.items() if what == "different"]
    clusters, _held = cluster(ids, edges, [(a, b) for a, b in conflicts
                                           if a in by_ref and b in by_ref])
    persons = [Person(min(c), [by_ref[r] for r in sorted(c)]) for c in clusters]
    where = {ref: person.id for person in persons for ref in (m.ref for m in person.members)}
    waiting: list[Pair] = []
    for pair in linkage.review:
        key = tuple(sorted((pair.left, pair.right)))
        if key in decided or pair.left not in by_ref or pair.right not in by_ref:
            continue
        if where[pair.left] == where[pair.right] and not pair.held_apart and \
                pair.match_probability >= float(linkage.model["thresholds"]["surely_same"]):
            continue
        agreed = [label for label, weight in pair.reasons.values() if weight > 0]
        waiting.append(Pair(by_ref[key[0]], by_ref[key[1]], pair.match_probability, agreed))
    return persons, waiting


def record_decision(conn: Connection, actor: Actor, left: str, right: str, decision: str,
                    now: datetime, note: str = "") -> None:
    require(actor, REVIEWERS, "decide on witnesses")
    if decision not in DECISIONS:
        raise WitnessError("bad_decision", f"decision must be one of {', '.join(DECISIONS)}")
    if not (_REF.fullmatch(left) and _REF.fullmatch(right)) or left == right:
        raise WitnessError("bad_pair", "not a pair of witnesses")
    a, b = sorted((left, right))
    conn.execute(insert(witness_decisions).values(
        left_ref=a, right_ref=b, decision=decision, username=actor.username, role=actor.role,
        at=now, note=note.strip()[:2000]))


def network(conn: Connection, actor: Actor, *, unit_text: str = "", place: str = "",
            year_from: int | None = None, year_to: int | None = None,
            now: datetime) -> dict[str, Any]:
    """The page's answer: the query's persons, the oldest not yet recorded, the pairs to
    review, and how many witnesses and persons there are."""
    require(actor, READS, "read the witness network")
    unit_text, place = unit_text.strip()[:MAX_QUERY], place.strip()[:MAX_QUERY]
    for year in (year_from, year_to):
        if year is not None and not 1880 <= year <= 2030:
            raise WitnessError("bad_year", "a year between 1880 and 2030")
    witnesses = gather(conn)
    persons, waiting = persons_of(witnesses, decisions(conn))
    asked = bool(unit_text or place or year_from or year_to)
    answers = ask(persons, unit_text, place, year_from, year_to) if asked else []
    oldest = sorted((p for p in persons if p.birth_year and not p.recorded),
                    key=lambda p: (p.birth_year, p.name))[:OLDEST_SHOWN]
    return {"answers": answers, "asked": asked, "oldest": oldest, "now_year": now.year,
            "review": waiting[:REVIEW_SHOWN], "waiting": len(waiting),
            "witnesses": len(witnesses), "persons": len(persons)}
