"""Coordinates in what people write: every coordinate in a text, read into WGS 84.

One parser for the station (a lead's grid reference as it is typed, coordinate markers) and the
command (leads, notes, descriptions, OCR text). It knows no Qt and no vault. For each coordinate
found it gives the WGS 84 point, the notation, the datum assumed, an uncertainty radius and the
span of text read; where a text can be read more than one way (a bare MGRS square without its
grid zone, "N" that may be Nam = south, VN-2000 X/Y without a central meridian, latitude and
longitude in either order) every reading is returned, ranked by plausibility: inside Indochina,
and near a reference point the caller passes (the lead's commune, the household's GPS).

Conversions go through ``pyproj`` (PROJ, EPSG definitions) and ``mgrs`` only. docs/coords.md
says which notations are read, the datums and their parameters, and what is refused.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import mgrs as mgrs_lib
from pyproj import CRS, Transformer
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from pyproj.transformer import TransformerGroup

WGS84 = "WGS 84"
VN2000 = "VN-2000"
INDIAN1960 = "Indian 1960"

EARTH_M_PER_DEG = 111_320.0
MAX_TEXT = 100_000  # longer texts are read up to here: bounded work on hostile input

# Where the campaign's coordinates are: Vietnam (with Hoàng Sa and Trường Sa), Laos, Cambodia.
INDOCHINA = ((8.0, 23.6, 100.0, 110.0),   # mainland: Vietnam, Laos, Cambodia
             (15.5, 17.2, 111.0, 112.9),  # Hoàng Sa
             (6.5, 12.0, 111.5, 117.9))   # Trường Sa


def in_indochina(lat: float, lon: float) -> bool:
    return any(s <= lat <= n and w <= lon <= e for s, n, w, e in INDOCHINA)


def fold(text: str) -> str:
    """Lower case without diacritics, same length as the (NFC) input: 'Đồng Hới' → 'dong hoi'."""
    out = []
    for char in text:
        if char in "đĐ":
            out.append("d")
            continue
        base = unicodedata.normalize("NFD", char)[0].lower()
        out.append(base[0] if len(base) == 1 else char)
    return "".join(out)


# -- provinces and their VN-2000 central meridians ---------------------------------------------

# Central meridians of the provincial 3° zones (k0 = 0.9999), Thông tư 973/2001/TT-TCĐC,
# for the 63 provinces before the 2025 reorganisation, in degrees.
PROVINCE_MERIDIANS: dict[str, float] = {
    "Lai Châu": 103.0, "Điện Biên": 103.0, "Sơn La": 104.0, "Lào Cai": 104.75,
    "Yên Bái": 104.75, "Hà Giang": 105.5, "Tuyên Quang": 106.0, "Phú Thọ": 104.75,
    "Vĩnh Phúc": 105.0, "Cao Bằng": 105.75, "Lạng Sơn": 107.25, "Bắc Kạn": 106.5,
    "Thái Nguyên": 106.5, "Bắc Giang": 107.0, "Bắc Ninh": 105.5, "Quảng Ninh": 107.75,
    "Hải Phòng": 105.75, "Hải Dương": 105.5, "Hưng Yên": 105.5, "Hà Nội": 105.0,
    "Hòa Bình": 106.0, "Hà Nam": 105.0, "Nam Định": 105.5, "Thái Bình": 105.5,
    "Ninh Bình": 105.0, "Thanh Hóa": 105.0, "Nghệ An": 104.75, "Hà Tĩnh": 105.5,
    "Quảng Bình": 106.0, "Quảng Trị": 106.25, "Thừa Thiên Huế": 107.0, "Đà Nẵng": 107.75,
    "Quảng Nam": 107.75, "Quảng Ngãi": 108.0, "Bình Định": 108.25, "Kon Tum": 107.5,
    "Gia Lai": 108.5, "Đắk Lắk": 108.5, "Đắk Nông": 108.5, "Phú Yên": 108.5,
    "Khánh Hòa": 108.25, "Ninh Thuận": 108.25, "Bình Thuận": 108.5, "Lâm Đồng": 107.75,
    "Bình Dương": 105.75, "Bình Phước": 106.25, "Đồng Nai": 107.75, "Bà Rịa - Vũng Tàu": 107.75,
    "Tây Ninh": 105.5, "Long An": 105.75, "Tiền Giang": 105.75, "Bến Tre": 105.75,
    "Đồng Tháp": 105.0, "Vĩnh Long": 105.5, "Trà Vinh": 105.5, "An Giang": 104.75,
    "Kiên Giang": 104.5, "Cần Thơ": 105.0, "Hậu Giang": 105.0, "Sóc Trăng": 105.5,
    "Bạc Liêu": 105.0, "Cà Mau": 104.5, "Hồ Chí Minh": 105.75,
}

# The 34 provinces since 1 July 2025 and the former provinces each took in (its own name first).
MERGED_PROVINCES: dict[str, tuple[str, ...]] = {
    "Tuyên Quang": ("Tuyên Quang", "Hà Giang"), "Lào Cai": ("Lào Cai", "Yên Bái"),
    "Thái Nguyên": ("Thái Nguyên", "Bắc Kạn"),
    "Phú Thọ": ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"), "Bắc Ninh": ("Bắc Ninh", "Bắc Giang"),
    "Hưng Yên": ("Hưng Yên", "Thái Bình"), "Hải Phòng": ("Hải Phòng", "Hải Dương"),
    "Ninh Bình": ("Ninh Bình", "Hà Nam", "Nam Định"), "Quảng Trị": ("Quảng Trị", "Quảng Bình"),
    "Đà Nẵng": ("Đà Nẵng", "Quảng Nam"), "Quảng Ngãi": ("Quảng Ngãi", "Kon Tum"),
    "Gia Lai": ("Gia Lai", "Bình Định"), "Khánh Hòa": ("Khánh Hòa", "Ninh Thuận"),
    "Lâm Đồng": ("Lâm Đồng", "Đắk Nông", "Bình Thuận"), "Đắk Lắk": ("Đắk Lắk", "Phú Yên"),
    "Hồ Chí Minh": ("Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"),
    "Đồng Nai": ("Đồng Nai", "Bình Phước"), "Tây Ninh": ("Tây Ninh", "Long An"),
    "Cần Thơ": ("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    "Vĩnh Long": ("Vĩnh Long", "Bến Tre", "Trà Vinh"), "Đồng Tháp": ("Đồng Tháp", "Tiền Giang"),
    "Cà Mau": ("Cà Mau", "Bạc Liêu"), "An Giang": ("An Giang", "Kiên Giang"),
}

# Other ways people write a province's name (folded).
_PROVINCE_ALIASES: dict[str, str] = {
    "thua thien - hue": "Thừa Thiên Huế", "thua thien": "Thừa Thiên Huế", "hue": "Thừa Thiên Huế",
    "tp hcm": "Hồ Chí Minh", "tp.hcm": "Hồ Chí Minh", "tphcm": "Hồ Chí Minh",
    "sai gon": "Hồ Chí Minh", "ba ria vung tau": "Bà Rịa - Vũng Tàu",
    "ba ria-vung tau": "Bà Rịa - Vũng Tàu", "vung tau": "Bà Rịa - Vũng Tàu",
    "dak lak": "Đắk Lắk", "dac lac": "Đắk Lắk", "dak nong": "Đắk Nông", "bac can": "Bắc Kạn",
    "kontum": "Kon Tum",
}


def _province_names() -> list[tuple[str, str]]:
    names = {fold(name): name for name in PROVINCE_MERIDIANS}
    names.update(_PROVINCE_ALIASES)
    return sorted(names.items(), key=lambda item: -len(item[0]))  # longest first


_PROVINCE_KEYS = _province_names()  # a constant table, folded once


def provinces_named(text: str) -> list[str]:
    """Former (pre-2025) province names meant by the provinces a text names, in order of
    mention; a province of today stands for each former province it took in."""
    folded = fold(text)
    taken = [False] * len(folded)
    found: list[tuple[int, str]] = []
    for key, name in _PROVINCE_KEYS:
        for match in re.finditer(r"(?<!\w)" + re.escape(key) + r"(?!\w)", folded):
            if any(taken[match.start():match.end()]):
                continue
            taken[match.start():match.end()] = [True] * (match.end() - match.start())
            found.append((match.start(), name))
    out: list[str] = []
    for _at, name in sorted(found):
        for former in MERGED_PROVINCES.get(name, (name,)):
            if former not in out:
                out.append(former)
    return out


# -- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the caller knows: a reference point (the lead's commune) that ranks candidates by
    distance, and a text naming the province (a province's name, a lead's description), whose
    VN-2000 3° meridians rank first when the text read names none."""

    reference: tuple[float, float] | None = None
    province: str = ""


