"""The witness network's one table (migration 0009): a person's decision that two mentions of
a witness are the same person, or two (sync/server/witnesses.py reads and writes it). Apart
from witnesses.py so that store.py can register it without importing the index and the lists.
A record, not an index: reindex keeps it."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from sync.server.store import metadata

witness_decisions = Table(
    "witness_decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("left_ref", String(64), nullable=False, index=True),  # the smaller ref of the pair
    Column("right_ref", String(64), nullable=False, index=True),
    Column("decision", String(12), nullable=False),  # same | different
    Column("username", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("note", Text, nullable=False),
)
