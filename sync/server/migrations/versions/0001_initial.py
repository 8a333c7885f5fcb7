"""The command's first tables: enrolled stations, one-time enrolment codes, ingested batches and
uploads in progress (as the server made them with create_all before migrations existed).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("province_code", sa.Integer, nullable=False),
        sa.Column("ward_code", sa.Integer, nullable=False),
        sa.Column("signing_key", sa.String(64), nullable=False),
        sa.Column("identity_key", sa.String(64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "enrolment_codes",
        sa.Column("code_sha256", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.String(36), nullable=True),
    )
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.String(36), primary_key=True),
        sa.Column("station_id", sa.String(36), nullable=False, index=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tagmanifest_sha256", sa.String(64), nullable=False),
        sa.Column("payload_files", sa.Integer, nullable=False),
        sa.Column("payload_bytes", sa.BigInteger, nullable=False),
        sa.Column("archive_path", sa.Text, nullable=False),
        sa.Column("receipt", sa.Text, nullable=False),
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("station_id", sa.String(36), nullable=False, index=True),
        sa.Column("length", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=True),
        sa.Column("result", sa.Text, nullable=True),
    )


def downgrade() -> None:
    for table in ("uploads", "batches", "enrolment_codes", "stations"):
        op.drop_table(table)