@dataclass(frozen=True)
class Coordinate:
    lat: float
    lon: float
    notation: str  # decimal | dms | ddm | utm | mgrs | vn2000 | map-link | geo-uri
    datum: str  # the datum the text was read in (WGS 84, VN-2000, Indian 1960)
    uncertainty_m: float
    start: int  # span of the text read (indices into the NFC-normalised text)
    end: int
    text: str
    plausibility: float = 1.0  # 0..1; candidates of one span are ordered by it
    rank: int = 1  # 1 = the most plausible reading of this span
    candidates: int = 1  # how many readings this span has
    notes: tuple[str, ...] = ()  # what was assumed or inferred, in English (machine-readable)
    projection: str = ""  # "UTM 48N", "TM-3 105°45′", ... for grid notations

    @property
    def mgrs(self) -> str:
        return to_mgrs(self.lat, self.lon)

    @property
    def note_codes(self) -> list[dict[str, object]]:
        """The notes as stable codes with their values, for a page to say in its language."""
        return [note_code(n) or {"code": "text", "params": {"text": n}} for n in self.notes]

    def as_json(self) -> dict[str, object]:
        return {"lat": round(self.lat, 7), "lon": round(self.lon, 7), "notation": self.notation,
                "datum": self.datum, "uncertainty_m": round(self.uncertainty_m, 1),
                "text": self.text, "start": self.start, "end": self.end, "rank": self.rank,
                "candidates": self.candidates, "plausibility": round(self.plausibility, 3),
                "mgrs": self.mgrs, "projection": self.projection, "notes": list(self.notes),
                "note_codes": self.note_codes}


# The notes' stable codes (docs/coords.md): the station (Qt tr()) and the workbench (vi.json,
# en.json) say each in their language; the English note stays for scripts that read it.
NOTE_CODES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern)) for code, pattern in (
        ("datum_assumed_wgs84", r"datum not written: WGS 84 assumed"),
        ("datum_assumed_vn2000", r"datum not written: VN-2000 assumed for X/Y"),
        ("grid_zone_inferred", r"grid zone not written: (?P<zone>\w+) inferred \(Vietnam, "
                               r"Laos, Cambodia\)"),
        ("n_as_nam", r"N read as Nam \(south\)"),
        ("lon_lat_order", r"read as longitude, latitude"),
        ("xy_swapped", r"X and Y read the other way round \(X as the easting\)"),
        ("meridian_from_province", r"central meridian (?P<meridian>\S+) of (?P<province>.+) "
                                   r"\(from the province\)"),
        ("zone_assumed_utm", r"zone not written: UTM (?P<zone>\d+N) assumed"),
        ("zone_assumed_6", r"zone not written: 6° zone (?P<zone>\d+) assumed"),
        ("zone_assumed_3", r"zone not written: 3° zone (?P<meridian>\S+) assumed"),
        ("zone_size_unwritten", r"zone size not written: 6° zone \(k0 0\.9996\) read too"),
        ("outside_indochina", r"outside Indochina"),
        ("band_s_latitude", r"S read as latitude band S"),
        ("band_s_south", r"S read as the southern hemisphere"),
        ("band_mismatch", r"band (?P<band>\w) does not match the northing"),
    ))


def note_code(note: str) -> dict[str, object] | None:
    """{"code": …, "params": {…}} for one of the parser's notes; None for another text."""
    for code, pattern in NOTE_CODES:
        found = pattern.fullmatch(note)
        if found:
            return {"code": code, "params": found.groupdict()}
    return None


