"""Dates, years, home towns and military units as people write them, made comparable.

Home towns go through the 2025 reorganisation: an old commune ("xã Cam Chính, huyện Cam Lộ,
tỉnh Quảng Trị") and the new one it became ("xã Cam Lộ, Quảng Trị") get the same post-2025
keys. The old units and the old → new mapping come from ``vietnamadminunits`` (its data files,
read directly: importing the package also loads geocoding we never use).
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from capture.names import fold

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20[0-2]\d)(?!\d)")


def birth_year(text: str) -> int | None:
    """'1948', 'khoảng 1948', '12/3/1948', '1948?' -> 1948; None if no year in it."""
    years = _YEAR.findall(text or "")
    return int(years[-1]) if years else None


@dataclass(frozen=True)
class Date:
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"


_VI_DATE = re.compile(
    r"(?:ngay\s*(\d{1,2})\s*)?(?:thang\s*(\d{1,2})\s*)?(?:nam\s*)?(1[89]\d\d|20[0-2]\d)")
_NUM_DATE = re.compile(r"(?<!\d)(?:(\d{1,2})\s*[/.-]\s*)?(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?!\d)")


def _checked(year: int, month: int | None, day: int | None) -> Date | None:
    if not 1850 <= year <= 2030 or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    return Date(year, month, day if month else None)


def death_date(text: str) -> Date | None:
    """'15/8/1972', '8/1972', 'tháng 8 năm 1972', 'ngày 15 tháng 8 năm 1972', '1972',
    '1972-08-15' -> a date with only the parts that were written; None if no date in it."""
    folded = fold(text or "").strip()
    if not folded:
        return None
    if match := _ISO_DATE.search(folded):
        year, month, day = match.groups()
        return _checked(int(year), int(month), int(day) if day else None)
    if match := _NUM_DATE.search(folded):
        day, month, year = match.groups()
        return _checked(int(year), int(month), int(day) if day else None)
    if match := _VI_DATE.search(folded):
        day, month, year = match.groups()
        return _checked(int(year), int(month) if month else None,
                        int(day) if day and month else None)
    return None


@dataclass(frozen=True)
class Unit:
    company: int | None = None  # c, Đại đội
    battalion: int | None = None  # d, Tiểu đoàn
    regiment: int | None = None  # e, Trung đoàn
    division: int | None = None  # f, Sư đoàn
    tnxp: int | None = None  # Thanh niên xung phong team (đội)

    @property
    def key(self) -> str:
        parts = [f"{k}{v}" for k, v in (("f", self.division), ("e", self.regiment),
                                           ("d", self.battalion), ("c", self.company),
                                           ("tnxp", self.tnxp)) if v is not None]
        return " ".join(parts)


_UNIT_PARTS = (
    ("company", re.compile(r"(?:\bdai\s*doi|\bc)\s*\.?\s*(\d{1,4})\b")),
    ("battalion", re.compile(r"(?:\btieu\s*doan|\bd)\s*\.?\s*(\d{1,4})\b")),
    ("regiment", re.compile(r"(?:\btrung\s*doan|\be)\s*\.?\s*(\d{1,4})\b")),
    ("division", re.compile(r"(?:\bsu\s*doan|\bf)\s*\.?\s*(\d{1,4})\b")),
)
_TNXP = re.compile(r"\b(?:tnxp|thanh\s*nien\s*xung\s*phong)\b")
_TNXP_TEAM = re.compile(r"\b(?:doi|d|tnxp|phong)\s*(?:tnxp\s*)?(?:so\s*)?(\d{1,4})\b")


def unit(text: str) -> Unit:
    """'E24 F304', 'Trung đoàn 24, Sư đoàn 304', 'c2 d8 e24', 'Đội TNXP 55' -> its parts."""
    folded = fold(text or "")
    if not folded.strip():
        return Unit()
    folded = re.sub(r"[_/,;:+-]", " ", folded)
    if _TNXP.search(folded):
        team = _TNXP_TEAM.search(folded)
        return Unit(tnxp=int(team.group(1)) if team else 0)
    found: dict[str, int] = {}
    for name, pattern in _UNIT_PARTS:
        if match := pattern.search(folded):
            found[name] = int(match.group(1))
    return Unit(**found)


# --- home towns through the admin-unit history ---------------------------------------------

@dataclass(frozen=True)
class HomeTown:
    province: str = ""  # post-2025 province key ("tinhquangtri")
    district: str = ""  # pre-2025 district key, when written ("huyencamlo")
    ward: str = ""  # post-2025 commune/ward key, when it could be told
    old_ward: str = ""  # pre-2025 commune ("huyencamlo_xacamchinh"): finer than the new one
    text: str = ""  # the whole text folded, for what the tables do not know


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


_ABBREV = re.compile(r"^(?:x|p|h|q|t|tx|tt|tp)\s*\.\s*")
_TYPE_WORDS = re.compile(
    r"\b(?:xa|phuong|thi tran|huyen|quan|thi xa|thanh pho|tinh|tp)\b\s*")


class AdminIndex:
    """The old (63-province) and new (34-province) units and how one became the other."""

    def __init__(self, data_dir: Path) -> None:
        legacy = json.loads((data_dir / "parser_legacy.json").read_text(encoding="utf-8"))
        new = json.loads((data_dir / "parser_from_2025.json").read_text(encoding="utf-8"))
        conv = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
        self.legacy, self.new = legacy, new  # the generator of the labelled set names from them
        self.old_to_new_province = {old: new_key for new_key, olds in conv["DICT_PROVINCE"].items()
                                    for old in olds}
        self.province_by_word: dict[str, tuple[str, bool]] = {}  # word -> (key, is_legacy)
        for key, info in new["DICT_PROVINCE"].items():
            for word in info["provinceKeywords"]:
                self.province_by_word[word] = (key, False)
        for key, info in legacy["DICT_PROVINCE"].items():
            for word in info["provinceKeywords"]:
                self.province_by_word.setdefault(word, (key, True))
                if key not in self.old_to_new_province.values():
                    self.province_by_word[word] = (key, True)
        self.districts: dict[str, dict[str, str]] = {}  # old province -> word -> district
        for prov, districts in legacy["DICT_PROVINCE_DISTRICT"].items():
            table = self.districts.setdefault(prov, {})
            for dkey, info in districts.items():
                for word in info["districtKeywords"]:
                    table.setdefault(word, dkey)
        ward_map: dict[str, str] = {}
        for _new_prov, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for new_ward, olds in wards.items():
                for old in olds:
                    ward_map[old] = new_ward
        for _new_prov, divided in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old, choices in divided.items():
                default = next((c["newWardKey"] for c in choices if c["isDefaultNewWard"]),
                               choices[0]["newWardKey"] if choices else "")
                ward_map.setdefault(old, default)
        self.ward_map = ward_map  # "oldprov_olddistrict_oldward" -> new ward key
        # (old province, old district) -> word -> new ward
        self.old_wards: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
        self.old_wards_by_province: dict[str, dict[str, set[tuple[str, str]]]] = {}
        for prov, districts in legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].items():
            for dkey, wards in districts.items():
                table = self.old_wards.setdefault((prov, dkey), {})
                for wkey, info in wards.items():
                    new_ward = ward_map.get(f"{prov}_{dkey}_{wkey}", "")
                    if not new_ward:
                        continue
                    found = (new_ward, f"{dkey}_{wkey}")
                    for word in info["wardKeywords"]:
                        table.setdefault(word, found)
                        self.old_wards_by_province.setdefault(prov, {}).setdefault(
                            word, set()).add(found)
        self.new_wards: dict[str, dict[str, str]] = {}
        for prov, wards in new["DICT_PROVINCE_WARD_NO_ACCENTED"].items():
            table = self.new_wards.setdefault(prov, {})
            for wkey, info in wards.items():
                for word in info["wardKeywords"]:
                    table.setdefault(word, wkey)

    def home_town(self, text: str) -> HomeTown:
        folded = fold(text or "").strip()
        if not folded:
            return HomeTown()
        parts = [p.strip() for p in re.split(r"[,;\-–]|\s-\s", folded) if p.strip()]
        if len(parts) == 1:  # "xã Cam Chính huyện Cam Lộ tỉnh Quảng Trị": cut at the unit words
            cut = [p.strip() for p in re.split(r"\s(?=(?:xa|phuong|thi tran|huyen|quan|"
                                                r"thi xa|tinh|tp)\b)", folded) if p.strip()]
            parts = cut or parts
        keys = [_key(_ABBREV.sub("", p)) for p in parts]
        plain = _key(_TYPE_WORDS.sub("", ",".join(_ABBREV.sub("", p) for p in parts)))
        found = self.province_by_word.get(keys[-1]) if keys else None
        rest = keys[:-1] if found else keys
        if not found:
            return HomeTown(text=plain)
        prov, is_legacy = found
        new_prov = self.old_to_new_province.get(prov, prov) if is_legacy else prov
        old_prov = prov if is_legacy else ""
        district = ward = old_ward = ""
        if old_prov or not is_legacy:
            legacy_provs = [old_prov] if old_prov else [
                p for p, n in self.old_to_new_province.items() if n == new_prov]
            for candidate_prov in legacy_provs:
                dtable = self.districts.get(candidate_prov, {})
                for i in range(len(rest) - 1, -1, -1):
                    if rest[i] in dtable:
                        district = dtable[rest[i]]
                        wtable = self.old_wards.get((candidate_prov, district), {})
                        for word in rest[:i]:
                            ward, old_ward = wtable.get(word, (ward, old_ward))
                        break
                if district:
                    break
            if not district:  # an old commune written with only its (old or new) province
                for word in rest:
                    choices = set().union(*(self.old_wards_by_province.get(p, {}).get(word, set())
                                            for p in legacy_provs))
                    if len(choices) == 1:
                        ward, old_ward = next(iter(choices))
            if not district and not ward and not is_legacy:
                ntable = self.new_wards.get(new_prov, {})
                for word in rest:
                    ward = ntable.get(word, ward)
        return HomeTown(new_prov, district, ward, old_ward, plain)


def admin_data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("vietnamadminunits is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache  # about 4 MB of tables read once per process; pure data, never changed
def admin_index() -> AdminIndex:
    return AdminIndex(admin_data_dir())
