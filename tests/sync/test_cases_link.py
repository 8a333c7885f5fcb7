"""The linker on a labelled synthetic set, and ``sohoa-server cases link`` as a script runs it.

The set (sync/server/cases/synthetic.py) has every variant the issue lists: Huỳnh/Hoàng and
Võ/Vũ, missing middle names and initials, "anh Ba", typing slips, birth years ±2, death dates
in five spellings, home towns before and after the 2025 merger, c/d/e/f and written-out units,
TNXP teams, missing fields, and namesakes from the same commune born a few years apart.
"""

from __future__ import annotations

import csv
import time
from collections import Counter, defaultdict
from itertools import combinations

import pytest

from sync.server.__main__ import main
from sync.server.cases.linker import link_table, load_model
from sync.server.cases.mentions import COLUMNS, Mention, feature_table
from sync.server.cases.normalise import admin_index
from sync.server.cases.synthetic import generate, pairwise_scores, write_csv


@pytest.mark.slow
def test_linker_precision_and_recall_at_its_default_threshold():
    started = time.monotonic()
    mentions, truth = generate(4200, seed=15)
    assert len(mentions) >= 10_000 and len(set(truth.values())) >= 4_000
    linkage = link_table(feature_table(mentions, admin_index()), threads=2)
    scores = pairwise_scores(linkage.case_of, truth)
    assert set(linkage.case_of) == set(truth)  # every mention has a case
    by_id = {m.mention_id: m for m in mentions}
    members = defaultdict(list)  # case -> its mentions (grouped once: 4,000 cases)
    for m, c in linkage.case_of.items():
        members[c].append(m)
    merged = Counter()  # wrong pairs in one case, by the cases that hold them
    for case, in_case in members.items():
        people = Counter(truth[m] for m in in_case)
        if len(people) > 1:
            merged[case] = sum(a * b for a, b in combinations(people.values(), 2))
    print(f"\n{len(mentions)} mentions of {len(set(truth.values()))} people: precision "
          f"{scores.precision:.4f}, recall {scores.recall:.4f} ({scores.correct_pairs} of "
          f"{scores.true_pairs} true pairs, {scores.predicted_pairs} predicted), "
          f"{len(linkage.review)} pairs to review, {time.monotonic() - started:.1f} s")
    for case, wrong in merged.most_common(3):
        print(f"wrongly merged ({wrong} pairs):")
        for m in sorted(members[case]):
            print(f"  {truth[m]}  {by_id[m]}")
    split = defaultdict(set)
    for m, person in truth.items():
        split[person].add(linkage.case_of[m])
    mentions_of = defaultdict(list)
    for m, p in truth.items():
        mentions_of[p].append(m)
    for person, cases in sorted(split.items(), key=lambda kv: -len(kv[1]))[:2]:
        print(f"split into {len(cases)} cases: {person}")
        for m in sorted(mentions_of[person]):
            print(f"  {linkage.case_of[m]}  {by_id[m]}")
    assert scores.precision >= 0.97
    assert scores.recall >= 0.93
    # the review list says why: each comparison's level and its match weight
    pair = linkage.review[0]
    assert set(pair.reasons) == {"name", "birth_year", "home_town", "unit", "death_date",
                                 "birth_order", "death_place"}
    low, high = (load_model()["thresholds"][k] for k in ("surely_different", "surely_same"))
    assert all(low <= r.match_probability < high or r.held_apart for r in linkage.review)


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def _cases(path):
    with path.open(encoding="utf-8") as f:
        return {r["mention_id"]: r["case_id"] for r in csv.DictReader(f)}