def to_mgrs(lat: float, lon: float, digits: int = 10) -> str:
    """The MGRS reference of a WGS 84 point ('' where MGRS has none, beyond ±80°)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return mgrs_lib.MGRS().toMGRS(lat, lon, MGRSPrecision=digits // 2)
    except Exception:  # the C library's own error type: outside MGRS
        return ""


@dataclass
class _Reading:
    """One way to read a span, before ranking."""

    lat: float
    lon: float
    notation: str
    datum: str
    uncertainty_m: float
    prior: float = 1.0
    notes: tuple[str, ...] = ()
    projection: str = ""


# -- conversions (pyproj, mgrs) ------------------------------------------------------------------


class _Geodesy:
    """The transformers this reader needs, made once per reader (PROJ setup costs ms)."""

    def __init__(self) -> None:
        self._cache: dict[object, object] = {}
        self.mgrs = mgrs_lib.MGRS()

    def _get(self, key: object, make):  # type: ignore[no-untyped-def]
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @staticmethod
    def _named(source: str, name: str) -> tuple[Transformer, float]:
        group = TransformerGroup(source, "EPSG:4326", always_xy=True)
        for transformer in group.transformers:
            if name in transformer.description:
                return transformer, transformer.accuracy
        raise LookupError(f"PROJ has no {name}")  # a broken PROJ database: say so loudly

    def datum_to_wgs84(self, datum: str, lon: float, lat: float) -> tuple[float, float, float]:
        """(lon, lat) on the datum → WGS 84 (lon, lat) and the transformation's accuracy (m)."""
        if datum == WGS84:
            return lon, lat, 0.0
        if datum == VN2000:
            # EPSG:6960 "VN-2000 to WGS 84 (2)": the official 7 parameters (QĐ 05/2007/QĐ-BTNMT).
            transformer, accuracy = self._get("vn2000", lambda: self._named(
                "EPSG:4756", "VN-2000 to WGS 84 (2)"))
            x, y = transformer.transform(lon, lat)
            return x, y, accuracy
        # Indian 1960: EPSG:1542 "(2)" for mainland Vietnam, EPSG:1543 "(3)" for Côn Sơn.
        con_son = 8.57 <= lat <= 8.83 and 106.48 <= lon <= 106.8
        key = "indian3" if con_son else "indian2"
        transformer, accuracy = self._get(key, lambda: self._named(
            "EPSG:4131", "Indian 1960 to WGS 84 (3)" if con_son else "Indian 1960 to WGS 84 (2)"))
        x, y = transformer.transform(lon, lat)
        inside = con_son or (14.0 <= lat <= 18.01 and 105.61 <= lon <= 109.36)
        return x, y, accuracy if inside else accuracy * 2  # outside the EPSG area: less sure

    def grid_to_geographic(self, crs_key: tuple, easting: float, northing: float
                           ) -> tuple[float, float]:
        """Grid → geographic (lon, lat) on the grid's own datum."""
        def make() -> Transformer:
            crs = self.grid_crs(crs_key)
            return Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
        transformer = self._get(("inverse", crs_key), make)
        return transformer.transform(easting, northing)  # type: ignore[attr-defined]

    def grid_crs(self, key: tuple) -> CRS:
        kind = key[0]
        if kind == "utm":  # ("utm", datum, zone, south)
            _, datum, zone, south = key
            if datum == WGS84:
                return CRS.from_epsg((32700 if south else 32600) + zone)
            epsg = {(VN2000, 48): 3405, (VN2000, 49): 3406,
                    (INDIAN1960, 48): 3148, (INDIAN1960, 49): 3149}.get((datum, zone))
            if epsg is not None and not south:
                return CRS.from_epsg(epsg)
            base = CRS.from_epsg(4756 if datum == VN2000 else 4131)
            return ProjectedCRS(TransverseMercatorConversion(
                0, zone * 6 - 183, 0.9996, 500_000, 10_000_000 if south else 0),
                geodetic_crs=base)
        # ("tm", meridian, k0): a VN-2000 transverse Mercator zone (3° provincial, or 6°)
        _, meridian, k0 = key
        epsg = _TM3_EPSG.get(meridian) if k0 == 0.9999 else None
        if epsg is not None:
            return CRS.from_epsg(epsg)
        return ProjectedCRS(TransverseMercatorConversion(0, meridian, k0, 500_000, 0),
                            geodetic_crs=CRS.from_epsg(4756))


# EPSG's VN-2000 TM-3 zones (k0 0.9999, false easting 500 km); other meridians are built.
_TM3_EPSG = {102.0: 5896, 105.0: 5897, 108.0: 5898, 107.75: 5899, 103.0: 9205, 104.0: 9206,
             104.5: 9207, 104.75: 9208, 105.5: 9209, 105.75: 9210, 106.0: 9211, 106.25: 9212,
             106.5: 9213, 107.0: 9214, 107.25: 9215, 107.5: 9216, 108.25: 9217, 108.5: 9218}


# -- patterns ------------------------------------------------------------------------------------


def _compile(pattern: str) -> re.Pattern[str]:
    """Whitespace runs bounded (\\s* → at most 8): two unbounded runs in a row backtrack
    quadratically over a long run of spaces in hostile or OCR'd text."""
    return re.compile(pattern.replace(r"\s*", r"\s{0,8}").replace(r"\s+", r"\s{1,8}"))


_SEP = r"[\s,;/|–—\-+]*"  # "+" as Google Maps copies a point: 21°01'42.6"N+105°51'15.1"E
# A number with its decimals; a date's or a phone's next group ("15.03.1968") ends no number,
# but a comma after decimals is a separator ("16.7463,107.1856").
_NUM3 = r"\d{1,3}(?:[.,]\d+(?!\.\d)|(?![.,]\d))(?!\d)"
_NUM2 = r"\d{1,2}(?:[.,]\d+(?!\.\d)|(?![.,]\d))(?!\d)"
_HEM_WORD = r"bắc|bac|nam|đông|dong|tây|tay|north|south|east|west"
_CUE = (r"vĩ\s*độ|vi\s*do|vĩ\s*tuyến|vi\s*tuyen|kinh\s*độ|kinh\s*do|kinh\s*tuyến|kinh\s*tuyen|"
        r"lat\s*/\s*lo?ng?|latitude|longitude|lat|long|lon|lng|vđ|kđ")  # lat/long: both, in order

def _angle_pattern(suffix: bool) -> re.Pattern[str]:
    return _compile(
        r"(?<![\w.])"
        rf"(?:(?P<cue>(?i:{_CUE}))\.?\s*(?P<cuehem>(?i:{_HEM_WORD})(?!\w))?\s*[:=]?\s*)?"
        rf"(?:(?P<pre>[NSEWBĐDT])\.?\s?|(?P<preword>(?i:{_HEM_WORD}))\s+)?"
        rf"(?P<deg>{_NUM3})"
        r"(?:\s*(?P<dm>°|º|˚|∘|(?i:độ|do)(?!\w)|o(?=\s*\d)))?"
        rf"(?:\s*(?P<mi>{_NUM2})\s*(?P<mm>'(?!')|′(?!′)|’(?!’)|‘|´|(?i:phút|phut|ph)(?!\w)))?"
        rf"(?:\s*(?P<se>{_NUM2})\s*(?P<sm>\"|″|”|“|''|′′|’’|(?i:giây|giay)(?!\w)))?"
        r"(?!\s*(?:°\s*)?C\b)"  # 30 °C, 30 độ C: a temperature
        + (rf"(?:\s*(?P<suf>[NSEWBĐDT](?!\w)|(?i:(?:vĩ\s*độ\s*|vi\s*do\s*|kinh\s*độ\s*|"
           rf"kinh\s*do\s*|vĩ\s*|vi\s*|kinh\s*)?(?:{_HEM_WORD}))(?!\w)))?" if suffix
           else r"(?P<suf>(?!))?"))


