"""The witness network's decisions: two mentions of a witness are the same person, or not
(sync/server/witnesses.py). A record, not an index: reindex keeps it.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "witness_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("left_ref", sa.String(64), nullable=False, index=True),
        sa.Column("right_ref", sa.String(64), nullable=False, index=True),
        sa.Column("decision", sa.String(12), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("witness_decisions")
