"""Plain helpers between the visit forms and the core: partial dates as families say them, and
the rows of the visit list, the names of item kinds. No widgets here (pages and the review
both use these: keeping them here keeps the editor and the review from importing each other)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from capture import places, visits
from capture.vault import UnlockedVault
from capture.visits import InvalidPartialDate, ItemKind

_DMY = re.compile(r"^(?:(\d{1,2})[/.-])?(?:(\d{1,2})[/.-])?(\d{4})$")
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def date_to_core(text: str) -> str:
    """"1968", "03/1968", "15/03/1968" (or already "1968-03-15") to YYYY[-MM[-DD]].
    Raises the core's InvalidPartialDate for anything else; the core checks the day exists."""
    text = text.strip()
    if not text or _ISO.match(text):
        return text
    match = _DMY.match(text)
    if not match:
        raise InvalidPartialDate()
    first, second, year = match.groups()
    if first and second:
        return f"{year}-{int(second):02d}-{int(first):02d}"
    if first:
        return f"{year}-{int(first):02d}"
    return year


def date_from_core(value: str) -> str:
    """YYYY[-MM[-DD]] to the way it is written in Vietnam: 1968, 03/1968, 15/03/1968."""
    if not value:
        return ""
    parts = value.split("-")
    return "/".join(reversed(parts))


@dataclass(frozen=True)
class VisitRow:
    id: str
    visit_date: str
    status: str
    contact_name: str
    place: str
    martyr_names: str
    items: int
    pages: int


def visit_rows(vault: UnlockedVault) -> list[VisitRow]:
    rows = []
    for summary in visits.list_visits(vault):
        try:
            ward = places.ward_name(summary.ward_code)
        except Exception:  # a code from an older list: show the village alone
            ward = ""
        place = ", ".join(part for part in (summary.village, ward) if part)
        rows.append(VisitRow(summary.id, summary.visit_date, summary.status.value,
                             summary.contact_name, place, ", ".join(summary.martyr_names),
                             summary.items, summary.pages))
    return rows


def new_visit_for_station(vault: UnlockedVault) -> str:
    """A new draft visit placed, to begin with, in the station's own province and ward."""
    from capture import station

    info = station.info(vault)
    return visits.create_visit(vault, visits.Household(info.province_code, info.ward_code))


ITEM_KIND_LABELS = {
    ItemKind.KEEPSAKE: QT_TRANSLATE_NOOP("ItemKind", "Keepsake"),
    ItemKind.DIARY: QT_TRANSLATE_NOOP("ItemKind", "Battlefield diary"),
    ItemKind.LETTER: QT_TRANSLATE_NOOP("ItemKind", "Letter"),
    ItemKind.MAP: QT_TRANSLATE_NOOP("ItemKind", "Hand-drawn map"),
    ItemKind.PHOTOGRAPH: QT_TRANSLATE_NOOP("ItemKind", "Photograph"),
    ItemKind.DEATH_NOTICE: QT_TRANSLATE_NOOP("ItemKind", "Death notice"),
    ItemKind.CERTIFICATE: QT_TRANSLATE_NOOP("ItemKind", "Certificate"),
    ItemKind.OTHER: QT_TRANSLATE_NOOP("ItemKind", "Other"),
}


def item_kind_label(kind: ItemKind | str) -> str:
    return QCoreApplication.translate("ItemKind", ITEM_KIND_LABELS[ItemKind(kind)])
