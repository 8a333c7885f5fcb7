"""Every word of the workbench exists in Vietnamese and in English: the two catalogues have the
same keys, no entry is empty or left in the other language, and every key a template or a view
asks for (also the ones made from a kind, a role or an error code) is in both."""

from __future__ import annotations

import re
from pathlib import Path

from capture.consent import MediaUse
from capture.testimony import MarkerKind
from capture.visits import Confidence, ItemKind, PersonKind, VisitStatus
from sync.server import leads, map_layers, mbtiles_copy
from sync.server.actors import ROLES
from sync.server.search import KINDS
from sync.server.web import i18n

WEB = Path(i18n.__file__).parent


def _asked() -> set[str]:
    """The literal keys in templates (_('key')) and views (error="key")."""
    keys: set[str] = set()
    for template in (WEB / "templates").glob("*.html"):
        keys |= set(re.findall(r"_\('([a-z_.]+)'", template.read_text("utf-8")))
    for view in (WEB / "views").glob("*.py"):
        keys |= set(re.findall(r'(?:error|code)="([a-z_.]+)"', view.read_text("utf-8")))
        keys |= {f"error.{c}" for c in re.findall(r'refuse\(request, \d+, "([a-z_]+)"\)',
                                                  view.read_text("utf-8"))}
    keys |= {f"error.{c}" for c in ("unauthenticated", "forbidden", "csrf", "not_found")}
    return keys


def _families() -> set[str]:
    """Keys made at run time from a value: every value must have its words."""
    made = {f"error.{c}" for c in ("unauthenticated", "forbidden", "csrf", "not_found",
                                   "not_an_image", "nothing_chosen", "own_account")}
    made |= {f"lang.{lang}" for lang in i18n.LANGUAGES} | {f"role.{r}" for r in ROLES}
    made |= {f"kind.{k}" for k in (*KINDS, "part", "part-original")}
    made |= {f"person.{k}" for k in PersonKind} | {f"item.{k}" for k in ItemKind}
    made |= {f"marker.{k}" for k in MarkerKind} | {f"media_use.{k}" for k in MediaUse}
    made |= {f"confidence.{k}" for k in Confidence}
    made |= {f"consent.{k}" for k in ("grant", "amend", "withdraw")}
    made |= {f"review.{k}" for k in ("submitted", "resubmitted", "approved", "returned",
                                     "comment")}
    made |= {f"testimony.{k}" for k in ("recorded", "imported")}
    made |= {f"evidence.{k}" for k in ("signature", "verbal")}
    made |= {f"status.{k}" for k in VisitStatus}
    made |= {f"log.{k}" for k in ("view-visit", "view-person", "view-page", "play",
                                  "download", "press-export", "view-lead", "export-leads")}
    made |= {f"leadstate.{s}" for s in leads.STATES}
    made |= {f"leadmove.{to}" for _, to in leads.TRANSITIONS}
    made |= {f"leadevent.{a}" for a in ("received", "transition", "assign", "comment",
                                        "field_check", "source", "coordinate",
                                        "proposal_rejected", "merge", "merged_in",
                                        "merged_out", "unmerge")}
    made |= {f"leaderror.{c}" for c in re.findall(
        r'LeadError\(\s*"([a-z_]+)"', Path(leads.__file__).read_text("utf-8"))}
    made |= {f"leaderror.{c}" for c in ("not_found", "no_coordinate", "no_corroboration")}
    made |= {f"leadsource.{k}" for k in ("document", "witness", "veteran", "archive", "map",
                                         "other")}
    made |= {f"proposal.{s}" for s in ("proposed", "accepted", "corrected", "rejected")}
    made |= {f"proposal.from.{k}" for k in ("lead", "lead-grid", "marker-label",
                                            "marker-note", "item")}
    from capture.coords import NOTE_CODES
    from sync.server import places

    made.add("proposal.from.page-ocr")
    made |= {f"ocr.{k}" for k in ("done", "failed", "skipped")}
    made |= {f"placekind.{k}" for k in places.KINDS}
    made |= {f"placeerror.{c}" for c in re.findall(
        r'PlaceError\(\s*"([a-z_]+)"', Path(places.__file__).read_text("utf-8"))}
    made |= {f"coordnote.{c}" for c, _ in (*NOTE_CODES, *places._NOTE_CODES)}
    made |= {"coordnote.place_province_assumed", "coordnote.text"}
    # The map's layers (sync/server/map_layers.py): every refusal a page may say, and the kinds.
    refusals = "".join(Path(m.__file__).read_text("utf-8") for m in (map_layers, mbtiles_copy))
    made |= {f"layererror.{c}" for c in re.findall(
        r'(?:LayerError|CopyRefused)\(\s*"([a-z_]+)"', refusals)}
    made |= {f"layererror.{c}" for c in ("not_found", "no_file", "no_name", "busy")}
    made |= {f"layers.kind.{k}" for k in ("geotiff", "mbtiles")}
    made |= {f"reports.by.{k}" for k in ("commune", "station", "province")}
    made |= {f"reports.breakdown.{k}" for k in ("commune", "station", "province")}
    made |= {f"reports.rule.{k}" for k in ("calendar", "decree-09")}
    made |= {f"reports.quick.{k}" for k in ("month", "week", "quarter", "half", "year",
                                            "campaign")}
    made |= _list_and_witness_families()  # h19-lists
    made |= _case_families()
    return made


