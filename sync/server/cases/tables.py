"""The cases' tables (migration 0013): the cases, which case every mention belongs to, the pairs
waiting for a person (and the decisions people made on them), the merges and splits as
recorded links with what they changed, and each relinking run.

A record, not an index: ``reindex`` never touches these. Mentions are named by where they come
from, so the names survive a reindex (the index keeps the station's ids):

    martyr:<martyr id>               a martyr of a visit (index_martyrs) — linked by the model
    list:<list row id>               a row of an imported list of martyrs or graves — linked
    testimony:<testimony id>:<martyr id>, item:<item id>, lead:<lead id>
                                     a testimony's, an item's, a lead's link to a martyr: they
                                     follow the martyr they name (``anchor``)
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from sync.server.store import metadata

OPEN, MERGED, RETIRED = "open", "merged", "retired"  # a retired case lost all its mentions
CASE_STATES = (OPEN, MERGED, RETIRED)
PENDING, SAME, DIFFERENT = "pending", "same", "different"
PAIR_STATUSES = (PENDING, SAME, DIFFERENT)
# The kinds of mention; the first three are linked by the model, the others follow a martyr.
LINKED_KINDS = ("martyr", "list_martyrs", "list_graves")
FOLLOWER_KINDS = ("testimony", "item", "lead")
MENTION_KINDS = LINKED_KINDS + FOLLOWER_KINDS

cases = Table(
    "cases", metadata,
    Column("id", String(64), primary_key=True),
    Column("state", String(12), nullable=False, index=True),  # one of CASE_STATES
    Column("merged_into", String(64), nullable=True, index=True),
    Column("title", Text, nullable=False),  # the fullest name among its mentions
    Column("folded", Text, nullable=False),  # names, aliases, home towns folded: for search
    Column("birth_year", Text, nullable=False),  # as shown in the list ("1948 · 1949")
    Column("home_town", Text, nullable=False),
    Column("death_date", Text, nullable=False),
    Column("mentions", Integer, nullable=False),
    Column("contradictions", Integer, nullable=False),  # fields whose values disagree
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
)

case_members = Table(
    "case_members", metadata,
    Column("mention_id", String(120), primary_key=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False, index=True),  # one of MENTION_KINDS
    Column("record_id", String(64), nullable=False, index=True),  # the martyr, row, testimony…
    Column("source_ref", String(64), nullable=False, index=True),  # its visit or list import
    Column("anchor", String(120), nullable=False, index=True),  # the linked mention it follows
)

case_pairs = Table(
    "case_pairs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("left_id", String(120), nullable=False, index=True),  # mention ids, left < right
    Column("right_id", String(120), nullable=False, index=True),
    Column("probability", Float, nullable=True),  # None: a person decided without the model
    Column("match_weight", Float, nullable=True),
    Column("reasons", Text, nullable=False),  # JSON: comparison -> [level, weight]
    Column("held_apart", Boolean, nullable=False),
    Column("status", String(12), nullable=False, index=True),  # one of PAIR_STATUSES
    Column("origin", String(12), nullable=False),  # model | merge | split | review
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(64), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True, index=True),
    UniqueConstraint("left_id", "right_id", name="uq_case_pairs_pair"),
)

case_links = Table(
    "case_links", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(8), nullable=False, index=True),  # merge | split
    Column("case_id", String(64), nullable=False, index=True),  # kept / split from
    Column("other_case_id", String(64), nullable=False, index=True),  # merged in / split off
    Column("username", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("before", Text, nullable=False),  # JSON: every row it changed, as it was
    Column("after_sha256", String(64), nullable=False),  # of the same rows once changed
    Column("undone_by", String(64), nullable=True),
    Column("undone_at", DateTime(timezone=True), nullable=True),
)

case_runs = Table(
    "case_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # of the mentions and decisions linked
    Column("mentions", Integer, nullable=False),
    Column("cases", Integer, nullable=False),
    Column("pairs", Integer, nullable=False),
    Column("trained", Boolean, nullable=False),
    Column("seconds", Float, nullable=False),
)
