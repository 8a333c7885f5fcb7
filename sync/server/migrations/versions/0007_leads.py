"""The lead's life (sync/server/leads.py): its state, every event, its sources, field checks
and the coordinates proposed from what people wrote. A record, not an index: reindex keeps it.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lead_states",
        sa.Column("lead_id", sa.String(36), primary_key=True),
        sa.Column("visit_id", sa.String(36), nullable=False, index=True),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("assigned_to", sa.String(64), nullable=True, index=True),
        sa.Column("merged_into", sa.String(36), nullable=True, index=True),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("datum", sa.String(16), nullable=True),
        sa.Column("uncertainty_m", sa.Float, nullable=True),
        sa.Column("notation", sa.String(16), nullable=True),
        sa.Column("coordinate_from", sa.String(64), nullable=True),
        sa.Column("remains_count", sa.Integer, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "lead_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(36), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(24), nullable=False, index=True),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=True, index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "lead_sources",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(36), nullable=False, index=True),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("via_lead", sa.String(36), nullable=True, index=True),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("lead_id", "origin", "via_lead", name="uq_lead_sources_origin"),
    )
    op.create_table(
        "lead_field_checks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(36), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("found", sa.Boolean, nullable=False),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("datum", sa.String(16), nullable=True),
        sa.Column("accuracy_m", sa.Float, nullable=True),
        sa.Column("photos", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "lead_proposals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("lead_id", sa.String(36), nullable=True, index=True),
        sa.Column("visit_id", sa.String(36), nullable=False, index=True),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("source_id", sa.String(36), nullable=False, index=True),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        sa.Column("span_text", sa.Text, nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("datum", sa.String(16), nullable=False),
        sa.Column("notation", sa.String(16), nullable=False),
        sa.Column("uncertainty_m", sa.Float, nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("candidates", sa.Integer, nullable=False),
        sa.Column("plausibility", sa.Float, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("lead_proposals", "lead_field_checks", "lead_sources", "lead_events",
                  "lead_states"):
        op.drop_table(table)
