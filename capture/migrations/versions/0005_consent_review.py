"""Consent records, object digests, review decisions.

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "object_digests",
        sa.Column("name", sa.String(64), sa.ForeignKey("objects.name"), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "consent_records",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("visit_id", sa.String(36), sa.ForeignKey("visits.id"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("supersedes", sa.String(36), sa.ForeignKey("consent_records.id"),
                  nullable=True),
        sa.Column("reference_code", sa.String(20), nullable=False, unique=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(32), nullable=False),
        sa.Column("signature_image_object", sa.String(64), sa.ForeignKey("objects.name"),
                  nullable=True),
        sa.Column("strokes_object", sa.String(64), sa.ForeignKey("objects.name"),
                  nullable=True),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("notice_sent_in", sa.String(64), nullable=True),
    )
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("visit_id", sa.String(36), sa.ForeignKey("visits.id"), nullable=False,
                  index=True),
        sa.Column("item_id", sa.String(36), sa.ForeignKey("items.id"), nullable=True),
        sa.Column("decision", sa.String(12), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("author", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    for table in ("review_decisions", "consent_records", "object_digests"):
        op.drop_table(table)
