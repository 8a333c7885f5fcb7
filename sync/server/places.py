"""Place names in what people wrote or said, matched to points: administrative units (the
communes, wards and districts of before and after the 2025 reorganisation, with the centres
``vietnamadminunits`` publishes, through sync.server.cases.normalise's AdminIndex) and the
register of places the command curates (cemeteries, battlefields, hills, roads, rivers: name,
aliases, kind, point, uncertainty, source), kept in ``place_register`` (migration 0010).

A match becomes a proposed coordinate of the lead like a numeric one (leads.refresh_proposals),
with the unit's centre or the register's point and a large radius, and a plausibility well below
a written coordinate's (``PLAUSIBILITY``): a place name says where to look, not where the grave
is. Matching is diacritic-insensitive (folded text, same length as the original, so spans map
back) and abbreviation-aware ("NTLS", "x.", "h.", "TP", "QL").
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from capture.coords import WGS84, distance_m, fold
from sync.errors import SyncError
from sync.server.actors import ADMIN, READS, Actor, require
from sync.server.store import metadata

KINDS = ("cemetery", "battlefield", "hill", "road", "river", "bridge", "base", "other")
EDITORS = frozenset({ADMIN})
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_ALIASES = 20
MAX_RADIUS_M = 100_000.0
# Below every written coordinate (1.0 for the reading as written): a name says where to look.
PLAUSIBILITY = {"register": 0.3, "commune": 0.2, "district": 0.1}

place_register = Table(
    "place_register", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("kind", String(16), nullable=False, index=True),
    Column("latitude", Float, nullable=False),  # WGS 84
    Column("longitude", Float, nullable=False),
    Column("uncertainty_m", Float, nullable=False),
    Column("province", Text, nullable=False),
    Column("source", Text, nullable=False),  # where the point comes from
    Column("note", Text, nullable=False),
    Column("folded", String(200), nullable=False, unique=True),  # the name folded: one entry
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class PlaceError(SyncError):
    """A register entry that cannot be kept so; ``code`` names why (the page's sentence)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


# --- the register -------------------------------------------------------------------------------

def _clean(value: Any, limit: int) -> str:
    import unicodedata

    text = unicodedata.normalize("NFC", str(value if value is not None else "")).strip()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")[:limit]


def checked(values: dict[str, Any]) -> dict[str, Any]:
    """A register entry as it is kept, or PlaceError: a name, a known kind, a point in WGS 84
    degrees, a radius above 0 and at most 100 km, and where the point comes from."""
    name = _clean(values.get("name"), 200)
    if not name:
        raise PlaceError("no_name", "a place needs its name")
    kind = _clean(values.get("kind"), 16) or "other"
    if kind not in KINDS:
        raise PlaceError("bad_kind", f"kind must be one of {', '.join(KINDS)}")
    raw = values.get("aliases") or []
    if isinstance(raw, str):
        raw = re.split(r"[|;\n]", raw)
    aliases = [a for a in dict.fromkeys(_clean(a, 200) for a in raw) if a and a != name]
    if len(aliases) > MAX_ALIASES:
        raise PlaceError("bad_aliases", f"at most {MAX_ALIASES} aliases")
    try:
        lat = float(str(values.get("latitude", "")).replace(",", "."))
        lon = float(str(values.get("longitude", "")).replace(",", "."))
        radius = float(str(values.get("uncertainty_m", "")).replace(",", "."))
    except ValueError:
        raise PlaceError("bad_point", "latitude, longitude and radius are numbers") from None
    if not all(math.isfinite(x) for x in (lat, lon, radius)) or not (
            -90 <= lat <= 90 and -180 <= lon <= 180):
        raise PlaceError("bad_point", "latitude or longitude out of range")
    if not 0 < radius <= MAX_RADIUS_M:
        raise PlaceError("bad_radius", "the radius must be above 0 and at most 100 km")
    source = _clean(values.get("source"), 1000)
    if not source:
        raise PlaceError("no_source", "say where the point comes from")
    return {"name": name, "aliases": json.dumps(aliases, ensure_ascii=False), "kind": kind,
            "latitude": lat, "longitude": lon, "uncertainty_m": radius,
            "province": _clean(values.get("province"), 100), "source": source,
            "note": _clean(values.get("note"), 2000), "folded": " ".join(fold(name).split())}


def list_places(conn: Connection, actor: Actor, q: str = "") -> list[dict[str, Any]]:
    require(actor, READS, "see the register of places")
    rows = [_row(r) for r in conn.execute(select(place_register).order_by(
        place_register.c.folded))]
    words = fold(q or "").split()
    if words:
        rows = [r for r in rows if all(w in fold(" ".join([r["name"], *r["aliases"]]))
                                       for w in words)]
    return rows


def _row(r: Any) -> dict[str, Any]:
    return {**dict(r._mapping), "aliases": json.loads(r.aliases)}


def get_place(conn: Connection, actor: Actor, place_id: int) -> dict[str, Any]:
    require(actor, READS, "see the register of places")
    row = conn.execute(select(place_register).where(place_register.c.id == place_id)).first()
    if row is None:
        raise PlaceError("not_found", f"no place {place_id}")
    return _row(row)


def save_place(conn: Connection, actor: Actor, values: dict[str, Any], now: datetime,
               place_id: int | None = None) -> int:
    """Add an entry (or change ``place_id``); one entry per name (folded)."""
    require(actor, EDITORS, "change the register of places")
    entry = checked(values)
    other = conn.execute(select(place_register.c.id).where(
        place_register.c.folded == entry["folded"])).scalar()
    if other is not None and other != place_id:
        raise PlaceError("duplicate", f"{entry['name']!r} is in the register already")
    stamp = {"updated_by": actor.username, "updated_at": now}
    if place_id is None:
        return int(conn.execute(insert(place_register).values(**entry, **stamp))
                   .inserted_primary_key[0])
    get_place(conn, actor, place_id)
    conn.execute(update(place_register).where(place_register.c.id == place_id).values(
        **entry, **stamp))
    return place_id


def delete_place(conn: Connection, actor: Actor, place_id: int) -> None:
    require(actor, EDITORS, "change the register of places")
    get_place(conn, actor, place_id)
    conn.execute(delete(place_register).where(place_register.c.id == place_id))


def import_csv(conn: Connection, actor: Actor, data: bytes, now: datetime) -> dict[str, Any]:
    """A register CSV (UTF-8, a header row: name, aliases ('|' between), kind, latitude,
    longitude, uncertainty_m, province, source, note): each row added, or the entry of that
    name replaced. All rows or none: a bad row refuses the file, with its line."""
    require(actor, EDITORS, "change the register of places")
    if len(data) > MAX_CSV_BYTES:
        raise PlaceError("too_large", "the file is larger than 2 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlaceError("not_utf8", "the file is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"name", "latitude", "longitude", "uncertainty_m", "source"} - set(
        reader.fieldnames or [])
    if missing:
        raise PlaceError("bad_header", f"the header lacks {', '.join(sorted(missing))}")
    added = replaced = 0
    for line, row in enumerate(reader, 2):
        if line - 1 > MAX_ROWS:
            raise PlaceError("too_many", f"at most {MAX_ROWS} rows")
        try:
            entry = checked(row)
        except PlaceError as e:
            raise PlaceError(e.code, f"line {line}: {e.detail}") from None
        existing = conn.execute(select(place_register.c.id).where(
            place_register.c.folded == entry["folded"])).scalar()
        save_place(conn, actor, row, now, existing)
        added, replaced = (added + 1, replaced) if existing is None else (added, replaced + 1)
    return {"added": added, "replaced": replaced}


# --- matching -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a text, read as a point: the same fields as a capture.coords
    Coordinate, so it is stored as a proposal beside the numeric ones."""

    lat: float
    lon: float
    uncertainty_m: float
    start: int
    end: int
    text: str
    plausibility: float
    notes: tuple[str, ...]
    notation: str = "place"
    datum: str = WGS84
    rank: int = 1
    candidates: int = 1
    projection: str = ""


# Words that begin a place's name, and how people shorten them (folded).
_KIND_WORDS = (
    ("nghia trang liet si", r"(?:nghia\s+trang\s+liet\s+si|ntls|n\.\s*t\.?\s*l\.?\s*s\.?)"),
    ("nghia trang", r"(?:nghia\s+trang(?:\s+liet\s+si)?|ntls|nt\.?)"),
    ("cao diem", r"(?:cao\s+diem|diem\s+cao|cd\.?)"),
    ("thanh co", r"(?:thanh\s+co|co\s+thanh)"),
    ("can cu", r"(?:can\s+cu|cc\.?)"),
    ("duong", r"(?:duong|quoc\s+lo|ql\.?|d\.)"),
    ("quoc lo", r"(?:quoc\s+lo|ql\.?|duong)"),
    ("song", r"(?:song|s\.)"),
    ("cau", r"(?:cau)"),
)
_B, _E = r"(?<![a-z0-9])", r"(?![a-z0-9])"


def _alias_pattern(alias: str) -> str:
    words = " ".join(fold(alias).split())
    head = ""
    for word, alternatives in _KIND_WORDS:
        if words == word or words.startswith(word + " "):
            head, words = alternatives + r"\s*", words[len(word):].strip()
            break
    body = r"[\s\-]+".join(re.escape(w) for w in words.split())
    return head + body


@dataclass
class Register:
    """The register's entries as patterns, made once per refresh."""

    entries: list[dict[str, Any]]
    patterns: list[tuple[re.Pattern[str], dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for entry in self.entries:
            names = sorted({entry["name"], *entry["aliases"]}, key=len, reverse=True)
            joined = "|".join(_alias_pattern(n) for n in names if fold(n).strip())
            if joined:
                self.patterns.append((re.compile(_B + "(?:" + joined + ")" + _E), entry))


def load_register(conn: Connection) -> Register:
    return Register([_row(r) for r in conn.execute(select(place_register))])


# Matched on the text folded with its capitals kept (fold_case): a name is capitalised words.
_UNIT = (r"(?i:xa|phuong|thi\s+tran|thi\s+xa|huyen|quan|tinh|thanh\s+pho|tp\.?|tx\.?|tt\.?|"
         r"h\.|x\.|p\.|q\.|t\.)")
_NAME = r"[A-Z][a-z]*(?:[ \-][A-Z0-9][a-z0-9]*){0,3}"
# A commune, ward or district written with its unit word: "xã Cam Chính, huyện Cam Lộ".
_CHAIN = re.compile(_B + _UNIT + r"\s*" + _NAME + r"(?:\s*[,\-]\s*(?:" + _UNIT + r"\s*)?"
                    + _NAME + r")*")
# Names and their province: "Cam Lộ, Quảng Trị" (the province last).
_PAIR = re.compile(r"(?<![A-Za-z0-9])" + _NAME + r"(?:\s*,\s*" + _NAME + r")+")
# A name after a word that says "where": "ở Khe Sanh", "tại Cam Lộ".
_CUED = re.compile(_B + r"(?i:o|tai|gan|vung|khu\s+vuc|thuoc|quanh)\s+(?P<name>" + _NAME
                   + r")")


def fold_case(text: str) -> str:
    """fold() keeping which letters were capitals (same length): 'Đồi Cò' → 'Doi Co'."""
    return "".join(f.upper() if o.isupper() else f for o, f in zip(text, fold(text), strict=True))


@cache
def _centres() -> dict[str, Any]:
    """The units' centres from vietnamadminunits' tables (read once): new wards by (province,
    ward), old wards by (old province, district, ward), old districts by (old province,
    district); and which old provinces each new one took in."""
    from sync.server.cases.normalise import admin_index

    admin = admin_index()
    new_wards = {(p, w): (i["wardLat"], i["wardLon"], i["ward"])
                 for p, wards in admin.new["DICT_PROVINCE_WARD_NO_ACCENTED"].items()
                 for w, i in wards.items() if i.get("wardLat") is not None}
    old_wards = {(p, d, w): (i["wardLat"], i["wardLon"], i["ward"])
                 for p, ds in admin.legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].items()
                 for d, wards in ds.items() for w, i in wards.items()
                 if i.get("wardLat") is not None}
    districts = {(p, d): (i["districtLat"], i["districtLon"], i["district"])
                 for p, ds in admin.legacy["DICT_PROVINCE_DISTRICT"].items()
                 for d, i in ds.items() if i.get("districtLat") is not None}
    olds: dict[str, list[str]] = {}
    for old, new in admin.old_to_new_province.items():
        olds.setdefault(new, []).append(old)
    # Neighbours, for a unit's extent: new wards by province, old wards by district, old
    # districts by province.
    groups: dict[tuple[str, ...], list[tuple[float, float]]] = {}
    for (p, _w), v in new_wards.items():
        groups.setdefault(("new", p), []).append((v[0], v[1]))
    for (p, d, _w), v in old_wards.items():
        groups.setdefault(("old", p, d), []).append((v[0], v[1]))
    for (p, _d), v in districts.items():
        groups.setdefault(("district", p), []).append((v[0], v[1]))
    by_code = {int(i["wardCode"]): (i["wardLat"], i["wardLon"])
               for wards in admin.new["DICT_PROVINCE_WARD_NO_ACCENTED"].values()
               for i in wards.values()
               if i.get("wardLat") is not None and str(i.get("wardCode", "")).isdigit()}
    return {"admin": admin, "new_wards": new_wards, "old_wards": old_wards,
            "districts": districts, "olds": olds, "groups": groups, "by_code": by_code}


def commune_centre(ward_code: int | None) -> tuple[float, float] | None:
    """The centre of a 2025 commune or ward by its code (vietnam-provinces' codes): the visit's
    commune, which ranks a name's readings (the nearer first)."""
    return _centres()["by_code"].get(int(ward_code)) if ward_code is not None else None


def _radius(point: tuple[float, float], others: Iterable[tuple[float, float]],
            low: float, high: float) -> float:
    """A unit's extent from its neighbours: the distance to the nearest other centre (about
    its width), within [low, high] metres."""
    nearest = min((distance_m(point[0], point[1], o[0], o[1]) for o in others
                   if o != point), default=high)
    return max(low, min(high, nearest))


def _admin_readings(span: str) -> list[tuple[float, float, float, str, str]]:
    """(lat, lon, radius, level, note) for each unit the span may name, finest first."""
    c = _centres()
    town = c["admin"].home_town(span)
    if not town.province:
        return []
    out = []
    olds = c["olds"].get(town.province, [town.province])
    if town.old_ward:
        district, ward = town.old_ward.split("_", 1)
        for prov in olds:
            found = c["old_wards"].get((prov, district, ward))
            if found:
                near = c["groups"][("old", prov, district)]
                now_name = c["new_wards"].get((town.province, town.ward), (0, 0, ""))[2]
                out.append((found[0], found[1], _radius(found[:2], near, 1500, 15_000),
                            "commune", f"commune named: {found[2]} (before 2025)"
                            + (f", now {now_name}" if now_name else "")))
                break
    if town.ward and not town.old_ward:
        found = c["new_wards"].get((town.province, town.ward))
        if found:
            near = c["groups"][("new", town.province)]
            out.append((found[0], found[1], _radius(found[:2], near, 2000, 25_000),
                        "commune", f"commune named: {found[2]}"))
    if town.district and not town.old_ward:
        for prov in olds:
            found = c["districts"].get((prov, town.district))
            if found:
                near = c["groups"][("district", prov)]
                out.append((found[0], found[1], _radius(found[:2], near, 8000, 40_000),
                            "district", f"district named: {found[2]} (before 2025)"))
                break
        # After 2025 many communes took the old district's name ("Cam Lộ, Quảng Trị").
        word = re.sub(r"^(?:huyen|quan|thixa|thanhpho)", "", town.district)
        for w in (word, f"xa{word}", f"phuong{word}"):
            found = c["new_wards"].get((town.province, w))
            if found:
                near = c["groups"][("new", town.province)]
                out.insert(0, (found[0], found[1], _radius(found[:2], near, 2000, 25_000),
                               "commune", f"commune named: {found[2]}"))
                break
    return out


def find_places(text: str, province: str = "", register: Register | None = None,
                reference: tuple[float, float] | None = None) -> list[PlaceMatch]:
    """Every place named in ``text``: register entries, then units written with their unit
    word, then names after "ở", "tại", "gần" … read in ``province`` (the visit's) when the text
    names none. Each span's readings ranked (finest and nearest ``reference`` first)."""
    import unicodedata

    text = unicodedata.normalize("NFC", text or "")[:20_000]
    folded, cased = fold(text), fold_case(text)
    spans: list[tuple[int, int, list[tuple[float, float, float, float, tuple[str, ...]]]]] = []
    taken = [False] * len(text)

    def take(start: int, end: int) -> None:
        taken[start:end] = [True] * (end - start)

    for pattern, entry in (register.patterns if register else []):
        for m in pattern.finditer(folded):
            if any(taken[m.start():m.end()]):
                continue
            spans.append((m.start(), m.end(), [(
                entry["latitude"], entry["longitude"], entry["uncertainty_m"],
                PLAUSIBILITY["register"],
                (f"place in the register: {entry['name']} ({entry['kind']}); source: "
                 f"{entry['source'][:200]}",))]))
            take(m.start(), m.end())
    # (start, end, weight, whether the visit's province may complete it): "Name, Name" alone
    # must end with its province, or it is a list of people.
    matches = [(m.start(), m.end(), 1.0, True) for m in _CHAIN.finditer(cased)]
    matches += [(m.start(), m.end(), 1.0, False) for m in _PAIR.finditer(cased)]
    matches += [(m.start("name"), m.end("name"), 0.8, True) for m in _CUED.finditer(cased)]
    for start, end, weight, completed in matches:
        if any(taken[start:end]):
            continue
        span = text[start:end]
        readings = _admin_readings(span)
        if not readings and completed and province and fold(span).strip() != fold(
                province).strip():
            readings = [(*r[:4], r[4] + f"; province not written: {province} assumed")
                        for r in _admin_readings(f"{span}, {province}")]
        if readings:
            spans.append((start, end, [(lat, lon, radius, PLAUSIBILITY[level] * weight,
                                        (note, "the unit's centre, not the place"))
                                       for lat, lon, radius, level, note in readings]))
            take(start, end)
    out: list[PlaceMatch] = []
    for start, end, readings in sorted(spans, key=lambda s: s[0]):
        scored = []
        for lat, lon, radius, prior, notes in readings:
            score = prior
            if reference is not None:
                score *= 1 / (1 + distance_m(lat, lon, *reference) / 30_000)
            scored.append((score, lat, lon, radius, notes))
        scored.sort(key=lambda s: -s[0])
        for rank, (score, lat, lon, radius, notes) in enumerate(scored, 1):
            out.append(PlaceMatch(lat, lon, radius, start, end, text[start:end], score, notes,
                                  rank=rank, candidates=len(scored)))
    return out


# --- the notes' codes (what the workbench translates) -------------------------------------------

_NOTE_CODES = (
    ("place_register", re.compile(r"place in the register: (?P<name>.+) \((?P<kind>\w+)\); "
                                  r"source: (?P<source>.*)")),
    ("place_old_commune", re.compile(r"commune named: (?P<unit>.+) \(before 2025\), "
                                     r"now (?P<now>.+?)(?:;|$)")),
    ("place_old_commune_gone", re.compile(r"commune named: (?P<unit>.+) \(before 2025\)")),
    ("place_commune", re.compile(r"commune named: (?P<unit>[^;]+)")),
    ("place_district", re.compile(r"district named: (?P<unit>.+) \(before 2025\)")),
    ("place_centre", re.compile(r"the unit's centre, not the place")),
)
_PROVINCE_ASSUMED = re.compile(r"; province not written: (?P<province>.+) assumed$")


def note_codes(note: str) -> list[dict[str, Any]]:
    """A place note as codes with their values ({"code": …, "params": {…}}); [] if not one."""
    out = []
    assumed = _PROVINCE_ASSUMED.search(note)
    head = note[:assumed.start()] if assumed else note
    for code, pattern in _NOTE_CODES:
        found = pattern.fullmatch(head) or (pattern.match(head) if code == "place_commune"
                                            else None)
        if found:
            out.append({"code": code, "params": found.groupdict()})
            break
    if assumed:
        out.append({"code": "place_province_assumed", "params": assumed.groupdict()})
    return out
