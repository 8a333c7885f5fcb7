"""A case's DNA follow-up: the relatives the visits recorded (who is willing), whether each is
on the martyr's maternal line — the mitochondrial DNA a laboratory compares with remains
passes from a mother to all her children — and each step of a sample: collected (its code,
when, by whom), sent (to which laboratory), the result (a match to a grave, no match,
inconclusive). Every step is one row of ``dna_steps`` (sync/server/casework_tables.py) with
who entered it and when; the steps of a sample come in order.

Maternal-line eligibility is read from the relation as the station wrote it ("mẹ", "em gái
ruột", "dì", "bà ngoại"): the martyr's mother, maternal grandmother, siblings with the same
mother, the mother's siblings. A relation that does not tell ("em gái" — same mother?; "bác"
— which side?) is "unknown", never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select

from sync.server import index as ix
from sync.server.actors import CONTACTS, READS, Actor, may, require
from sync.server.cases.casework import CaseError, CaseNotFound
from sync.server.cases.tables import OPEN, case_members, cases
from sync.server.casework_tables import DNA_RESULTS, DNA_STEPS, dna_steps

YES, NO, UNKNOWN = "yes", "no", "unknown"
MATERNAL = ("mother", "maternal_grandmother", "same_mother_sibling", "mother_sibling")
RELATIONS = (*MATERNAL, "sibling", "parent_sibling", "child", "not_maternal", "other")
MAX_TEXT = 500

_SIB = r"(?:anh|chị|em)(?: trai| gái)?"
# First match wins: the specific phrases before the words they contain.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"cùng cha khác mẹ|khác mẹ", "not_maternal"),
    (r"dì ghẻ|mẹ kế|mẹ ghẻ|mẹ nuôi|mẹ vợ|mẹ chồng", "not_maternal"),
    (r"mẹ của mẹ|bà ngoại", "maternal_grandmother"),
    (r"cùng mẹ|khác cha", "same_mother_sibling"),
    (rf"^{_SIB} (?:ruột )?(?:của |ruột của )?(?:mẹ|má)\b", "mother_sibling"),
    (rf"^{_SIB} (?:ruột )?(?:của |ruột của )?(?:bố|cha|ba)\b", "not_maternal"),
    (rf"^{_SIB} ruột\b|^{_SIB} cùng cha mẹ", "same_mother_sibling"),
    (rf"^{_SIB}(?: (?:của )?liệt sĩ)?$|^{_SIB} (?:út|cả|thứ)", "sibling"),
    (r"^(?:dì|cậu)\b", "mother_sibling"),
    (r"^(?:mẹ|má|mạ|u|bầm|bu)(?: ruột| đẻ| (?:của )?liệt sĩ)?$", "mother"),
    (r"^(?:bố|cha|ba|thầy|tía)\b|^(?:vợ|chồng)\b|^(?:cô|chú)\b|bà nội|ông nội|ông ngoại",
     "not_maternal"),
    (r"^bác\b", "parent_sibling"),
    (r"^(?:con|cháu)\b", "child"),
))


def relation_of(text: str) -> tuple[str, str]:
    """(relation, maternal line: yes | no | unknown) from the relation as written."""
    words = " ".join(unicodedata.normalize("NFC", text or "").lower().split())
    words = re.sub(r"[^\w ]+", " ", words).strip()
    words = " ".join(words.split())
    for pattern, relation in _RULES:
        if pattern.search(words):
            return relation, eligibility(relation)
    return "other", UNKNOWN


def eligibility(relation: str) -> str:
    if relation in MATERNAL:
        return YES
    return NO if relation == "not_maternal" else UNKNOWN


def _martyrs_of(conn: Connection, case_id: str) -> list[str]:
    return list(conn.execute(select(case_members.c.record_id).where(
        case_members.c.case_id == case_id, case_members.c.kind == "martyr")).scalars())


def relatives(conn: Connection, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    """The people the visits recorded for this case's martyrs: those linked to the martyr,
    and the relatives of a visit that told of this martyr alone. Contact details only for
    the roles that follow leads up."""
    require(actor, READS, "read cases")
    martyrs = _martyrs_of(conn, case_id)
    if not martyrs:
        return []
    p, m = ix.index_people, ix.index_martyrs
    visits = select(m.c.visit_id).where(m.c.id.in_(martyrs))
    single = (select(m.c.visit_id).where(m.c.visit_id.in_(visits)).group_by(m.c.visit_id)
              .having(func.count() == 1))
    rows = conn.execute(select(p).where(or_(
        p.c.martyr_id.in_(martyrs),
        and_(p.c.martyr_id.is_(None), p.c.kind == "relative", p.c.visit_id.in_(single))))
        .order_by(p.c.dna_willing.desc(), p.c.visit_id, p.c.position)).all()
    contacts = may(actor, CONTACTS)
    out = []
    for row in rows:
        relation, eligible = relation_of(row.relationship)
        out.append({"person_id": row.id, "visit_id": row.visit_id, "kind": row.kind,
                    "full_name": row.full_name, "relationship": row.relationship,
                    "birth_year": row.birth_year, "dna_willing": bool(row.dna_willing),
                    "relation": relation, "maternal": eligible,
                    "dna_contact": row.dna_contact if contacts else None,
                    "phone": row.phone if contacts else None})
    return out


def samples(conn: Connection, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    """The case's samples, each with its steps in order and where it stands."""
    require(actor, READS, "read cases")
    rows = conn.execute(select(dna_steps).where(dna_steps.c.case_id == case_id)
                        .order_by(dna_steps.c.at, dna_steps.c.id)).all()
    by_code: dict[str, dict[str, Any]] = {}
    for row in rows:
        sample = by_code.setdefault(row.sample_code, {
            "sample_code": row.sample_code, "relative_name": row.relative_name,
            "relation": row.relation, "person_id": row.person_id, "steps": []})
        sample["steps"].append(dict(row._mapping))
    for sample in by_code.values():
        done = [s["step"] for s in sample["steps"]]
        sample["stage"] = done[-1]
        sample["next"] = DNA_STEPS[len(done)] if len(done) < len(DNA_STEPS) else None
    return list(by_code.values())


