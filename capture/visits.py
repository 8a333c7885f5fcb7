"""Visits and what they hold: household, martyrs, people present, items and their pages, leads.

Every function takes the unlocked vault first, checks the role, writes in one transaction and
records the change in the audit log. The UI passes plain dataclasses in and gets them back.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from capture import places, search
from capture.errors import CaptureError
from capture.models import Item, Lead, Martyr, ObjectRow, Page, Person, Visit
from capture.roles import Action, allowed
from capture.vault import UnlockedVault


class VisitError(CaptureError):
    message = "The visit could not be changed."


class VisitNotFound(VisitError):
    message = "This visit no longer exists on this station."


class VisitNotEditable(VisitError):
    message = ("This visit was already submitted ({status}); it can only be changed once it "
               "is returned to you.")


class InvalidPartialDate(VisitError):
    message = "Write the date as a year (1968), a month and year (03/1968) or a full date."


class InvalidCoordinates(VisitError):
    message = "The GPS position is outside the valid range (latitude ±90, longitude ±180)."


class InvalidBirthYear(VisitError):
    message = "The year of birth {year} is not plausible."


class VisitNotEmpty(VisitError):
    message = "Only an empty visit can be deleted; this one already holds records."


class MartyrNameMissing(VisitError):
    message = "The martyr's full name is needed (write what the family knows)."


class PersonNameMissing(VisitError):
    message = "The person's name is needed."


class ItemHasPages(VisitError):
    message = "Remove the item's pages first."


class PageOrderMismatch(VisitError):
    message = "The new order must list every page of the item once."


class PageWithoutObject(VisitError):
    message = "A page must point at a file stored in the vault."


class CoverNotOwnPage(VisitError):
    message = "The cover must be one of the item's own pages."


class VisitStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


EDITABLE = {VisitStatus.DRAFT, VisitStatus.RETURNED}


class PersonKind(StrEnum):
    RELATIVE = "relative"
    WITNESS = "witness"
    VETERAN = "veteran"


class ItemKind(StrEnum):
    KEEPSAKE = "keepsake"
    DIARY = "diary"
    LETTER = "letter"
    MAP = "map"
    PHOTOGRAPH = "photograph"
    DEATH_NOTICE = "death_notice"
    CERTIFICATE = "certificate"
    OTHER = "other"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# --- what the UI edits ------------------------------------------------------------------------


@dataclass
class Household:
    province_code: int
    ward_code: int
    village: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    latitude: float | None = None
    longitude: float | None = None
    notes: str = ""


@dataclass
class MartyrData:
    full_name: str
    other_names: str = ""
    birth_year: int | None = None
    home_town: str = ""
    unit: str = ""
    enlistment_date: str = ""
    death_date: str = ""
    death_place: str = ""
    burial_info: str = ""
    notes: str = ""


@dataclass
class PersonData:
    kind: PersonKind
    full_name: str
    relationship: str = ""
    martyr_id: str | None = None
    birth_year: int | None = None
    phone: str = ""
    unit: str = ""
    battles: str = ""
    dna_willing: bool = False
    dna_contact: str = ""
    notes: str = ""


@dataclass
class ItemData:
    kind: ItemKind
    title: str = ""
    description: str = ""
    owner: str = ""
    condition: str = ""
    martyr_id: str | None = None


@dataclass
class LeadData:
    description: str = ""
    latitude: float | None = None
    longitude: float | None = None
    grid_reference: str = ""
    martyr_id: str | None = None
    source_kind: str = "other"
    source_ref: str = ""
    confidence: Confidence = Confidence.MEDIUM


@dataclass
class PageRecord:
    id: str
    position: int
    media: str
    object_name: str
    original_filename: str
    rotation: int
    meta: dict[str, Any]
    thumbnail_object: str | None
    preview_object: str | None


@dataclass
class ItemRecord:
    id: str
    data: ItemData
    cover_page_id: str | None
    pages: list[PageRecord] = field(default_factory=list)


@dataclass
class VisitRecord:
    id: str
    visit_date: str
    status: VisitStatus
    household: Household
    martyrs: list[tuple[str, MartyrData]]
    people: list[tuple[str, PersonData]]
    items: list[ItemRecord]
    leads: list[tuple[str, LeadData]]
    created_by: int


@dataclass(frozen=True)
class VisitSummary:
    id: str
    visit_date: str
    status: VisitStatus
    contact_name: str
    village: str
    ward_code: int
    martyr_names: tuple[str, ...]
    items: int
    pages: int


# --- checks -----------------------------------------------------------------------------------

_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def check_partial_date(text: str) -> str:
    """'' or YYYY, YYYY-MM, YYYY-MM-DD that exists. Families often know only the year."""
    text = text.strip()
    if not text:
        return ""
    if not _PARTIAL_DATE.match(text):
        raise InvalidPartialDate()
    parts = [int(p) for p in text.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise InvalidPartialDate() from None
    if not 1850 <= parts[0] <= date.today().year:
        raise InvalidPartialDate()
    return text


def _check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidCoordinates()
    if latitude is not None and longitude is not None and not (
            -90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidCoordinates()


def _check_birth_year(year: int | None) -> None:
    if year is not None and not 1850 <= year <= date.today().year:
        raise InvalidBirthYear(year=year)


# --- helpers ----------------------------------------------------------------------------------

Row = TypeVar("Row")


def _new_id() -> str:
    return str(uuid.uuid4())


def _values(data: object) -> dict[str, Any]:
    out = {}
    for f in fields(data):  # type: ignore[arg-type]
        value = getattr(data, f.name)
        out[f.name] = value.strip() if isinstance(value, str) else value
    return out


def _editable_visit(session: Session, visit_id: str) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise VisitNotFound()
    if visit.status not in EDITABLE:
        raise VisitNotEditable(status=visit.status)
    return visit


def _touch(vault: UnlockedVault, visit: Visit) -> None:
    visit.updated_at = vault.clock()


def _next_position(session: Session, model: Any, column: Any, owner: str) -> int:
    current = session.scalar(select(func.max(model.position)).where(column == owner))
    return 0 if current is None else current + 1


def _visit_of(session: Session, model: Any, row_id: str) -> tuple[Any, Visit]:
    row = session.get(model, row_id)
    if row is None:
        raise VisitNotFound()
    visit_id = row.visit_id if hasattr(row, "visit_id") else session.get(Item, row.item_id).visit_id

    return row, _editable_visit(session, visit_id)


# --- visits -----------------------------------------------------------------------------------


def create_visit(vault: UnlockedVault, household: Household, visit_date: date | None = None
                 ) -> str:
    vault.require(Action.CAPTURE)
    places.check_place(household.province_code, household.ward_code)
    _check_coordinates(household.latitude, household.longitude)
    now = vault.clock()
    visit_id = _new_id()
    with vault.writing() as session:
        session.add(Visit(id=visit_id, visit_date=(visit_date or now.date()).isoformat(),
                          status=VisitStatus.DRAFT.value, created_by=vault.actor.user_id,
                          created_at=now, updated_at=now, **_values(household)))
        vault.audit(session, "create", "visit", visit_id, ward=household.ward_code)
        search.reindex_visit(session, visit_id)
    return visit_id


def update_household(vault: UnlockedVault, visit_id: str, household: Household) -> None:
    vault.require(Action.CAPTURE)
    places.check_place(household.province_code, household.ward_code)
    _check_coordinates(household.latitude, household.longitude)
    with vault.writing() as session:
        visit = _editable_visit(session, visit_id)
        changed = _assign(visit, household)
        _touch(vault, visit)
        vault.audit(session, "change", "visit", visit_id, fields=changed)
        search.reindex_visit(session, visit_id)


def _assign(row: object, data: object) -> list[str]:
    """Copy a dataclass onto a row; return the names of the fields that changed (the audit
    log records which fields, not their values: those stay in the encrypted rows)."""
    changed = []
    for name, value in _values(data).items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def delete_visit(vault: UnlockedVault, visit_id: str) -> None:
    """Only an empty draft can go (a mistaken 'new visit'); anything captured stays."""
    vault.require(Action.CAPTURE)
    with vault.writing() as session:
        visit = _editable_visit(session, visit_id)
        for model in (Martyr, Person, Item, Lead):
            if session.scalar(select(func.count()).select_from(model)
                              .where(model.visit_id == visit_id)):
                raise VisitNotEmpty()
        session.delete(visit)
        vault.audit(session, "delete", "visit", visit_id)
        search.reindex_visit(session, visit_id)


def list_visits(vault: UnlockedVault) -> list[VisitSummary]:
    if not _can_review(vault):
        vault.require(Action.CAPTURE)
    with vault.reading() as session:
        visits = list(session.scalars(select(Visit).order_by(Visit.visit_date.desc(),
                                                             Visit.created_at.desc())))
        names: dict[str, list[str]] = {}
        for visit_id, name in session.execute(
                select(Martyr.visit_id, Martyr.full_name).order_by(Martyr.position)):
            names.setdefault(visit_id, []).append(name)
        item_counts = dict(session.execute(
            select(Item.visit_id, func.count()).group_by(Item.visit_id)).all())
        page_counts = dict(session.execute(
            select(Item.visit_id, func.count(Page.id)).join(Page, Page.item_id == Item.id)
            .group_by(Item.visit_id)).all())
        return [VisitSummary(v.id, v.visit_date, VisitStatus(v.status), v.contact_name,
                             v.village, v.ward_code, tuple(names.get(v.id, ())),
                             item_counts.get(v.id, 0), page_counts.get(v.id, 0))
                for v in visits]


def _can_review(vault: UnlockedVault) -> bool:
    return allowed(vault.actor.role, Action.REVIEW)


def load_visit(vault: UnlockedVault, visit_id: str) -> VisitRecord:
    if not _can_review(vault):
        vault.require(Action.CAPTURE)
    with vault.reading() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise VisitNotFound()
        household = Household(**{f.name: getattr(visit, f.name) for f in fields(Household)})

        def rows(model: Any) -> list[Any]:
            return list(session.scalars(select(model).where(model.visit_id == visit_id)
                                        .order_by(model.position)))

        def data(cls: Any, row: Any) -> Any:
            return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

        items = []
        for item in rows(Item):
            pages = session.scalars(select(Page).where(Page.item_id == item.id)
                                    .order_by(Page.position))
            items.append(ItemRecord(item.id, data(ItemData, item), item.cover_page_id, [
                PageRecord(p.id, p.position, p.media, p.object_name, p.original_filename,
                           p.rotation, json.loads(p.meta), p.thumbnail_object, p.preview_object)
                for p in pages]))
        return VisitRecord(
            id=visit.id, visit_date=visit.visit_date, status=VisitStatus(visit.status),
            household=household,
            martyrs=[(m.id, data(MartyrData, m)) for m in rows(Martyr)],
            people=[(p.id, data(PersonData, p)) for p in rows(Person)],
            items=items,
            leads=[(lead.id, data(LeadData, lead)) for lead in rows(Lead)],
            created_by=visit.created_by)


# --- martyrs, people, items, leads: one shape each -------------------------------------------


def _validate(data: object) -> None:
    if isinstance(data, MartyrData):
        if not data.full_name.strip():
            raise MartyrNameMissing()
        data.enlistment_date = check_partial_date(data.enlistment_date)
        data.death_date = check_partial_date(data.death_date)
        _check_birth_year(data.birth_year)
    elif isinstance(data, PersonData):
        PersonKind(data.kind)
        if not data.full_name.strip():
            raise PersonNameMissing()
        _check_birth_year(data.birth_year)
    elif isinstance(data, ItemData):
        ItemKind(data.kind)
    elif isinstance(data, LeadData):
        _check_coordinates(data.latitude, data.longitude)
        Confidence(data.confidence)


_MODELS: dict[type, tuple[Any, str]] = {
    MartyrData: (Martyr, "martyr"),
    PersonData: (Person, "person"),
    ItemData: (Item, "item"),
    LeadData: (Lead, "lead"),
}


def add(vault: UnlockedVault, visit_id: str, data: MartyrData | PersonData | ItemData | LeadData
        ) -> str:
    """Add a martyr, a person, an item or a lead to a visit; returns its id."""
    vault.require(Action.CAPTURE)
    _validate(data)
    model, entity = _MODELS[type(data)]
    row_id = _new_id()
    with vault.writing() as session:
        visit = _editable_visit(session, visit_id)
        session.add(model(id=row_id, visit_id=visit_id,
                          position=_next_position(session, model, model.visit_id, visit_id),
                          **_values(data)))
        _touch(vault, visit)
        vault.audit(session, "create", entity, row_id, visit=visit_id)
        search.reindex_visit(session, visit_id)
    return row_id


def update(vault: UnlockedVault, row_id: str,
           data: MartyrData | PersonData | ItemData | LeadData) -> None:
    vault.require(Action.CAPTURE)
    _validate(data)
    model, entity = _MODELS[type(data)]
    with vault.writing() as session:
        row, visit = _visit_of(session, model, row_id)
        changed = _assign(row, data)
        _touch(vault, visit)
        vault.audit(session, "change", entity, row_id, fields=changed)
        search.reindex_visit(session, visit.id)


def remove(vault: UnlockedVault, kind: type, row_id: str) -> None:
    """Remove a martyr, person or lead entered by mistake. Items with pages are kept: remove
    their pages first, so a photo is never dropped by a stray click on its item."""
    vault.require(Action.CAPTURE)
    model, entity = _MODELS[kind]
    with vault.writing() as session:
        row, visit = _visit_of(session, model, row_id)
        if model is Item and session.scalar(
                select(func.count()).select_from(Page).where(Page.item_id == row_id)):
            raise ItemHasPages()
        if model is Martyr:  # people, items and leads that named this martyr keep their data
            for ref_model in (Person, Item, Lead):
                for ref in session.scalars(select(ref_model).where(ref_model.martyr_id == row_id)):
                    ref.martyr_id = None
        session.delete(row)
        _touch(vault, visit)
        vault.audit(session, "delete", entity, row_id, visit=visit.id)
        search.reindex_visit(session, visit.id)


# --- pages ------------------------------------------------------------------------------------


def add_page(vault: UnlockedVault, item_id: str, object_name: str, *, media: str = "photo",
             original_filename: str = "", meta: dict[str, Any] | None = None,
             thumbnail_object: str | None = None, preview_object: str | None = None) -> str:
    """Attach a stored object (already committed in the vault) as the item's next page."""
    vault.require(Action.CAPTURE)
    with vault.writing() as session:
        return insert_page(vault, session, item_id, object_name, media=media,
                           original_filename=original_filename, meta=meta,
                           thumbnail_object=thumbnail_object, preview_object=preview_object)


