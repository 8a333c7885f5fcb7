"""The OCR of photographed pages (sync/server/ocr.py) and the register of places the command
curates (sync/server/places.py). Records, not an index: reindex keeps them (a page is OCR'd
once; ``sohoa-server ocr --all`` or ``reindex --ocr`` does it again when asked).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_ocr",
        sa.Column("page_id", sa.String(36), primary_key=True),
        sa.Column("visit_id", sa.String(36), nullable=False, index=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("rotation", sa.Integer, nullable=False),
        sa.Column("skew", sa.Float, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("engine", sa.String(40), nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "place_register",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("aliases", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("uncertainty_m", sa.Float, nullable=False),
        sa.Column("province", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("folded", sa.String(200), nullable=False, unique=True),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("place_register")
    op.drop_table("page_ocr")
