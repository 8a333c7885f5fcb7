"""The trust boundary (issue 12): the nonces of signed requests, kept across restarts; a
station can be disabled (when, why) and its keys rotated; an upload's block size (its block
manifest sits beside the upload's bytes).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_nonces",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("station_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_seen_nonces_created_at", "seen_nonces", ["created_at"])
    with op.batch_alter_table("stations") as table:
        table.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("disabled_reason", sa.Text, nullable=True))
        table.add_column(sa.Column("key_rotated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("uploads") as table:
        table.add_column(sa.Column("block_size", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("uploads") as table:
        table.drop_column("block_size")
    with op.batch_alter_table("stations") as table:
        for name in ("key_rotated_at", "disabled_reason", "disabled_at"):
            table.drop_column(name)
    op.drop_index("ix_seen_nonces_created_at", "seen_nonces")
    op.drop_table("seen_nonces")