def test_cases_link_one_martyr_three_voices_and_his_namesake(tmp_path, capsys):
    rows = [
        # the province's list, his sister, a comrade: one man
        ("list-1", "Nguyễn Văn Hùng", "", "1948", "xã Cam Chính, huyện Cam Lộ, tỉnh Quảng Trị",
         "Trung đoàn 24, Sư đoàn 304", "15/8/1972", "Thành cổ Quảng Trị"),
        ("visit-7", "Hùng (anh Ba)", "", "1949", "Cam Chính, Quảng Trị", "",
         "tháng 8 năm 1972", ""),
        ("comrade-3", "NGUYEN V. HUNG", "anh Ba", "", "Cam Lộ, Quảng Trị", "c2 d8 E24 F304",
         "8/1972", "Thanh co Quang Tri"),
        # his namesake from the same commune, born six years later, another regiment
        ("list-2", "Nguyễn Văn Hùng", "", "1954", "xã Cam Chính, huyện Cam Lộ, tỉnh Quảng Trị",
         "Trung đoàn 48, Sư đoàn 320", "3/1975", "Buôn Ma Thuột"),
        ("other", "Trần Thị Lan", "", "1950", "Vũ Thư, Thái Bình", "Đội TNXP 55", "1968", ""),
    ]
    mentions = tmp_path / "mentions.csv"
    _write(mentions, rows)
    out = tmp_path / "cases.csv"
    review = tmp_path / "review.csv"
    assert main(["cases", "link", str(mentions), "--out", str(out), "--review",
                 str(review)]) == 0
    cases = _cases(out)
    assert list(cases) == [r[0] for r in rows]  # every row, in the file's order
    assert cases["list-1"] == cases["visit-7"] == cases["comrade-3"]
    assert cases["list-2"] != cases["list-1"]
    assert cases["other"] not in {cases["list-1"], cases["list-2"]}
    assert "5 mentions -> 3 cases" in capsys.readouterr().out
    with review.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[:4] == ["mention_id_left", "mention_id_right", "match_probability",
                          "held_apart"]


def test_cases_link_reports_every_bad_row_and_writes_nothing(tmp_path, capsys):
    mentions = tmp_path / "bad.csv"
    _write(mentions, [
        ("a", "Nguyễn Văn Hùng", "", "1948", "", "", "15/8/1972", ""),
        ("", "Lê Văn Tám", "", "", "", "", "", ""),
        ("c", "Lê Văn Tám", "", "năm ngoái", "", "", "", ""),
        ("d", "Lê Văn Tám", "", "", "", "", "ngày rằm", ""),
        ("a", "Trần Văn B", "", "", "", "", "", ""),
    ])
    with mentions.open("a", encoding="utf-8") as f:
        f.write("e,too,few\n")
    out = tmp_path / "cases.csv"
    assert main(["cases", "link", str(mentions), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nothing was written" in err
    for line, what in ((3, "mention_id is empty"), (4, "birth_year"), (5, "death_date"),
                       (6, "already on line 2"), (7, "3 fields")):
        assert f"line {line}: " in err and what in err
    assert not out.exists()


def test_cases_link_refuses_a_file_that_is_not_utf8(tmp_path, capsys):
    mentions = tmp_path / "cp1258.csv"
    mentions.write_bytes(",".join(COLUMNS).encode() + b"\na,Nguy\xe3n V\xe3n H\xf9ng,,,,,,\n")
    out = tmp_path / "cases.csv"
    assert main(["cases", "link", str(mentions), "--out", str(out)]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_cases_link_trains_on_a_larger_file_and_every_row_gets_a_case(tmp_path):
    mentions, truth = generate(500, seed=3)
    extra = [Mention(mention_id=f"empty-{i}") for i in range(3)]  # rows with only an id
    path = tmp_path / "m.csv"
    write_csv(mentions + extra, path)
    out = tmp_path / "cases.csv"
    model = tmp_path / "trained.json"
    assert main(["cases", "link", str(path), "--out", str(out), "--save-model",
                 str(model)]) == 0
    cases = _cases(out)
    assert len(cases) == len(mentions) + 3
    assert len({cases[f"empty-{i}"] for i in range(3)}) == 3  # nothing to link them on
    assert pairwise_scores({m: cases[m] for m in truth}, truth).precision >= 0.95
    assert "m_probability" in model.read_text(encoding="utf-8")