def insert_page(vault: UnlockedVault, session: Session, item_id: str, object_name: str, *,
                media: str = "photo", original_filename: str = "",
                meta: dict[str, Any] | None = None, thumbnail_object: str | None = None,
                preview_object: str | None = None) -> str:
    """``add_page`` inside the caller's write transaction (the importer commits the objects'
    rows and the page together, so a failed import leaves neither)."""
    page_id = _new_id()
    item = session.get(Item, item_id)
    if item is None:
        raise VisitNotFound()
    visit = _editable_visit(session, item.visit_id)
    for name in filter(None, (object_name, thumbnail_object, preview_object)):
        if session.get(ObjectRow, name) is None:
            raise PageWithoutObject()
    session.add(Page(id=page_id, item_id=item_id, media=media, object_name=object_name,
                     position=_next_position(session, Page, Page.item_id, item_id),
                     original_filename=original_filename,
                     meta=json.dumps(meta or {}, ensure_ascii=False, sort_keys=True),
                     thumbnail_object=thumbnail_object, preview_object=preview_object,
                     created_at=vault.clock()))
    if item.cover_page_id is None:
        item.cover_page_id = page_id
    _touch(vault, visit)
    vault.audit(session, "create", "page", page_id, item=item_id, object=object_name)
    return page_id


