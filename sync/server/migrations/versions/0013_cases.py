"""Cases (sync/server/cases/tables.py): the cases, every mention's case, the review queue with
the decisions people made, merges and splits as links with undo, the relinking runs. A record,
not an index: reindex keeps it.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(12), nullable=False, index=True),
        sa.Column("merged_into", sa.String(64), nullable=True, index=True),
        *(sa.Column(name, sa.Text, nullable=False)
          for name in ("title", "folded", "birth_year", "home_town", "death_date")),
        sa.Column("mentions", sa.Integer, nullable=False),
        sa.Column("contradictions", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "case_members",
        sa.Column("mention_id", sa.String(120), primary_key=True),
        sa.Column("case_id", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("record_id", sa.String(64), nullable=False, index=True),
        sa.Column("source_ref", sa.String(64), nullable=False, index=True),
        sa.Column("anchor", sa.String(120), nullable=False, index=True),
    )
    op.create_table(
        "case_pairs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("left_id", sa.String(120), nullable=False, index=True),
        sa.Column("right_id", sa.String(120), nullable=False, index=True),
        sa.Column("probability", sa.Float, nullable=True),
        sa.Column("match_weight", sa.Float, nullable=True),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("held_apart", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True, index=True),
        sa.UniqueConstraint("left_id", "right_id", name="uq_case_pairs_pair"),
    )
    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("action", sa.String(8), nullable=False, index=True),
        sa.Column("case_id", sa.String(64), nullable=False, index=True),
        sa.Column("other_case_id", sa.String(64), nullable=False, index=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after_sha256", sa.String(64), nullable=False),
        sa.Column("undone_by", sa.String(64), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "case_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("mentions", sa.Integer, nullable=False),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("pairs", sa.Integer, nullable=False),
        sa.Column("trained", sa.Boolean, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("case_runs", "case_links", "case_pairs", "case_members", "cases"):
        op.drop_table(table)