_ANGLE = _angle_pattern(suffix=True)
# A hemisphere written before the number: a letter after it is the next angle's ("N 16° E 107°").
_ANGLE_PREFIXED = _angle_pattern(suffix=False)

_UNIT_AFTER = _compile(
    r"\s*(?i:kg|g|gam|gram|m|mét|met|km|cm|mm|ha|%|đ|đồng|vnđ|vnd|k|tr|triệu|tỷ|tấn|lít|l|"
    r"năm|tuổi|giờ|h|phút|ph|giây|s|người|ly|cái|con|m2|m²|usd|đô|\$)(?!\w)")

_MGRS = _compile(
    r"(?<![\w.,])(?:(?P<zone>\d{1,2})\s?(?P<band>[C-HJ-NP-X])\s?)?"
    r"(?P<sq>[A-HJ-NP-Z][A-HJ-NP-V])\s?"
    r"(?P<digits>\d{1,5}\s+\d{1,5}|\d{2,10})(?![\w]|[.,]\d)")

_MGRS_CUE = _compile(r"(?i:tọa\s*độ|toạ\s*độ|toa\s*do|tđ|grid|mgrs|lưới|luoi|ô\s*lưới|"
                       r"bản\s*đồ|ban\s*do|map|điểm|diem|tọa|coordinates?|ref|vị\s*trí|vi\s*tri)")

_BIG = r"\d{1,3}(?:[. ]\d{3}){1,2}(?:,\d+)?(?![\d])|\d{6,7}(?:[.,]\d+)?(?![\d])"

_UTM = _compile(
    r"(?<![\w.,])(?:(?P<cue>(?i:UTM))\s*(?:(?i:zone|múi|mui)\s*)?|"
    r"(?P<zoneword>(?i:zone|múi|mui))\s*)?"
    r"(?P<zone>\d{1,2})\s?(?P<band>[C-HJ-NP-X])?(?![\w])\s*(?P<cue2>(?i:UTM)(?!\w))?\s*[,;:]?\s*"
    rf"(?:(?P<lab1>[EN]|(?i:easting|northing))\s*[=:]?\s*)?(?P<v1>{_BIG})\s*"
    r"(?P<u1>m\s?[EN](?!\w)|[EN](?!\w))?"
    rf"\s*[,;/]?\s*(?:(?P<lab2>[EN]|(?i:easting|northing))\s*[=:]?\s*)?(?P<v2>{_BIG})"
    r"\s*(?P<u2>m\s?[EN]|[EN])?(?!\w)")

_XY = _compile(
    r"(?<![\w])(?P<l1>[XY])\s*(?:\((?i:m)\))?\s*[=:]?\s*(?P<v1>" + _BIG + r")\s*(?i:m)?\s*"
    r"[,;]?\s*(?:(?i:và|and)\s*)?(?P<l2>[XY])\s*(?:\((?i:m)\))?\s*[=:]?\s*(?P<v2>" + _BIG + r")")

_GEO_URI = _compile(r"(?i:geo:)(?P<lat>-?\d{1,2}(?:\.\d+)?),(?P<lon>-?\d{1,3}(?:\.\d+)?)"
                      r"(?:,-?\d+(?:\.\d+)?)?(?P<params>(?:;[\w\-]+=[\w.\-%]*)*)"
                      r"(?:\?[^\s<>\"']*)?")
_URL = _compile(r"(?i:https?://|www\.)[^\s<>\"']+|(?i:(?:maps\.google|google\.[a-z.]+/maps|"
                  r"openstreetmap\.org|osm\.org|maps\.apple\.com)[^\s<>\"']*)")

_INDIAN_CUE = _compile(
    r"(?i:indian\s*(?:19)?60|indian\s*(?:19)?54|ấn\s*độ\s*(?:19)?60|an\s*do\s*(?:19)?60|"
    r"indian\s*datum|L\s*-?\s*7014|L\s*-?\s*701\b|L\s*-?\s*605\b|L\s*-?\s*708\b|series\s*L|"
    r"\bAMS\b|bản\s*đồ\s*(?:của\s*)?(?:quân\s*đội\s*)?mỹ|ban\s*do\s*(?:cua\s*)?my|"
    r"US\s*army\s*map|(?:tờ|to|sheet)\s*(?:bản\s*đồ\s*)?\d{4}\s*-?\s*(?:IV|I{1,3})\b)")
_VN2000_CUE = _compile(r"(?i:VN\s*-?\s*2000)")
_WGS_CUE = _compile(r"(?i:WGS\s*-?\s*84|GPS)")
_MERIDIAN = _compile(
    r"(?i:KTT|kinh\s*tuyến\s*trục|kinh\s*tuyen\s*truc|kinh\s*tuyến\s*trung\s*ương|"
    r"central\s*meridian|lon_0|CM)\s*[:=]?\s*(?P<deg>\d{3})(?:[.,](?P<frac>\d+))?"
    r"(?:\s*(?:°|º|độ|do|-|\s)\s*(?P<min>\d{1,2})\s*(?:'|′|’|(?i:phút|phut))?)?")
_ZONE_WORD = _compile(r"(?i:múi|mui|zone)\s*(?:chiếu\s*|chieu\s*)?(?P<zone>\d{1,2})(?!\s*°|\d)"
                        r"|(?i:UTM)\s*(?P<zone2>\d{2})")
_THREE_DEG = _compile(r"(?i:múi|mui)\s*(?:chiếu\s*|chieu\s*)?3\s*(?:°|º|độ|do)|"
                        r"(?i:TM\s*-?\s*3)|(?i:3\s*(?:°|độ)\s*(?:zone|múi))")
_SIX_DEG = _compile(r"(?i:múi|mui)\s*(?:chiếu\s*|chieu\s*)?6\s*(?:°|º|độ|do)|(?i:UTM)")

_HEMISPHERE = {"N": ("lat", 1), "S": ("lat", -1), "B": ("lat", 1), "E": ("lon", 1),
               "W": ("lon", -1), "Đ": ("lon", 1), "D": ("lon", 1), "T": ("lon", -1)}