def _list_and_witness_families() -> set[str]:
    """Imported lists and the witness network (h19-lists): every code their modules raise."""
    from sync.server import list_files, lists, witnesses
    from sync.server.casework_tables import LIST_KINDS

    def codes(module, pattern: str) -> set[str]:  # type: ignore[no-untyped-def]
        return set(re.findall(pattern, Path(module.__file__).read_text("utf-8")))

    made = {f"listkind.{k}" for k in LIST_KINDS} | {f"listfield.{f}" for f in lists.FIELDS}
    made |= {f"listproblem.{c}" for c in lists.PROBLEM_CODES}
    made |= {f"listerror.{c}" for c in codes(lists, r'ListError\(\s*"([a-z_]+)"')}
    made |= {"listerror.upload_gone", "listerror.not_found", "listerror.no_account"}
    made |= {f"listfile.{c}" for c in codes(list_files, r'ListFileError\(\s*"([a-z_]+)"')}
    made |= {f"witnesskind.{k}" for k in (*witnesses.SERVED_KINDS, "relative", "speaker",
                                          "list")}
    made |= {f"witnesses.{d}" for d in witnesses.DECISIONS}
    made |= {f"witnesserror.{c}" for c in codes(witnesses, r'WitnessError\(\s*"([a-z_]+)"')}
    return made


def _case_families() -> set[str]:
    """The cases' words made from a kind, a field, a state, an error code, a model level."""
    from sync.server.cases import casework, dna, tables
    from sync.server.cases.linker import load_model
    from sync.server.cases.sources import FIELDS
    from sync.server.casework_tables import DNA_RESULTS, DNA_STEPS

    made = {f"casekind.{k}" for k in tables.MENTION_KINDS}
    made |= {f"casefield.{f}" for f in FIELDS} | {f"casestate.{s}" for s in tables.CASE_STATES}
    made |= {f"caselink.{a}" for a in ("merge", "split")}
    model = load_model()["splink"]["comparisons"]
    made |= {f"comparison.{c['output_column_name']}" for c in model}
    made |= {f"caselevel.{lv['label_for_charts']}" for c in model
             for lv in c["comparison_levels"]}
    made |= {f"relation.{r}" for r in dna.RELATIONS}
    made |= {f"maternal.{m}" for m in (dna.YES, dna.NO, dna.UNKNOWN)}
    made |= {f"dnastep.{s}" for s in DNA_STEPS} | {f"dnastep.record_{s}" for s in DNA_STEPS}
    made |= {f"dnaresult.{r}" for r in DNA_RESULTS}
    made |= {f"log.{a}" for a in ("view-case", "view-case-pair", "view-case-dna")}
    for module in (casework, dna):
        made |= {f"caseerror.{c}" for c in re.findall(r'CaseError\(\s*"([a-z_]+)"',
                                                       Path(module.__file__).read_text("utf-8"))}
    made |= {f"caseerror.{c}" for c in ("not_found", "unknown_action")}
    return made


def test_both_catalogues_have_the_same_keys_and_no_empty_entry():
    catalogues = i18n.load()
    vi, en = catalogues["vi"].words, catalogues["en"].words
    assert set(vi) == set(en)
    assert [k for k, v in {**vi, **en}.items() if not v.strip()] == []
    # Vietnamese really is Vietnamese: most entries carry a diacritic or differ from English.
    same = [k for k in vi if vi[k] == en[k] and not k.startswith("lang.")]
    assert len(same) <= 5, same


def test_every_key_asked_for_is_in_both():
    catalogues = i18n.load()
    asked = _asked()
    prefixes = {k for k in asked if k.endswith(".")}  # _('kind.' ~ hit.kind) and the like
    families = _families()
    assert [p for p in prefixes if not any(k.startswith(p) for k in families)] == []
    wanted = (asked - prefixes) | families
    assert len(wanted) > 150
    for lang, catalogue in catalogues.items():
        assert sorted(wanted - set(catalogue.words)) == [], lang


def test_the_placeholders_match_in_both_languages():
    catalogues = i18n.load()
    for key, text in catalogues["vi"].words.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(
            re.findall(r"\{(\w+)\}", catalogues["en"].words[key])), key
