"""Batches keyed by (station, batch id), not batch id alone, so a bag from another station that
reuses a batch id (visible in a USB file's name) cannot block the real batch; and each batch
names the upload it came as, so a resumed ingest finds it by the upload.

The key of a table cannot be changed in place on SQLite: the table is made anew and its rows
copied (the same on PostgreSQL, so both keep one schema).

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ("station_id", "batch_id", "received_at", "tagmanifest_sha256", "payload_files",
           "payload_bytes", "archive_path", "receipt")


def upgrade() -> None:
    op.create_table(
        "batches_0003",
        sa.Column("station_id", sa.String(36), primary_key=True),
        sa.Column("batch_id", sa.String(36), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tagmanifest_sha256", sa.String(64), nullable=False),
        sa.Column("payload_files", sa.Integer, nullable=False),
        sa.Column("payload_bytes", sa.BigInteger, nullable=False),
        sa.Column("archive_path", sa.Text, nullable=False),
        sa.Column("receipt", sa.Text, nullable=False),
        sa.Column("upload_id", sa.String(32), nullable=True),
        sa.UniqueConstraint("upload_id", name="uq_batches_upload_id"),
    )
    names = ", ".join(COLUMNS)
    op.execute(f"INSERT INTO batches_0003 ({names}) SELECT {names} FROM batches")  # noqa: S608
    op.drop_index("ix_batches_station_id", table_name="batches")
    op.drop_table("batches")
    op.rename_table("batches_0003", "batches")
    op.create_index("ix_batches_station_id", "batches", ["station_id"])


def downgrade() -> None:
    op.create_table(
        "batches_0001",
        sa.Column("batch_id", sa.String(36), primary_key=True),
        sa.Column("station_id", sa.String(36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tagmanifest_sha256", sa.String(64), nullable=False),
        sa.Column("payload_files", sa.Integer, nullable=False),
        sa.Column("payload_bytes", sa.BigInteger, nullable=False),
        sa.Column("archive_path", sa.Text, nullable=False),
        sa.Column("receipt", sa.Text, nullable=False),
    )
    names = ", ".join(COLUMNS)
    # Two stations' batches under one id cannot both stay: the first received is kept.
    op.execute(f"INSERT INTO batches_0001 ({names}) SELECT {names} FROM batches b "  # noqa: S608
               "WHERE NOT EXISTS (SELECT 1 FROM batches o WHERE o.batch_id = b.batch_id "
               "AND o.received_at < b.received_at)")
    op.drop_index("ix_batches_station_id", table_name="batches")
    op.drop_table("batches")
    op.rename_table("batches_0001", "batches")
    op.create_index("ix_batches_station_id", "batches", ["station_id"])