_HEM_WORDS = {"bac": ("lat", 1), "north": ("lat", 1), "nam": ("lat", -1), "south": ("lat", -1),
              "dong": ("lon", 1), "east": ("lon", 1), "tay": ("lon", -1), "west": ("lon", -1)}


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _big(text: str) -> float:
    """'1.854.321,45' or '1 854 321' or '1854321.45' → 1854321.45."""
    text = text.strip()
    if re.fullmatch(r"\d{1,3}(?:[. ]\d{3}){1,2}(?:,\d+)?", text):
        text = re.sub(r"[. ]", "", text)
    return _number(text)


def _decimals(text: str) -> int:
    for sep in ".,":
        if sep in text:
            return len(text.split(sep, 1)[1])
    return 0


@dataclass
class _Angle:
    start: int
    end: int
    value: float  # degrees, unsigned
    unit_deg: float  # size of the last digit written, in degrees
    strong: bool  # written as an angle (°, minutes, a hemisphere, a cue word)
    decimals: int
    minutes: bool
    seconds: bool
    axis: str | None  # "lat" | "lon" | None
    sign: int  # +1 / -1 from the hemisphere, 0 when none was written
    letter: str  # the hemisphere letter as written ('' when none or a word)


def _angle(match: re.Match[str], text: str) -> _Angle | None:
    deg_text, mi, se = match["deg"], match["mi"], match["se"]
    value = _number(deg_text)
    unit = 10.0 ** -_decimals(deg_text)
    if mi is not None:
        if "." in deg_text or "," in deg_text or _number(mi) >= 60:
            return None
        value += _number(mi) / 60
        unit = 10.0 ** -_decimals(mi) / 60
    if se is not None:
        if mi is None or "." in mi or "," in mi or _number(se) >= 60:
            return None
        value += _number(se) / 3600
        unit = 10.0 ** -_decimals(se) / 3600
    axis, sign, letter = None, 0, ""
    for part, table in ((match["cuehem"], _HEM_WORDS), (match["preword"], _HEM_WORDS),
                        (match["pre"], _HEMISPHERE), (match["suf"], None)):
        if not part:
            continue
        if table is None:
            key = fold(part).split()[-1]
            table = _HEM_WORDS if len(key) > 1 else _HEMISPHERE
            if len(key) == 1:
                key = part.strip()
        else:
            key = part if table is _HEMISPHERE else fold(part)
        if key in table:
            axis, sign = table[key]
            letter = key if table is _HEMISPHERE else ""
    if match["cue"] and "/" not in match["cue"]:  # "lat/long" names both: the order decides
        cue = fold(match["cue"]).replace(" ", "")
        cue_axis = "lat" if cue.startswith(("vi", "lat", "vđ", "vd")) else "lon"
        if axis is None:
            axis = cue_axis
    strong = bool(match["dm"] or mi or se or match["cue"] or sign)
    has_mark = bool(match["dm"] or mi or se)
    decimals = _decimals(deg_text)
    if not has_mark and decimals < 2 and not match["cue"]:
        return None  # "E24", "B52", "N 3": a letter and a number are not an angle
    if not strong:
        after = text[match.end():match.end() + 12]
        if _UNIT_AFTER.match(after):
            return None  # 3,5 kg; 16,5 m
    return _Angle(match.start(), match.end(), value, unit, strong, decimals, mi is not None,
                  se is not None, axis, sign, letter)


