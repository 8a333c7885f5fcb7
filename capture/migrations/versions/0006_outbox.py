"""The outbox: the enrolment with the command, outgoing batches, and what each one carries.
Merges the testimony, search and consent branches.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = ("0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("server_url", sa.Text, nullable=False),
        sa.Column("station_id", sa.String(36), nullable=False),
        sa.Column("command_recipient", sa.Text, nullable=False),
        sa.Column("receipt_public_key", sa.LargeBinary(32), nullable=False),
        sa.Column("enrolled_at", sa.String(32), nullable=False),
        sa.Column("enrolled_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    )
    op.create_table(
        "outgoing_batches",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("group_id", sa.String(36), nullable=False, index=True),
        sa.Column("part", sa.Integer, nullable=False),
        sa.Column("parts", sa.Integer, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("tagmanifest_sha256", sa.String(64), nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("payload_files", sa.Integer, nullable=False),
        sa.Column("payload_bytes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("sent_bytes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("exported_at", sa.String(32), nullable=True),
        sa.Column("receipt", sa.Text, nullable=True),
        sa.Column("refusal_reason", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "outgoing_contents",
        sa.Column("batch_id", sa.String(36), sa.ForeignKey("outgoing_batches.id"),
                  primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("ref", sa.String(200), primary_key=True),
        sa.Column("visit_id", sa.String(36), nullable=True, index=True),
        sa.Column("version", sa.String(64), nullable=False, server_default=""),
    )


def downgrade() -> None:
    for table in ("outgoing_contents", "outgoing_batches", "enrolment"):
        op.drop_table(table)
