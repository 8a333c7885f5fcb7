"""Lists imported by the command and the DNA follow-up of cases (sync/server/casework_tables.py).
A record, not an index: reindex keeps it.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "list_imports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("mapping", sa.Text, nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("withdrawn_by", sa.String(64), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "list_rows",
        sa.Column("id", sa.String(48), primary_key=True),
        sa.Column("import_id", sa.String(36), nullable=False, index=True),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        *(sa.Column(name, sa.Text, nullable=False)
          for name in ("full_name", "other_names", "birth_year", "home_town", "unit",
                       "death_date", "death_place", "cemetery", "plot", "battle", "served",
                       "extra")),
    )
    op.create_table(
        "dna_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(64), nullable=False, index=True),
        sa.Column("person_id", sa.String(64), nullable=True, index=True),
        sa.Column("relative_name", sa.Text, nullable=False),
        sa.Column("relation", sa.String(32), nullable=False),
        sa.Column("step", sa.String(16), nullable=False, index=True),
        sa.Column("sample_code", sa.String(64), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("laboratory", sa.Text, nullable=False),
        sa.Column("result", sa.String(16), nullable=True),
        sa.Column("grave_ref", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("dna_steps", "list_rows", "list_imports"):
        op.drop_table(table)
