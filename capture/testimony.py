"""Testimony: what a witness said, recorded or imported, with its parts and markers.

A testimony belongs to a visit; its speaker is a person of the visit or just a name. It has one
part per device or continuation (a microphone pulled out mid-sentence makes a second part), and
markers on the testimony's own timeline (the parts end to end). While a part is recorded its
audio lives in small committed segments (``recording_segments``, pieces of one FLAC stream);
when it ends they are concatenated into one FLAC object (``TestimonyPart.object_name``) and
removed. Every change is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from xml.etree import ElementTree

from sqlalchemy import Float, ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from capture.coords import Coordinate, CoordinateReader
from capture.errors import CaptureError
from capture.models import Base, Martyr, Person, UtcDateTime, Visit
from capture.roles import Action
from capture.vault import UnlockedVault


class TestimonyNotFound(CaptureError):
    message = "This testimony is no longer in the vault."


class MarkerKind(StrEnum):
    PERSON = "person"
    PLACE = "place"
    UNIT = "unit"
    DATE = "date"
    COORDINATE = "coordinate"
    OTHER = "other"


class PartState(StrEnum):
    RECORDING = "recording"  # segments only; joined when the part ends or at the next unlock
    COMPLETE = "complete"


class Testimony(Base):
    __tablename__ = "testimonies"
    __test__ = False  # not a pytest class

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    speaker_person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    speaker_name: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(Text, default="")  # language or dialect, as said
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TestimonyMartyr(Base):
    __tablename__ = "testimony_martyrs"
    __test__ = False

    testimony_id: Mapped[str] = mapped_column(ForeignKey("testimonies.id"), primary_key=True)
    martyr_id: Mapped[str] = mapped_column(ForeignKey("martyrs.id"), primary_key=True)


class TestimonyPart(Base):
    __tablename__ = "testimony_parts"
    __test__ = False

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    testimony_id: Mapped[str] = mapped_column(ForeignKey("testimonies.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(10), default="recorded")  # recorded | imported
    device_name: Mapped[str] = mapped_column(Text, default="")
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer, default=1)
    subtype: Mapped[str] = mapped_column(String(20))  # PCM_16 | PCM_24
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    frames: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(12), default=PartState.RECORDING.value)
    end_reason: Mapped[str] = mapped_column(String(20), default="")
    overflows: Mapped[int] = mapped_column(Integer, default=0)
    object_name: Mapped[str | None] = mapped_column(ForeignKey("objects.name"), nullable=True)
    original_object: Mapped[str | None] = mapped_column(ForeignKey("objects.name"),
                                                        nullable=True)
    original_filename: Mapped[str] = mapped_column(Text, default="")

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


class RecordingSegment(Base):
    """About 0.5 s of a part being recorded: the next whole FLAC frames of the part's one
    encoder (the first segment also holds the stream header), committed with its object row in
    one transaction, so a crash never loses a segment the recorder reported. The segments of a
    part, in ``seq`` order, concatenate into a valid FLAC stream of ``sum(frames)`` samples."""

    __tablename__ = "recording_segments"

    part_id: Mapped[str] = mapped_column(ForeignKey("testimony_parts.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    object_name: Mapped[str] = mapped_column(ForeignKey("objects.name"))
    frames: Mapped[int] = mapped_column(Integer)


class Marker(Base):
    __tablename__ = "testimony_markers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    testimony_id: Mapped[str] = mapped_column(ForeignKey("testimonies.id"), index=True)
    at_seconds: Mapped[float] = mapped_column(Float)  # on the testimony's timeline
    label: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12), default=MarkerKind.OTHER.value)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


# -- plain views for the UI and exports ---------------------------------------------------------


@dataclass(frozen=True)
class PartView:
    id: str
    position: int
    source: str
    device_name: str
    sample_rate: int
    subtype: str
    started_at: datetime
    frames: int
    state: str
    end_reason: str
    overflows: int
    object_name: str | None
    original_filename: str
    offset_seconds: float  # where this part starts on the testimony's timeline

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


@dataclass(frozen=True)
class MarkerView:
    id: str
    at_seconds: float
    label: str
    kind: str
    note: str


@dataclass
class TestimonyView:
    __test__ = False
    id: str
    visit_id: str
    speaker_person_id: str | None
    speaker_name: str
    language: str
    notes: str
    martyr_ids: list[str] = field(default_factory=list)
    parts: list[PartView] = field(default_factory=list)
    markers: list[MarkerView] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return sum(part.duration for part in self.parts)


def _new_id() -> str:
    return str(uuid.uuid4())


def _get(session: Session, testimony_id: str) -> Testimony:
    row = session.get(Testimony, testimony_id)
    if row is None:
        raise TestimonyNotFound()
    return row


def create_testimony(vault: UnlockedVault, visit_id: str, *, speaker_person_id: str | None = None,
                     speaker_name: str = "", language: str = "", notes: str = "") -> str:
    vault.require(Action.CAPTURE)
    testimony_id = _new_id()
    with vault.writing() as session:
        if session.get(Visit, visit_id) is None:
            raise TestimonyNotFound()
        session.add(Testimony(id=testimony_id, visit_id=visit_id,
                              speaker_person_id=speaker_person_id, speaker_name=speaker_name,
                              language=language, notes=notes, created_by=vault.actor.user_id,
                              created_at=vault.clock()))
        vault.audit(session, "create", "testimony", testimony_id, visit=visit_id)
    return testimony_id


def update_testimony(vault: UnlockedVault, testimony_id: str, *,
                     speaker_person_id: str | None = None, speaker_name: str | None = None,
                     language: str | None = None, notes: str | None = None,
                     martyr_ids: list[str] | None = None) -> None:
    vault.require(Action.CAPTURE)
    with vault.writing() as session:
        row = _get(session, testimony_id)
        changed = []
        for name, value in (("speaker_name", speaker_name), ("language", language),
                            ("notes", notes)):
            if value is not None and getattr(row, name) != value:
                setattr(row, name, value)
                changed.append(name)
        if speaker_person_id is not None:
            wanted = speaker_person_id or None
            if wanted is not None and session.get(Person, wanted) is None:
                raise TestimonyNotFound()
            if row.speaker_person_id != wanted:
                row.speaker_person_id = wanted
                changed.append("speaker_person_id")
        if martyr_ids is not None:
            known = set(session.scalars(select(Martyr.id).where(Martyr.visit_id == row.visit_id)))
            wanted_ids = [m for m in martyr_ids if m in known]
            current = set(session.scalars(select(TestimonyMartyr.martyr_id)
                                          .where(TestimonyMartyr.testimony_id == testimony_id)))
            if set(wanted_ids) != current:
                session.execute(delete(TestimonyMartyr)
                                .where(TestimonyMartyr.testimony_id == testimony_id))
                for martyr_id in dict.fromkeys(wanted_ids):
                    session.add(TestimonyMartyr(testimony_id=testimony_id, martyr_id=martyr_id))
                changed.append("martyrs")
        if changed:
            vault.audit(session, "change", "testimony", testimony_id, fields=changed)


def list_testimonies(vault: UnlockedVault, visit_id: str) -> list[str]:
    with vault.reading() as session:
        return list(session.scalars(select(Testimony.id).where(Testimony.visit_id == visit_id)
                                    .order_by(Testimony.created_at)))


def load_testimony(vault: UnlockedVault, testimony_id: str) -> TestimonyView:
    with vault.reading() as session:
        row = _get(session, testimony_id)
        view = TestimonyView(row.id, row.visit_id, row.speaker_person_id, row.speaker_name,
                             row.language, row.notes)
        view.martyr_ids = list(session.scalars(
            select(TestimonyMartyr.martyr_id).where(TestimonyMartyr.testimony_id == row.id)))
        offset = 0.0
        for part in session.scalars(select(TestimonyPart)
                                    .where(TestimonyPart.testimony_id == row.id)
                                    .order_by(TestimonyPart.position)):
            view.parts.append(PartView(part.id, part.position, part.source, part.device_name,
                                       part.sample_rate, part.subtype, part.started_at,
                                       part.frames, part.state, part.end_reason, part.overflows,
                                       part.object_name, part.original_filename, offset))
            offset += part.duration
        view.markers = [MarkerView(m.id, m.at_seconds, m.label, m.kind, m.note)
                        for m in session.scalars(select(Marker)
                                                 .where(Marker.testimony_id == row.id)
                                                 .order_by(Marker.at_seconds))]
    return view


def add_marker(vault: UnlockedVault, testimony_id: str, at_seconds: float, label: str,
               kind: MarkerKind | str = MarkerKind.OTHER, note: str = "") -> str:
    vault.require(Action.CAPTURE)
    kind = MarkerKind(kind)
    marker_id = _new_id()
    with vault.writing() as session:
        _get(session, testimony_id)
        session.add(Marker(id=marker_id, testimony_id=testimony_id,
                           at_seconds=max(0.0, float(at_seconds)), label=label, kind=kind.value,
                           note=note, created_at=vault.clock()))
        vault.audit(session, "create", "marker", marker_id, testimony=testimony_id,
                    kind=kind.value)
    return marker_id


def remove_marker(vault: UnlockedVault, marker_id: str) -> None:
    vault.require(Action.CAPTURE)
    with vault.writing() as session:
        row = session.get(Marker, marker_id)
        if row is not None:
            session.delete(row)
            vault.audit(session, "delete", "marker", marker_id)


# -- oral-history exports ------------------------------------------------------------------------


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def marker_coordinates(view: TestimonyView, reader: CoordinateReader | None = None
                       ) -> dict[str, Coordinate]:
    """The most plausible coordinate read from each coordinate marker's label (and, when the
    label has none, its note), by marker id; markers with none are left out."""
    reader = reader or CoordinateReader()
    found: dict[str, Coordinate] = {}
    for marker in view.markers:
        if marker.kind != MarkerKind.COORDINATE:
            continue
        for text in (marker.label, marker.note):
            best = reader.best(text)
            if best:
                found[marker.id] = best[0]
                break
    return found


def to_webvtt(view: TestimonyView) -> str:
    """A WebVTT file with one cue per marker, lasting until the next marker (or the end)."""
    lines = ["WEBVTT", ""]
    end_of_all = max(view.duration, max((m.at_seconds for m in view.markers), default=0) + 1)
    for index, marker in enumerate(view.markers):
        following = view.markers[index + 1].at_seconds if index + 1 < len(view.markers) else None
        end = following if following is not None and following > marker.at_seconds \
            else max(end_of_all, marker.at_seconds + 1)
        text = marker.label.replace("-->", "→").strip() or marker.kind
        lines.append(f"marker-{index + 1}")
        lines.append(f"{_vtt_time(marker.at_seconds)} --> {_vtt_time(end)}")
        lines.append(f"[{marker.kind}] {text}")
        if marker.note.strip():
            lines.append(marker.note.replace("-->", "→").strip())
        lines.append("")
    return "\n".join(lines)


def to_ohms_index(view: TestimonyView, title: str = "") -> bytes:
    """An OHMS index (the ``<index><point>`` part of an OHMS XML file, as OHMS imports it):
    time in whole seconds, title, keywords (the marker type; ``;``-separated), synopsis (the
    note) and, for coordinate markers, GPS as 'lat, lon' (WGS 84, read by capture.coords in
    any notation it knows)."""
    root = ElementTree.Element("ROOT")
    record = ElementTree.SubElement(root, "record", id=view.id)
    ElementTree.SubElement(record, "version").text = "5.4"
    ElementTree.SubElement(record, "title").text = title or view.speaker_name
    ElementTree.SubElement(record, "duration").text = _vtt_time(view.duration)[:8]
    ElementTree.SubElement(record, "language").text = view.language
    index = ElementTree.SubElement(record, "index")
    coordinates = marker_coordinates(view)
    for marker in view.markers:
        point = ElementTree.SubElement(index, "point")
        ElementTree.SubElement(point, "time").text = str(int(marker.at_seconds))
        ElementTree.SubElement(point, "title").text = marker.label or marker.kind
        ElementTree.SubElement(point, "partial_transcript").text = ""
        ElementTree.SubElement(point, "synopsis").text = marker.note
        ElementTree.SubElement(point, "keywords").text = marker.kind
        ElementTree.SubElement(point, "subjects").text = ""
        gps_points = ElementTree.SubElement(point, "gpspoints")
        coordinate = coordinates.get(marker.id)
        if coordinate is not None:
            # OHMS takes WGS 84 decimal degrees; what was said stays beside them.
            ElementTree.SubElement(gps_points, "gps").text = \
                f"{round(coordinate.lat, 6)}, {round(coordinate.lon, 6)}"
            ElementTree.SubElement(gps_points, "gps_zoom").text = "17"
            ElementTree.SubElement(gps_points, "gps_text").text = marker.label
        ElementTree.SubElement(point, "hyperlinks")
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