def reorder_pages(vault: UnlockedVault, item_id: str, page_ids: list[str]) -> None:
    vault.require(Action.CAPTURE)
    with vault.writing() as session:
        item = session.get(Item, item_id)
        if item is None:
            raise VisitNotFound()
        visit = _editable_visit(session, item.visit_id)
        pages = {p.id: p for p in session.scalars(select(Page).where(Page.item_id == item_id))}
        if sorted(pages) != sorted(page_ids):
            raise PageOrderMismatch()
        for position, page_id in enumerate(page_ids):
            pages[page_id].position = position
        _touch(vault, visit)
        vault.audit(session, "change", "item", item_id, page_order=page_ids)


def rotate_page(vault: UnlockedVault, page_id: str, quarter_turns: int) -> int:
    """Turn the page's previews clockwise; the original stays bit-exact. Returns the rotation."""
    vault.require(Action.CAPTURE)
    with vault.writing() as session:
        page, visit = _visit_of(session, Page, page_id)
        page.rotation = (page.rotation + 90 * quarter_turns) % 360
        _touch(vault, visit)
        vault.audit(session, "change", "page", page_id, rotation=page.rotation)
        return page.rotation


def set_cover(vault: UnlockedVault, item_id: str, page_id: str) -> None:
    vault.require(Action.CAPTURE)
    with vault.writing() as session:
        page, visit = _visit_of(session, Page, page_id)
        if page.item_id != item_id:
            raise CoverNotOwnPage()
        session.get(Item, item_id).cover_page_id = page_id
        _touch(vault, visit)
        vault.audit(session, "change", "item", item_id, cover=page_id)


def remove_page(vault: UnlockedVault, page_id: str) -> None:
    """Detach a page from its item. The stored object stays in the vault (and in the audit
    log); only a later clean-up of unreferenced objects may remove it."""
    vault.require(Action.CAPTURE)
    with vault.writing() as session:
        page, visit = _visit_of(session, Page, page_id)
        item = session.get(Item, page.item_id)
        session.delete(page)
        if item.cover_page_id == page_id:
            first = session.scalar(select(Page.id).where(Page.item_id == item.id,
                                                         Page.id != page_id)
                                   .order_by(Page.position).limit(1))
            item.cover_page_id = first
        _touch(vault, visit)
        vault.audit(session, "delete", "page", page_id, item=item.id, object=page.object_name)
