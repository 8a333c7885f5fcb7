"""Provinces and communes/wards from the official list after the 2025 reorganisation
(34 provinces, about 3,300 communes and wards), as published by ``vietnam-provinces``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from capture.errors import UnknownPlace


@dataclass(frozen=True)
class Place:
    code: int
    name: str


@cache
def provinces() -> tuple[Place, ...]:
    return tuple(sorted((Place(int(p.code), p.name) for p in Province.iter_all()),
                        key=lambda p: p.code))


@cache
def wards(province_code: int) -> tuple[Place, ...]:
    try:
        code = ProvinceCode(province_code)
    except ValueError:
        raise UnknownPlace(code=province_code) from None
    return tuple(sorted((Place(int(w.code), w.name) for w in Ward.iter_by_province(code)),
                        key=lambda w: w.name))


@cache  # the search index names every visit's place: a lookup per visit when it is rebuilt
def province_name(code: int) -> str:
    try:
        return Province.from_code(ProvinceCode(code)).name
    except ValueError:
        raise UnknownPlace(code=code) from None


@cache
def ward_name(code: int) -> str:
    try:
        return Ward.from_code(WardCode(code)).name
    except ValueError:
        raise UnknownPlace(code=code) from None


def check_place(province_code: int, ward_code: int) -> None:
    if ward_code not in {w.code for w in wards(province_code)}:
        raise UnknownPlace(code=ward_code)