class CoordinateReader:
    """Reads coordinates out of texts. Holds its PROJ transformers: keep one and reuse it."""

    def __init__(self) -> None:
        self.geo = _Geodesy()

    # -- the entry point --

    def find(self, text: str, context: Context | None = None) -> list[Coordinate]:
        """Every coordinate in ``text``: each span's readings, most plausible first, spans in
        the order of the text."""
        context = context or Context()
        text = unicodedata.normalize("NFC", text or "")[:MAX_TEXT]
        taken = [False] * len(text)
        spans: list[tuple[int, int, list[_Reading]]] = []

        def claim(start: int, end: int, readings: list[_Reading]) -> None:
            if readings and not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                spans.append((start, end, readings))

        for finder in (self._links, self._xy, self._utm, self._mgrs, self._angles):
            for start, end, readings in finder(text, context, taken):
                claim(start, end, readings)
        out: list[Coordinate] = []
        for start, end, readings in sorted(spans, key=lambda s: s[0]):
            out.extend(self._ranked(text, start, end, readings, context))
        return out

    def best(self, text: str, context: Context | None = None) -> list[Coordinate]:
        """The most plausible reading of each span."""
        return [c for c in self.find(text, context) if c.rank == 1]

    # -- ranking --

    @staticmethod
    def _ranked(text: str, start: int, end: int, readings: list[_Reading],
                context: Context) -> list[Coordinate]:
        scored: list[tuple[float, int, _Reading]] = []
        seen: set[tuple[float, float, str]] = set()
        for order, reading in enumerate(readings):
            if not (-90 <= reading.lat <= 90 and -180 <= reading.lon <= 180):
                continue
            key = (round(reading.lat, 6), round(reading.lon, 6), reading.datum)
            if key in seen:
                continue
            seen.add(key)
            score = reading.prior * (1.0 if in_indochina(reading.lat, reading.lon) else 0.1)
            if context.reference is not None:
                km = distance_m(reading.lat, reading.lon, *context.reference) / 1000
                score *= 1 / (1 + km / 30)
            scored.append((score, order, reading))
        scored.sort(key=lambda s: (-s[0], s[1]))
        out = []
        for rank, (score, _order, r) in enumerate(scored, 1):
            notes = r.notes + (("outside Indochina",) if not in_indochina(r.lat, r.lon) else ())
            out.append(Coordinate(
                r.lat, r.lon, r.notation, r.datum, r.uncertainty_m, start, end,
                text[start:end], plausibility=min(1.0, score), rank=rank,
                candidates=len(scored), notes=notes, projection=r.projection))
        return out

    # -- the datum a text speaks of, near a span --

    @staticmethod
    def _datum_near(text: str, start: int, end: int, default: str = WGS84) -> tuple[str, bool]:
        """The datum named within a sentence-sized window of the span; (datum, stated)."""
        window = text[max(0, start - 120):end + 120]
        if _VN2000_CUE.search(window):
            return VN2000, True
        if _INDIAN_CUE.search(window):
            return INDIAN1960, True
        if _WGS_CUE.search(window):  # "WGS 84", or "GPS": a receiver speaks WGS 84
            return WGS84, True
        return default, False

    def _to_wgs84(self, datum: str, lon: float, lat: float) -> tuple[float, float, float]:
        return self.geo.datum_to_wgs84(datum, lon, lat)

    # -- map links and geo: URIs --

    def _links(self, text: str, context: Context, taken: list[bool]
               ) -> Iterable[tuple[int, int, list[_Reading]]]:
        for match in _GEO_URI.finditer(text):
            lat, lon = float(match["lat"]), float(match["lon"])
            params = dict(p.split("=", 1) for p in match["params"].split(";")[1:] if "=" in p)
            query = match.group(0).split("?", 1)[1] if "?" in match.group(0) else ""
            q = parse_qs(query).get("q", [""])[0]
            inner = re.match(r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)", q)
            if lat == 0 and lon == 0 and inner:  # geo:0,0?q=lat,lon(label): Android's form
                lat, lon = float(inner[1]), float(inner[2])
                digits = min(_decimals(inner[1]), _decimals(inner[2]))
            else:
                digits = min(_decimals(match["lat"]), _decimals(match["lon"]))
            try:
                stated = float(params.get("u", ""))
            except ValueError:
                stated = 0.0
            if not (math.isfinite(stated) and 0 <= stated <= 100_000):
                stated = 0.0  # "u=inf", "u=-5": not an uncertainty RFC 5870 allows
            radius = max(stated, _decimal_radius(lat, digits, digits))
            yield match.start(), match.end(), [_Reading(lat, lon, "geo-uri", WGS84, radius)]
        for match in _URL.finditer(text):
            end = match.end()
            while end > match.start() and text[end - 1] in ".,;:!?)]}":
                end -= 1  # the sentence's punctuation, not the link's
            found = _link_point(text[match.start():end])
            if found is not None:
                lat, lon, digits = found
                yield match.start(), end, [_Reading(
                    lat, lon, "map-link", WGS84, _decimal_radius(lat, digits, digits))]

    # -- VN-2000 X/Y --

    def _xy(self, text: str, context: Context, taken: list[bool]
            ) -> Iterable[tuple[int, int, list[_Reading]]]:
        for match in _XY.finditer(text):
            if match["l1"] == match["l2"]:
                continue
            values = {match["l1"]: match["v1"], match["l2"]: match["v2"]}
            x, y = _big(values["X"]), _big(values["Y"])
            unit = max(_unit_of(values["X"]), _unit_of(values["Y"]))
            datum, stated = self._datum_near(text, match.start(), match.end(), VN2000)
            notes = () if stated else ("datum not written: VN-2000 assumed for X/Y",)
            readings = []
            if 900_000 <= x <= 2_700_000 and 100_000 <= y < 1_000_000:  # X the northing
                readings += self._grid_readings(text, match.start(), match.end(), context, y,
                                                x, unit, datum, notes)
            if 900_000 <= y <= 2_700_000 and 100_000 <= x < 1_000_000:
                # X written as the easting, the Western way round: a reading, ranked lower.
                for reading in self._grid_readings(text, match.start(), match.end(), context,
                                                   x, y, unit, datum, notes):
                    reading.prior *= 0.6
                    reading.notes += ("X and Y read the other way round (X as the easting)",)
                    readings.append(reading)
            if readings:
                yield match.start(), match.end(), readings

    def _grid_readings(self, text: str, start: int, end: int, context: Context,
                       easting: float, northing: float, unit: float, datum: str,
                       notes: tuple[str, ...]) -> list[_Reading]:
        """X/Y (or E/N) numbers in every projection the text allows, best guess first."""
        window = text[max(0, start - 160):end + 160]
        keys: list[tuple[tuple, str, float, tuple[str, ...]]] = []
        meridian = _meridian(window)
        zone_match = _ZONE_WORD.search(window)
        zone = int(zone_match["zone"] or zone_match["zone2"]) if zone_match else None
        if datum != VN2000:
            zones = [zone] if zone else [48, 49]
            for z in zones:
                keys.append((("utm", datum, z, False), f"UTM {z}N", 1.0 if zone else 0.9,
                             () if zone else (f"zone not written: UTM {z}N assumed",)))
        elif meridian is not None:
            three = bool(_THREE_DEG.search(window))
            six = bool(_SIX_DEG.search(window)) and not three
            utm_zone = int((meridian + 183) / 6)
            if six:
                keys.append((("utm", VN2000, utm_zone, False), f"UTM {utm_zone}N", 1.0, ()))
            else:
                keys.append((("tm", meridian, 0.9999), f"TM-3 {_dm(meridian)}", 1.0, ()))
                if meridian in (99.0, 105.0, 111.0) and not three:
                    # 105° is Hà Nội's 3° meridian and the 6° zone 48's: both, 3° first.
                    keys.append((("utm", VN2000, utm_zone, False), f"UTM {utm_zone}N", 0.9,
                                 ("zone size not written: 6° zone (k0 0.9996) read too",)))
        elif zone is not None and not _THREE_DEG.search(window):
            keys.append((("utm", VN2000, zone, False), f"UTM {zone}N", 1.0, ()))
        else:
            # A province the text names settles the meridian; one the caller passes (where the
            # household is, a lead's description) only ranks its meridians first.
            named = provinces_named(window)
            provinces = named or provinces_named(context.province)
            for index, province in enumerate(provinces):
                m = PROVINCE_MERIDIANS[province]
                keys.append((("tm", m, 0.9999), f"TM-3 {_dm(m)}", 1.0 - 0.05 * index,
                             (f"central meridian {_dm(m)} of {province} (from the province)",)))
            if not named:
                # Nothing says which zone: every zone used in Vietnam is a candidate.
                keys.append((("utm", VN2000, 48, False), "UTM 48N", 0.6,
                             ("zone not written: 6° zone 48 assumed",)))
                keys.append((("utm", VN2000, 49, False), "UTM 49N", 0.55,
                             ("zone not written: 6° zone 49 assumed",)))
                for m in sorted(set(PROVINCE_MERIDIANS.values())):
                    keys.append((("tm", m, 0.9999), f"TM-3 {_dm(m)}", 0.5,
                                 (f"zone not written: 3° zone {_dm(m)} assumed",)))
        readings = []
        for key, projection, prior, extra in keys:
            lon, lat = self.geo.grid_to_geographic(key, easting, northing)
            if not (math.isfinite(lon) and math.isfinite(lat)):
                continue
            lon, lat, accuracy = self._to_wgs84(datum, lon, lat)
            radius = math.hypot(unit * math.sqrt(2) / 2, accuracy)
            readings.append(_Reading(lat, lon, "vn2000" if key[0] == "tm" or datum == VN2000
                                     else "utm", datum, radius, prior, notes + extra,
                                     projection))
        return readings

    # -- UTM --

    def _utm(self, text: str, context: Context, taken: list[bool]
             ) -> Iterable[tuple[int, int, list[_Reading]]]:
        for match in _UTM.finditer(text):
            if not (match["cue"] or match["cue2"] or match["band"] or match["zoneword"]):
                continue  # "48 712345 1854321" alone is too little to call it UTM
            zone = int(match["zone"])
            if not 1 <= zone <= 60:
                continue
            first, second = _big(match["v1"]), _big(match["v2"])
            lab1 = (match["lab1"] or match["u1"] or "")[-1:].upper()
            lab2 = (match["lab2"] or match["u2"] or "")[-1:].upper()
            if lab1 == "N" or lab2 == "E" or (not lab1 and not lab2 and first > second
                                               and first >= 1_000_000):
                first, second = second, first
            easting, northing = first, second
            if not (100_000 <= easting < 900_000 and 0 <= northing <= 10_000_000):
                continue
            unit = max(_unit_of(match["v1"]), _unit_of(match["v2"]))
            datum, stated = self._datum_near(text, match.start(), match.end())
            notes = () if stated else ("datum not written: WGS 84 assumed",)
            band = match["band"]
            hemispheres: list[tuple[bool, float, tuple[str, ...]]] = []
            if band in (None, "N"):
                hemispheres.append((False, 1.0, ()))
            elif band == "S":  # band S (32–40°N), or the southern hemisphere
                hemispheres.append((False, 1.0, ("S read as latitude band S",)))
                hemispheres.append((True, 1.0, ("S read as the southern hemisphere",)))
            else:
                hemispheres.append((band < "N", 1.0, ()))
            readings = []
            for south, prior, extra in hemispheres:
                key = ("utm", datum, zone, south)
                lon, lat = self.geo.grid_to_geographic(key, easting, northing)
                if not (math.isfinite(lon) and math.isfinite(lat)):
                    continue
                lon, lat, accuracy = self._to_wgs84(datum, lon, lat)
                band_ok = band in (None, "N", "S") or _band_of(lat) == band
                readings.append(_Reading(
                    lat, lon, "utm", datum, math.hypot(unit * math.sqrt(2) / 2, accuracy),
                    prior * (1.0 if band_ok else 0.5), notes + extra + (
                        () if band_ok else (f"band {band} does not match the northing",)),
                    f"UTM {zone}{'S' if south else 'N'}"))
            yield match.start(), match.end(), readings

    # -- MGRS --

    def _mgrs(self, text: str, context: Context, taken: list[bool]
              ) -> Iterable[tuple[int, int, list[_Reading]]]:
        for match in _MGRS.finditer(text):
            digits_text = match["digits"]
            groups = digits_text.split()
            if len(groups) == 2:
                if len(groups[0]) != len(groups[1]):
                    continue
                digits = "".join(groups)
            else:
                digits = digits_text
                if len(digits) % 2:
                    continue
            if match["zone"] is None:
                before = text[max(0, match.start() - 40):match.start()]
                cued = bool(_MGRS_CUE.search(before))
                if not (cued or len(groups) == 2 or len(digits) >= 6):
                    continue  # "TV 2024", "HD 1234": two capitals and a number are not a grid
            datum, stated = self._datum_near(text, match.start(), match.end())
            notes: tuple[str, ...] = () if stated else ("datum not written: WGS 84 assumed",)
            cell = 10.0 ** (5 - len(digits) // 2)
            if match["zone"] is not None:
                zones = [(int(match["zone"]), match["band"], 1.0, ())]
            else:
                zones = [(z, b, 1.0, (f"grid zone not written: {z}{b} inferred "
                                      "(Vietnam, Laos, Cambodia)",))
                         for z in (48, 49, 47) for b in ("Q", "P")]
            readings = []
            for zone, band, prior, extra in zones:
                reference = f"{zone:02d}{band}{match['sq']}{digits}"
                point = self._mgrs_point(reference, datum, match["zone"] is None)
                if point is None:
                    continue
                lat, lon, accuracy = point
                readings.append(_Reading(lat, lon, "mgrs", datum,
                                         math.hypot(cell * math.sqrt(2) / 2, accuracy), prior,
                                         notes + extra, f"MGRS {zone}{band}"))
            if readings:
                yield match.start(), match.end(), readings

    def _mgrs_point(self, reference: str, datum: str, inferred: bool
                    ) -> tuple[float, float, float] | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if datum == WGS84:
                    lat, lon = self.geo.mgrs.toLatLon(reference)
                    accuracy = 0.0
                else:
                    # The wartime sheets letter their squares as MGRS does today (AA scheme):
                    # the square gives UTM numbers, read on the sheet's own datum.
                    zone, hemi, easting, northing = self.geo.mgrs.MGRSToUTM(reference)
                    lon, lat = self.geo.grid_to_geographic(
                        ("utm", datum, zone, hemi == "S"), easting, northing)
                    lon, lat, accuracy = self._to_wgs84(datum, lon, lat)
                check = self.geo.mgrs.toMGRS(lat, lon, MGRSPrecision=0)
        except Exception:  # the C library's own error: no such square
            return None
        if inferred and not (check[:5] == reference[:5] and in_indochina(lat, lon)) \
                and datum == WGS84:
            return None  # that zone and band have no such square here
        if inferred and not in_indochina(lat, lon):
            return None
        return lat, lon, accuracy

    # -- latitude and longitude as angles --

    def _angles(self, text: str, context: Context, taken: list[bool]
                ) -> Iterable[tuple[int, int, list[_Reading]]]:
        angles = []
        position = 0
        while (match := _ANGLE.search(text, position)) is not None:
            if match["suf"] and (match["pre"] or match["preword"] or match["cuehem"]):
                match = _ANGLE_PREFIXED.match(text, match.start()) or match
            position = match.end()
            if any(taken[match.start():match.end()]):
                continue
            angle = _angle(match, text)
            if angle is not None:
                angles.append(angle)
        index = 0
        while index + 1 < len(angles):
            first, second = angles[index], angles[index + 1]
            gap = text[first.end:second.start]
            if len(gap) <= 14 and re.fullmatch(_SEP + r"(?:(?i:và|and|&)" + _SEP + ")?", gap):
                readings = self._pair(text, first, second)
                if readings:
                    yield first.start, second.end, readings
                    index += 2
                    continue
            index += 1

    def _pair(self, text: str, first: _Angle, second: _Angle) -> list[_Reading]:
        inside = in_indochina(first.value, second.value) or in_indochina(
            second.value, first.value)
        if not (first.strong or second.strong):
            # Two plain decimals: only with enough digits, or where a coordinate is expected.
            if first.decimals < 2 or second.decimals < 2:
                return []
            if not inside and (first.decimals < 4 or second.decimals < 4):
                return []
        named = first.axis or second.axis or first.sign or second.sign
        if not named and not (first.minutes or second.minutes) and not inside \
                and (first.decimals < 4 or second.decimals < 4):
            return []  # "38,5 độ, 39,1 độ": a fever, an angle; nothing says latitude
        if first.axis is not None and first.axis == second.axis:
            return []
        notation = "dms" if (first.seconds or second.seconds) else (
            "ddm" if (first.minutes or second.minutes) else "decimal")
        datum, stated = self._datum_near(text, first.start, second.end)
        notes: tuple[str, ...] = () if stated else ("datum not written: WGS 84 assumed",)
        orders: list[tuple[_Angle, _Angle, float, tuple[str, ...]]] = []
        if first.axis == "lon" or second.axis == "lat":
            orders.append((second, first, 1.0, ()))
        elif first.axis == "lat" or second.axis == "lon":
            orders.append((first, second, 1.0, ()))
        else:
            orders.append((first, second, 1.0, ()))
            orders.append((second, first, 0.7, ("read as longitude, latitude",)))
        readings = []
        for lat_a, lon_a, prior, extra in orders:
            lat_signs = [(lat_a.sign or 1, 1.0, ())]
            other = lon_a.letter
            if lat_a.letter == "N" and other not in ("E", "W"):
                # Vietnamese N = Nam (south); English N = north. Both, ranked.
                lat_signs.append((-1, 0.9, ("N read as Nam (south)",)))
            for lat_sign, p2, extra2 in lat_signs:
                lat = lat_a.value * lat_sign
                lon = lon_a.value * (lon_a.sign or 1)
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    continue
                radius = _angle_radius(lat, lat_a.unit_deg, lon_a.unit_deg)
                accuracy = 0.0
                if datum != WGS84:
                    lon, lat, accuracy = self._to_wgs84(datum, lon, lat)
                readings.append(_Reading(lat, lon, notation, datum, math.hypot(radius, accuracy),
                                         prior * p2, notes + extra + extra2))
        return readings


# -- helpers -------------------------------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): for ranking only, never for a stored result."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def _angle_radius(lat: float, unit_lat_deg: float, unit_lon_deg: float) -> float:
    """Half the diagonal of the cell the last digits written leave open."""
    dy = unit_lat_deg * EARTH_M_PER_DEG
    dx = unit_lon_deg * EARTH_M_PER_DEG * math.cos(math.radians(lat))
    return max(0.1, math.hypot(dx, dy) / 2)


def _decimal_radius(lat: float, lat_digits: int, lon_digits: int) -> float:
    return _angle_radius(lat, 10.0 ** -lat_digits, 10.0 ** -lon_digits)


def _unit_of(number: str) -> float:
    number = number.strip()
    if re.fullmatch(r"\d{1,3}(?:[. ]\d{3}){1,2}(?:,\d+)?", number):
        return 10.0 ** -(len(number.split(",", 1)[1]) if "," in number else 0)
    return 10.0 ** -_decimals(number)


def _band_of(lat: float) -> str:
    bands = "CDEFGHJKLMNPQRSTUVWX"
    return bands[min(19, max(0, int((lat + 80) // 8)))]


def _dm(degrees: float) -> str:
    whole = int(degrees)
    return f"{whole}°{round((degrees - whole) * 60):02d}′"


def _meridian(window: str) -> float | None:
    match = _MERIDIAN.search(window)
    if match is None:
        return None
    value = float(match["deg"])
    if match["frac"]:
        value = float(f"{match['deg']}.{match['frac']}")
    elif match["min"]:
        value += int(match["min"]) / 60
    return value if 99 <= value <= 118 else None


def _link_point(url: str) -> tuple[float, float, int] | None:
    """(lat, lon, decimals) from a Google Maps, OpenStreetMap or Apple Maps link."""
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not any(name in host for name in ("google.", "openstreetmap.", "osm.org", "apple.com")):
        return None
    path = unquote(parts.path)
    number = r"(-?\d{1,3}(?:\.\d+)?)"
    patterns = [r"!3d" + number + r"!4d" + number, r"@" + number + r"," + number]
    for pattern in patterns:  # the place itself (!3d!4d) before the view's centre (@)
        found = re.search(pattern, path)
        if found:
            return _checked(found[1], found[2])
    query = parse_qs(parts.query)
    for key in ("mlat",):
        if key in query and "mlon" in query:
            return _checked(query["mlat"][0], query["mlon"][0])
    for key in ("q", "query", "ll", "sll", "center", "destination", "daddr", "saddr"):
        for value in query.get(key, []):
            found = re.fullmatch(r"\s*(?:loc:)?" + number + r"\s*,\s*" + number + r"\s*",
                                 unquote(value))
            if found:
                return _checked(found[1], found[2])
    found = re.search(r"map=\d{1,2}(?:\.\d+)?/" + number + "/" + number, parts.fragment)
    if found:
        return _checked(found[1], found[2])
    return None


def _checked(lat_text: str, lon_text: str) -> tuple[float, float, int] | None:
    lat, lon = float(lat_text), float(lon_text)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon, min(_decimals(lat_text), _decimals(lon_text))


_SHORT_LINK = _compile(r"(?i:(?:https?://)?(?:maps\.app\.goo\.gl|goo\.gl/maps)/[\w\-]+)")


def short_links(text: str) -> list[str]:
    """Shortened map links in a text: they hold no coordinate until opened on the internet,
    so they are not read; a caller can say so (open it, copy the point it shows)."""
    return [m.group(0) for m in _SHORT_LINK.finditer(text or "")]


def find_coordinates(text: str, context: Context | None = None,
                     reader: CoordinateReader | None = None) -> list[Coordinate]:
    """Every coordinate in a text (see CoordinateReader.find). Pass a reader when reading
    many texts: it keeps its PROJ transformers."""
    return (reader or CoordinateReader()).find(text, context)


__all__ = ["INDIAN1960", "NOTE_CODES", "VN2000", "WGS84", "Context", "Coordinate",
           "CoordinateReader", "find_coordinates", "fold", "in_indochina", "note_code",
           "provinces_named", "short_links", "to_mgrs"]