def _clean(value: Any, limit: int = MAX_TEXT) -> str:
    return " ".join(str(value or "").split())[:limit]


def record_step(conn: Connection, actor: Actor, case_id: str, step: str, now: datetime, *,
                at: datetime, sample_code: str, person_id: str | None = None,
                relative_name: str = "", relation: str = "", laboratory: str = "",
                result: str | None = None, grave_ref: str = "", note: str = "") -> int:
    """One step of a sample, in order: collected (a new code, from a relative of the case),
    then sent (to a laboratory), then its result. The step's id."""
    require(actor, CONTACTS, "record DNA steps")
    row = conn.execute(select(cases.c.state, cases.c.merged_into).where(cases.c.id == case_id)
                       ).first()
    if row is None:
        raise CaseNotFound("case")
    if row.state != OPEN:
        raise CaseError("not_open", f"the case is {row.state}")
    if step not in DNA_STEPS:
        raise CaseError("bad_step", "the step is collected, sent or result")
    code = _clean(sample_code, 64)
    if not code:
        raise CaseError("no_sample_code", "a sample needs its code")
    if at.tzinfo is None or at > now + timedelta(days=1):
        raise CaseError("bad_date", "the date is in the future")
    earlier = conn.execute(select(dna_steps).where(dna_steps.c.sample_code == code)
                           .order_by(dna_steps.c.id)).all()
    done = [s.step for s in earlier if s.case_id == case_id]
    if step == "collected":
        if earlier:
            raise CaseError("code_taken", "this sample code is already recorded")
        relative = _relative(conn, actor, case_id, person_id, relative_name, relation)
        person_id, relative_name, relation = relative
    else:
        need = DNA_STEPS[DNA_STEPS.index(step) - 1]
        if not earlier or earlier[0].case_id != case_id:
            raise CaseError("no_sample", "no sample with this code was collected for the case")
        if step in done:
            raise CaseError("step_done", f"this sample's {step} step is recorded already")
        if done[-1] != need:
            raise CaseError("out_of_order", f"record {need} before {step}")
        last = earlier[-1]
        if _aware(at) < _aware(last.at):
            raise CaseError("bad_date", "a step cannot be before the one it follows")
        person_id, relative_name, relation = last.person_id, last.relative_name, last.relation
    laboratory = _clean(laboratory)
    if step == "sent" and not laboratory:
        raise CaseError("no_laboratory", "say which laboratory the sample went to")
    if step == "result":
        if result not in DNA_RESULTS:
            raise CaseError("bad_result", "the result is match, no match or inconclusive")
        if result == "match" and not _clean(grave_ref):
            raise CaseError("no_grave", "a match names the grave or remains it matched")
    else:
        result = None
    return int(conn.execute(insert(dna_steps).values(
        case_id=case_id, person_id=person_id, relative_name=relative_name,
        relation=relation, step=step, sample_code=code, at=at, recorded_at=now,
        username=actor.username, laboratory=laboratory, result=result,
        grave_ref=_clean(grave_ref), note=_clean(note, 2000))).inserted_primary_key[0])


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _relative(conn: Connection, actor: Actor, case_id: str, person_id: str | None,
              name: str, relation: str) -> tuple[str | None, str, str]:
    if person_id:
        found = next((r for r in relatives(conn, actor, case_id)
                      if r["person_id"] == person_id), None)
        if found is None:
            raise CaseError("not_a_relative", "this person is not a relative of the case")
        return person_id, found["full_name"][:MAX_TEXT], found["relation"]
    name = _clean(name)
    if not name:
        raise CaseError("no_relative", "say whose sample it is")
    if relation not in RELATIONS:
        raise CaseError("bad_relation", "choose the relation to the martyr")
    return None, name, relation
