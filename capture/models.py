"""The station's records. Every table lives inside the SQLCipher database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp stored as ISO 8601 text: SQLite's DATETIME drops the offset,
    and the audit chain hashes the exact text, so it must round-trip unchanged."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        return None if value is None else datetime.fromisoformat(value)


class Base(DeclarativeBase):
    pass


class Station(Base):
    """This laptop's identity. One row."""

    __tablename__ = "station"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[int] = mapped_column(Integer)
    ward_code: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Raw private keys; safe here only because the whole database is encrypted.
    signing_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    identity_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    auto_lock_minutes: Mapped[int] = mapped_column(Integer, default=10)
    # A training vault (capture/practice.py): set at creation, never changed; nothing leaves it.
    practice: Mapped[bool] = mapped_column(Boolean, default=False)
    # Days after delivery to the command when a visit's media leave this laptop; None: never.
    media_retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_passphrase: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ObjectRow(Base):
    """An encrypted object in ``objects/``. The row commits only after the file is durable."""

    __tablename__ = "objects"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # Delivered to the command and removed from this laptop (capture/retention.py): the row,
    # its size and digest stay, the file is gone on purpose.
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class AuditEvent(Base):
    """Append-only and hash-chained: each event's hash covers the previous event's hash."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


# --- the visit (PRODUCT.md "The visit — the unit of work") -------------------------------------
# Dates a family remembers are often partial ("1968", "3/1972"): they are kept as text in the
# shape YYYY, YYYY-MM or YYYY-MM-DD (capture/visits.py checks it), never as a guessed full date.


class Visit(Base):
    __tablename__ = "visits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_date: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    province_code: Mapped[int] = mapped_column(Integer)
    ward_code: Mapped[int] = mapped_column(Integer)
    village: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(Text, default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    latitude: Mapped[float | None] = mapped_column(nullable=True)
    longitude: Mapped[float | None] = mapped_column(nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Martyr(Base):
    __tablename__ = "martyrs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    full_name: Mapped[str] = mapped_column(Text)
    other_names: Mapped[str] = mapped_column(Text, default="")
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    home_town: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(Text, default="")
    enlistment_date: Mapped[str] = mapped_column(String(10), default="")
    death_date: Mapped[str] = mapped_column(String(10), default="")
    death_place: Mapped[str] = mapped_column(Text, default="")
    burial_info: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Person(Base):
    """Someone present at the visit: a relative, a witness or a veteran."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))  # relative | witness | veteran
    full_name: Mapped[str] = mapped_column(Text)
    relationship: Mapped[str] = mapped_column(Text, default="")  # to the martyr, for relatives
    martyr_id: Mapped[str | None] = mapped_column(ForeignKey("martyrs.id"), nullable=True)
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    unit: Mapped[str] = mapped_column(Text, default="")  # veterans
    battles: Mapped[str] = mapped_column(Text, default="")  # veterans
    dna_willing: Mapped[bool] = mapped_column(Boolean, default=False)
    dna_contact: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Item(Base):
    """A keepsake, diary, letter, map, photograph, death notice, certificate or other."""

    __tablename__ = "items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(Text, default="")
    condition: Mapped[str] = mapped_column(Text, default="")
    martyr_id: Mapped[str | None] = mapped_column(ForeignKey("martyrs.id"), nullable=True)
    cover_page_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Page(Base):
    """One photographed page or view of an item, or a video clip of it. The original is the
    object, bit-exact; rotation is applied to previews only."""

    __tablename__ = "pages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    media: Mapped[str] = mapped_column(String(10), default="photo")  # photo | video
    object_name: Mapped[str] = mapped_column(ForeignKey("objects.name"))
    original_filename: Mapped[str] = mapped_column(Text, default="")
    rotation: Mapped[int] = mapped_column(Integer, default=0)  # extra, clockwise, 0/90/180/270
    meta: Mapped[str] = mapped_column(Text, default="{}")  # JSON: EXIF, size, duration, quality
    thumbnail_object: Mapped[str | None] = mapped_column(ForeignKey("objects.name"),
                                                         nullable=True)
    preview_object: Mapped[str | None] = mapped_column(ForeignKey("objects.name"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Lead(Base):
    """A clue: a possible burial place or other lead, with where it came from."""

    __tablename__ = "leads"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    martyr_id: Mapped[str | None] = mapped_column(ForeignKey("martyrs.id"), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(nullable=True)
    longitude: Mapped[float | None] = mapped_column(nullable=True)
    grid_reference: Mapped[str] = mapped_column(Text, default="")  # as spoken or drawn
    source_kind: Mapped[str] = mapped_column(String(20), default="other")  # testimony|page|other
    source_ref: Mapped[str] = mapped_column(String(64), default="")  # marker or page id
    confidence: Mapped[str] = mapped_column(String(10), default="medium")  # low|medium|high
