"""The linking model's settings, written out as ``model.json`` (the model is data).

    python -m sync.server.cases.make_model           # the settings (no trained parameters)
    python -m sync.server.cases.make_model --train   # … then m/u trained on the synthetic set

Comparison SQL uses only what DuckDB and Spark both have (=, abs, substr, levenshtein,
coalesce) so the same JSON runs on either. Comparisons use Splink's ``name_l``/``name_r``
columns, blocking rules ``l.name``/``r.name``.
"""

from __future__ import annotations

import json
import re
from typing import Any


def build() -> dict[str, Any]:
    def lvl(sql, label, tf=None, null=False, weight=None):
        d = {"sql_condition": sql, "label_for_charts": label}
        if null:
            d["is_null_level"] = True
        if tf:
            d["tf_adjustment_column"] = tf
            d["tf_adjustment_weight"] = 1.0 if weight is None else weight
        return d

    ELSE = lvl("ELSE", "all other")
    alias = ("(l.given = r.alias1 OR l.given = r.alias2 OR r.given = l.alias1 OR r.given = l.alias2"
             " OR l.alias1 = r.alias1)")
    midok = ("(l.middle_init = r.middle_init OR l.middle_init = '' OR r.middle_init = ''"
             " OR substr(l.middle_init, 1, 1) = substr(r.middle_init, 1, 1))")
    comparisons = [
        {"output_column_name": "name", "comparison_description": "full name, folded and original",
         "comparison_levels": [
            lvl("l.given IS NULL OR r.given IS NULL", "a name missing", null=True),
            lvl("l.name_orig = r.name_orig", "same name, same diacritics", tf="name_fold"),
            lvl("l.name_fold = r.name_fold", "same name folded", tf="name_fold"),
            lvl("l.given = r.given AND l.surname = r.surname AND " + midok,
                "same surname and given, middle missing or initial", tf="given"),
            lvl("l.given = r.given AND (l.surname IS NULL OR r.surname IS NULL)",
                "same given name, surname missing", tf="given"),
            lvl("levenshtein(l.name_fold, r.name_fold) <= 2", "typing slip (≤ 2 edits)"),
            lvl("l.given = r.given", "same given name, other surname or middle", tf="given"),
            lvl(alias, "an alias matches"),
            ELSE]},
        {"output_column_name": "birth_year", "comparison_description": "birth year ±2",
         "comparison_levels": [
            lvl("l.birth_year IS NULL OR r.birth_year IS NULL", "birth year missing", null=True),
            lvl("l.birth_year = r.birth_year", "same birth year"),
            lvl("abs(l.birth_year - r.birth_year) <= 1", "birth year ±1"),
            lvl("abs(l.birth_year - r.birth_year) <= 2", "birth year ±2"),
            ELSE]},
        {"output_column_name": "home_town", "comparison_description":
            "home town through the 2025 reorganisation",
         "comparison_levels": [
            lvl("l.ht_province IS NULL OR r.ht_province IS NULL", "home town missing", null=True),
            lvl("l.ht_old = r.ht_old", "same old commune (before 2025)", tf="ht_old", weight=0.5),
            lvl("l.ht_ward = r.ht_ward AND (l.ht_old IS NULL OR r.ht_old IS NULL)",
                "same commune after 2025, old commune on one side only", tf="ht_ward", weight=0.5),
            lvl("l.ht_ward = r.ht_ward", "two old communes merged into one in 2025"),
            lvl("l.ht_district = r.ht_district AND (l.ht_ward IS NULL OR r.ht_ward IS NULL)",
                "same old district, commune not written on one side"),
            lvl("l.ht_province = r.ht_province AND (l.ht_ward IS NULL OR r.ht_ward IS NULL)"
                " AND (l.ht_district IS NULL OR r.ht_district IS NULL)",
                "same province, commune not written on one side"),
            lvl("l.ht_province = r.ht_province", "same province, other commune"),
            ELSE]},
        {"output_column_name": "unit", "comparison_description": "unit (c/d/e/f, TNXP team)",
         "comparison_levels": [
            lvl("(l.unit_e IS NULL AND l.unit_f IS NULL AND l.unit_tnxp IS NULL) OR"
                " (r.unit_e IS NULL AND r.unit_f IS NULL AND r.unit_tnxp IS NULL)",
                "unit missing", null=True),
            lvl("l.unit_tnxp = r.unit_tnxp", "same TNXP team"),
            lvl("l.unit_e = r.unit_e AND l.unit_f = r.unit_f"
                " AND coalesce(l.unit_d = r.unit_d, true)",
                "same regiment and division"),
            lvl("l.unit_e = r.unit_e"
                " AND (l.unit_f IS NULL OR r.unit_f IS NULL OR l.unit_f = r.unit_f)",
                "same regiment, division compatible"),
            lvl("l.unit_f = r.unit_f AND (l.unit_e IS NULL OR r.unit_e IS NULL)",
                "same division, regiment not written on one side"),
            ELSE]},
        {"output_column_name": "death_date", "comparison_description":
            "death date to the precision both sides give",
         "comparison_levels": [
            lvl("l.death_year IS NULL OR r.death_year IS NULL", "death date missing", null=True),
            lvl("l.death_year = r.death_year AND l.death_month = r.death_month"
                " AND l.death_day = r.death_day", "same day"),
            lvl("l.death_year = r.death_year AND l.death_month = r.death_month",
                "same month, day on one side only"),
            lvl("l.death_year = r.death_year AND (l.death_month IS NULL OR r.death_month IS NULL)",
                "same year, month on one side only"),
            lvl("l.death_year = r.death_year", "same year, other month"),
            lvl("abs(l.death_year - r.death_year) <= 1", "year ±1"),
            ELSE]},
        {"output_column_name": "birth_order", "comparison_description": "birth-order name (anh Ba)",
         "comparison_levels": [
            lvl("l.birth_order IS NULL OR r.birth_order IS NULL", "birth order missing", null=True),
            lvl("l.birth_order = r.birth_order", "same birth order"),
            ELSE]},
        {"output_column_name": "death_place", "comparison_description": "where he fell",
         "comparison_levels": [
            lvl("l.death_place IS NULL OR r.death_place IS NULL", "death place missing", null=True),
            lvl("l.death_place = r.death_place", "same place"),
            lvl("levenshtein(l.death_place, r.death_place) <= 2", "nearly the same place"),
            ELSE]},
    ]
    blocking = [
        "l.given = r.given AND l.surname = r.surname AND l.ht_province = r.ht_province",
        "l.given = r.given AND l.birth_year = r.birth_year",
        "l.given = r.given AND l.surname = r.surname AND l.death_year = r.death_year",
        "l.given = r.given AND l.unit_e = r.unit_e AND l.unit_f = r.unit_f",
        "l.ht_ward = r.ht_ward AND l.birth_order = r.birth_order",
        "l.ht_district = r.ht_district AND l.birth_year = r.birth_year",
        "l.ht_ward = r.ht_ward AND l.death_year = r.death_year AND l.death_month = r.death_month",
        "l.given = r.given AND l.surname = r.surname AND l.unit_e = r.unit_e",
        "l.given = r.given AND l.surname = r.surname AND l.death_place = r.death_place",
        "l.given = r.given AND l.surname = r.surname AND l.unit_tnxp = r.unit_tnxp",
        "l.surname = r.surname AND l.unit_e = r.unit_e AND l.death_year = r.death_year",
        "l.surname = r.surname AND l.ht_ward = r.ht_ward AND l.death_year = r.death_year",
        "l.given = r.given AND l.ht_district = r.ht_district",
        "l.surname = r.surname AND l.birth_year = r.birth_year AND l.ht_province = r.ht_province",
        "l.surname = r.surname AND l.unit_e = r.unit_e AND l.unit_f = r.unit_f",
        "l.surname = r.surname AND l.death_year = r.death_year AND l.death_month = r.death_month",
        "l.given = r.given AND l.surname = r.surname AND l.birth_order = r.birth_order",
        "substr(l.given, 1, 2) = substr(r.given, 1, 2) AND l.surname = r.surname"
        " AND l.ht_district = r.ht_district",
    ]
    def suffixed(sql):
        return re.sub(r"\b([lr])\.(\w+)", lambda m: f"{m.group(2)}_{m.group(1)}", sql)

    for c in comparisons:
        for level in c["comparison_levels"]:
            level["sql_condition"] = suffixed(level["sql_condition"])
    model = {
        "about": "Số hóa ký ức — linking martyr mentions into cases. Splink settings "
                 "(portable SQL: "
                 "DuckDB and Spark), training blocks and thresholds. See docs/cases.md.",
        "thresholds": {"surely_different": 0.2, "link": 0.5, "surely_same": 0.995},
        "training": {
            "deterministic_rules": ["l.name_fold = r.name_fold AND l.birth_year = r.birth_year"
                                    " AND l.ht_ward = r.ht_ward"],
            "deterministic_recall": 0.08,
            "u_max_pairs": 1000000,
            "em_blocks": [
                "l.given = r.given AND l.surname = r.surname AND l.birth_year = r.birth_year",
                "l.ht_ward = r.ht_ward AND l.birth_year = r.birth_year",
                "l.given = r.given AND l.ht_ward = r.ht_ward",
            ],
        },
        "splink": {
            "link_type": "dedupe_only",
            "unique_id_column_name": "unique_id",
            "probability_two_random_records_match": 0.0001,
            "blocking_rules_to_generate_predictions": [{"blocking_rule": b} for b in blocking],
            "comparisons": comparisons,
            "retain_matching_columns": True,
            "retain_intermediate_calculation_columns": False,
            "max_iterations": 20,
            "em_convergence": 0.001,
        },
    }
    return model


def train_shipped(seed: int = 15) -> None:
    """Train on the labelled synthetic set and keep the m/u values in model.json, so that
    ``--no-train`` (small files) has parameters to apply."""
    from sync.server.cases.linker import MODEL_PATH, link_table, load_model
    from sync.server.cases.mentions import feature_table
    from sync.server.cases.normalise import admin_index
    from sync.server.cases.synthetic import generate

    mentions, _truth = generate(4200, seed)
    shipped = load_model()
    trained = link_table(feature_table(mentions, admin_index()), shipped, seed=seed).model
    MODEL_PATH.write_text(json.dumps(trained, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")


if __name__ == "__main__":
    import sys

    from sync.server.cases.linker import MODEL_PATH

    MODEL_PATH.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    if "--train" in sys.argv:
        train_shipped()
