"""A labelled synthetic set of martyr mentions: many people, each told about several times.

Each person is written the way three kinds of source write: the province's list (full name with
diacritics, old commune with "xã/huyện/tỉnh", "Trung đoàn 24, Sư đoàn 304", d/m/yyyy), a
relative at a visit ("Hùng (anh Ba)" or only "anh Ba", the commune after the 2025 merger,
"tháng 8 năm 1972" or a year), a comrade ("NGUYEN V. HUNG", "Cam Lộ, Quảng Trị", "c2 d8 E24
F304", m/yyyy). Huỳnh/Hoàng and Võ/Vũ swap, typing slips, birth years ±2 and missing fields are
mixed in, and some people have a namesake from the same commune born a few years apart.

    python -m sync.server.cases.synthetic --people 4200 --seed 15 --out mentions.csv
"""

from __future__ import annotations

import argparse
import csv
import random
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from sync.server.cases.mentions import COLUMNS, Mention
from sync.server.cases.normalise import AdminIndex, admin_index

SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 3.5),
            ("Huỳnh", 1.5), ("Phan", 4.5), ("Vũ", 2.5), ("Võ", 1.5), ("Đặng", 2), ("Bùi", 2),
            ("Đỗ", 1.5), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Đinh", 1),
            ("Trương", 1), ("Lương", 0.5), ("Mai", 0.5), ("Cao", 0.5), ("Tạ", 0.3)]
MIDDLES = [("Văn", 45), ("Đình", 6), ("Hữu", 6), ("Xuân", 5), ("Quang", 5), ("Minh", 5),
           ("Đức", 5), ("Công", 5), ("Ngọc", 4), ("Thanh", 4), ("Trọng", 3), ("Mạnh", 3),
           ("Bá", 2), ("Viết", 2), ("Duy", 2)]
GIVEN = ("Hùng Dũng Tuấn Minh Nam Hải Sơn Thắng Lợi Bình An Hòa Thành Trung Hưng Long Quang "
         "Cường Đức Tâm Toàn Hiếu Nghĩa Phúc Lộc Thọ Tài Chiến Thuận Vinh Hiển Khánh Quý "
         "Bảo Định Hoan Lực Mạnh Tiến Hậu Thịnh Sang Tùng Phong Kiên Luận Trường Cảnh Khoa "
         "Đạt Điền Hạnh Lâm Bắc Đông Thái Hoàng Tân Ninh Phương Huấn Lãm Thiện Chính Trí "
         "Nhân Kỳ Ngọ Tý Sửu Dần Mão Thìn Tỵ Mùi Thân Dậu Tuất Hợi Quyết Thông Thủy Bổng "
         "Chức Đoàn Giáp Hiệp Khiêm Lạc Mẫn Nhạ Oanh Sỹ Tạo Uy Vượng Xuyên Yên Ánh").split()
WOMEN_GIVEN = "Lan Hoa Mai Hương Hạnh Thủy Nga Tuyết Liên Xuân Cúc Đào Tư Lý".split()
ORDER_WORDS = {2: "Hai", 3: "Ba", 4: "Tư", 5: "Năm", 6: "Sáu", 7: "Bảy", 8: "Tám", 9: "Chín",
               10: "Mười"}
DIVISIONS = [304, 308, 312, 320, 324, 325, 316, 341, 968, 7, 9, 5, 2, 3, 10, 1, 330, 31]
PLACES = ["Khe Sanh", "Thành cổ Quảng Trị", "Đường 9", "Cửa Việt", "Đắk Tô", "Plei Me",
          "Lộc Ninh", "Bình Long", "Huế", "Xuân Lộc", "Buôn Ma Thuột", "Tây Ninh", "Củ Chi",
          "Đồng Xoài", "Cồn Tiên", "Dốc Miếu", "Làng Vây", "Tà Cơn", "Nam Lào", "Campuchia",
          "Vị Xuyên", "Trị Thiên", "Đồi A Bia", "Bến Hải", "Gio Linh", "Cam Lộ", "Hướng Hóa"]


@dataclass(frozen=True)
class Person:
    person_id: str
    surname: str
    middle: str
    given: str
    female: bool
    birth_order: int | None
    birth_year: int
    commune: tuple[str, str, str]  # old province, district, ward keys
    unit: tuple[int | None, int | None, int | None, int | None, int | None]  # c, d, e, f, tnxp
    death: tuple[int, int, int]
    death_place: str


def _weighted(rng: random.Random, pairs: list[tuple[str, float]]) -> str:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]


