"""The tables that the case work shares: lists imported by the command (the province's martyrs
whose remains are not found, unidentified graves, veterans' lists of witnesses) and every step
of a case's DNA follow-up. Declared once here because three parts read them — the list import
writes ``list_rows``, the linker reads them as mentions, the reports count ``dna_steps`` — and
the schema is the contract between them (migration 0008).

A record, not an index: ``reindex`` never touches these (they did not come from a bag)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from sync.server.store import metadata

# not-found martyrs | unidentified graves | witnesses by unit and battle
LIST_KINDS = ("martyrs", "graves", "witnesses")

list_imports = Table(
    "list_imports", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False, index=True),  # one of LIST_KINDS
    Column("title", Text, nullable=False),  # as the importer named it: "Danh sách LS chưa tìm thấy"
    Column("source", Text, nullable=False),  # provenance: who gave it, when, under which letter
    Column("filename", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),  # of the file as uploaded
    Column("row_count", Integer, nullable=False),
    Column("mapping", Text, nullable=False),  # JSON: file column -> field
    Column("imported_by", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False, index=True),
    Column("withdrawn_by", String(64), nullable=True),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
)

list_rows = Table(
    "list_rows", metadata,
    Column("id", String(48), primary_key=True),  # "<import id>:<line number in the file>"
    Column("import_id", String(36), nullable=False, index=True),
    Column("line", Integer, nullable=False),
    Column("kind", String(16), nullable=False, index=True),
    Column("full_name", Text, nullable=False),
    Column("other_names", Text, nullable=False),
    Column("birth_year", Text, nullable=False),
    Column("home_town", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("death_date", Text, nullable=False),
    Column("death_place", Text, nullable=False),
    Column("cemetery", Text, nullable=False),  # graves: the cemetery, and the plot in it
    Column("plot", Text, nullable=False),
    Column("battle", Text, nullable=False),  # witnesses: the battle or campaign, and when
    Column("served", Text, nullable=False),
    Column("extra", Text, nullable=False),  # JSON: the row's columns no field was mapped to
)

DNA_STEPS = ("collected", "sent", "result")
DNA_RESULTS = ("match", "no_match", "inconclusive")

dna_steps = Table(
    "dna_steps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("person_id", String(64), nullable=True, index=True),  # the relative, from a visit
    Column("relative_name", Text, nullable=False),
    Column("relation", String(32), nullable=False),  # mother | maternal_grandmother | ...
    Column("step", String(16), nullable=False, index=True),  # one of DNA_STEPS
    Column("sample_code", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),  # when it happened
    Column("recorded_at", DateTime(timezone=True), nullable=False, index=True),  # when entered
    Column("username", String(64), nullable=False),
    Column("laboratory", Text, nullable=False),
    Column("result", String(16), nullable=True),  # one of DNA_RESULTS, on a "result" step
    Column("grave_ref", Text, nullable=False),  # the grave or remains the result is about
    Column("note", Text, nullable=False),
)