def _communes(admin: AdminIndex, rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """Old communes that the 2025 mapping knows, from the provinces most martyrs came from."""
    wards = admin.legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"]
    keys = [(p, d, w) for p, ds in wards.items() for d, ws in ds.items() for w in ws
            if ws[w]["wardType"] == "Xã" and f"{p}_{d}_{w}" in admin.ward_map]
    return rng.sample(keys, min(count, len(keys)))


def _people(admin: AdminIndex, rng: random.Random, count: int, namesakes: float
            ) -> list[Person]:
    communes = _communes(admin, rng, max(40, count // 6))
    given_weights = [1 / (i + 3) for i in range(len(GIVEN))]  # a few names very common
    people: list[Person] = []
    while len(people) < count:
        female = rng.random() < 0.04
        born = rng.randint(1925, 1957)
        death_year = rng.randint(max(born + 16, 1946), min(born + 35, 1979))
        if rng.random() < 0.12:
            unit = (None, None, None, None, rng.randint(1, 120))
        else:
            unit = (rng.randint(1, 20), rng.randint(1, 9), rng.randint(1, 280),
                    rng.choice(DIVISIONS), None)
        person = Person(
            f"p{len(people):06d}", _weighted(rng, SURNAMES),
            "Thị" if female else _weighted(rng, MIDDLES),
            rng.choice(WOMEN_GIVEN) if female else rng.choices(GIVEN, given_weights)[0],
            female, rng.randint(2, 10) if rng.random() < 0.45 else None, born,
            rng.choice(communes), unit, (death_year, rng.randint(1, 12), rng.randint(1, 28)),
            rng.choice(PLACES))
        people.append(person)
        if rng.random() < namesakes and len(people) < count:
            # the same name from the same commune, a few years apart: another man entirely
            other_born = born + rng.choice([-1, 1]) * rng.randint(3, 8)
            other_death = max(other_born + 17, rng.randint(1950, 1979))
            people.append(replace(
                person, person_id=f"p{len(people):06d}", birth_year=other_born,
                birth_order=rng.randint(2, 10) if rng.random() < 0.45 else None,
                unit=(rng.randint(1, 20), rng.randint(1, 9), rng.randint(1, 280),
                      rng.choice(DIVISIONS), None),
                death=(min(other_death, 1985), rng.randint(1, 12), rng.randint(1, 28)),
                death_place=rng.choice(PLACES)))
    return people


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c))


def _slip(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind < 0.7:
        return word[:i] + word[i + 1:]
    return word[:i] + rng.choice("aeionhtu") + word[i + 1:]


_SWAP = {"Hoàng": "Huỳnh", "Huỳnh": "Hoàng", "Vũ": "Võ", "Võ": "Vũ"}


def _name(rng: random.Random, p: Person, style: str) -> tuple[str, str]:
    surname = _SWAP.get(p.surname, p.surname) if rng.random() < 0.4 else p.surname
    order = ORDER_WORDS.get(p.birth_order or 0)
    kin = "chị" if p.female else "anh"
    if style == "relative" and order and rng.random() < 0.08:
        return f"{kin} {order}", ""
    if style == "relative" and rng.random() < 0.08:  # the family says only his name
        return (f"{p.given} ({kin} {order})" if order else p.given), ""
    middle = p.middle
    r = rng.random()
    if r < 0.15:
        middle = ""
    elif r < 0.3:
        middle = _fold(p.middle)[0] + "."
    given = p.given
    if rng.random() < 0.05:
        given = _slip(rng, given)
    full = " ".join(x for x in (surname, middle, given) if x)
    if style == "comrade" and rng.random() < 0.5:
        full = _fold(full).upper()
    other = ""
    if order and style == "relative" and rng.random() < 0.6:
        full = f"{full} ({kin} {order})" if rng.random() < 0.5 else full
        other = "" if "(" in full else f"{kin} {order}"
    elif order and rng.random() < 0.15:
        other = f"{order} {p.given}"
    return full, other


def _home(admin: AdminIndex, rng: random.Random, p: Person, style: str) -> str:
    prov, district, ward = p.commune
    legacy = admin.legacy
    pinfo = legacy["DICT_PROVINCE"][prov]
    dinfo = legacy["DICT_PROVINCE_DISTRICT"][prov][district]
    winfo = legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"][prov][district][ward]
    new_prov = admin.old_to_new_province[prov]
    new_ward = admin.ward_map[f"{prov}_{district}_{ward}"]
    r = rng.random()
    if style == "list" or r < 0.25:
        text = f"{winfo['ward']}, {dinfo['district']}, {pinfo['province']}".replace(
            "Xã", "xã").replace("Huyện", "huyện").replace("Tỉnh", "tỉnh")
    elif r < 0.5:
        text = f"{winfo['wardShort']}, {dinfo['districtShort']}, {pinfo['provinceShort']}"
    elif r < 0.7 and new_ward in admin.new["DICT_PROVINCE_WARD_NO_ACCENTED"].get(new_prov, {}):
        new_info = admin.new["DICT_PROVINCE_WARD_NO_ACCENTED"][new_prov][new_ward]
        new_pinfo = admin.new["DICT_PROVINCE"][new_prov]
        text = f"{new_info['ward']}, {new_pinfo['province']}".replace("Xã", "xã")
    elif r < 0.85:
        text = f"{dinfo['districtShort']}, {pinfo['provinceShort']}"
    else:
        text = _fold(f"{winfo['wardShort']} {dinfo['district']} {pinfo['province']}").lower()
    return text


def _unit(rng: random.Random, p: Person, style: str) -> str:
    c, d, e, f, tnxp = p.unit
    if tnxp is not None:
        return rng.choice([f"Đội TNXP {tnxp}", f"Thanh niên xung phong đội {tnxp}",
                           f"TNXP đội {tnxp}"])
    r = rng.random()
    if style == "list" or r < 0.3:
        return f"Trung đoàn {e}, Sư đoàn {f}"
    if r < 0.55:
        return f"E{e} F{f}"
    if r < 0.75:
        return f"c{c} d{d} e{e} f{f}"
    if r < 0.9:
        return f"Đại đội {c}, Tiểu đoàn {d}, Trung đoàn {e}"
    return f"C{c}-D{d}-E{e}"


def _death(rng: random.Random, p: Person, style: str) -> str:
    y, m, d = p.death
    if rng.random() < 0.04:
        y += rng.choice([-1, 1])  # remembered a year off
    r = rng.random()
    if style == "list" or r < 0.3:
        return f"{d}/{m}/{y}"
    if r < 0.5:
        return f"{m}/{y}"
    if r < 0.7:
        return f"tháng {m} năm {y}"
    if r < 0.8:
        return f"ngày {d} tháng {m} năm {y}"
    return str(y)


def _mention(admin: AdminIndex, rng: random.Random, p: Person, mention_id: str) -> Mention:
    style = rng.choices(["list", "relative", "comrade"], [0.35, 0.4, 0.25])[0]
    missing = {"list": 0.05, "relative": 0.25, "comrade": 0.35}[style]
    full, other = _name(rng, p, style)
    born = p.birth_year
    r = rng.random()
    if r < 0.15:
        born += rng.choice([-1, 1])
    elif r < 0.2:
        born += rng.choice([-2, 2])

    def keep(value: str, chance: float = missing) -> str:
        return "" if rng.random() < chance else value

    return Mention(
        mention_id=mention_id, full_name=full, other_names=other,
        birth_year=keep(str(born), missing * 1.5),
        home_town=keep(_home(admin, rng, p, style), missing * (1.6 if style == "comrade" else 1)),
        unit=keep(_unit(rng, p, style), {"list": 0.1, "relative": 0.5, "comrade": 0.1}[style]),
        death_date=keep(_death(rng, p, style)),
        death_place=keep(p.death_place, 0.5 if style != "comrade" else 0.2))


def generate(people: int, seed: int, *, mentions_per_person: float = 2.5,
             namesakes: float = 0.1, admin: AdminIndex | None = None
             ) -> tuple[list[Mention], dict[str, str]]:
    """(mentions, mention id -> person id); reproducible from the seed."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible test set, not a secret
    admin = admin or admin_index()
    persons = _people(admin, rng, people, namesakes)
    mentions: list[Mention] = []
    truth: dict[str, str] = {}
    for person in persons:
        count = max(1, min(8, round(rng.expovariate(1 / mentions_per_person) + 0.5)))
        for _ in range(count):
            mention_id = f"m{len(mentions):07d}"
            mentions.append(_mention(admin, rng, person, mention_id))
            truth[mention_id] = person.person_id
    order = list(range(len(mentions)))
    rng.shuffle(order)  # the order of a file says nothing about who is who
    return [mentions[i] for i in order], truth


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int


def pairwise_scores(case_of: dict[str, str], truth: dict[str, str]) -> Scores:
    """Pairwise precision and recall of a clustering against the labels."""
    from collections import Counter

    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    predicted = pairs(Counter(case_of[m] for m in truth))
    true = pairs(Counter(truth.values()))
    correct = pairs(Counter((case_of[m], p) for m, p in truth.items()))
    return Scores(correct / predicted if predicted else 1.0, correct / true if true else 1.0,
                  predicted, true, correct)


def write_csv(mentions: list[Mention], path: Path, truth: dict[str, str] | None = None) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*COLUMNS, *(["person_id"] if truth else [])])
        for m in mentions:
            writer.writerow([getattr(m, c) for c in COLUMNS]
                            + ([truth[m.mention_id]] if truth else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync.server.cases.synthetic")
    parser.add_argument("--people", type=int, default=4200)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--labels", action="store_true", help="add the person_id column")
    args = parser.parse_args(argv)
    mentions, truth = generate(args.people, args.seed)
    write_csv(mentions, args.out, truth if args.labels else None)
    print(f"{len(mentions)} mentions of {len(set(truth.values()))} people -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
