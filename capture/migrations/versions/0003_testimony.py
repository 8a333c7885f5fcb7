"""Testimony: recordings of a visit, their parts, the segments of a part being recorded, markers.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "testimonies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("visit_id", sa.String(36), sa.ForeignKey("visits.id"), nullable=False,
                  index=True),
        sa.Column("speaker_person_id", sa.String(36), sa.ForeignKey("people.id"), nullable=True),
        _text("speaker_name"),
        _text("language"),
        _text("notes"),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "testimony_martyrs",
        sa.Column("testimony_id", sa.String(36), sa.ForeignKey("testimonies.id"),
                  primary_key=True),
        sa.Column("martyr_id", sa.String(36), sa.ForeignKey("martyrs.id"), primary_key=True),
    )
    op.create_table(
        "testimony_parts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("testimony_id", sa.String(36), sa.ForeignKey("testimonies.id"),
                  nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("source", sa.String(10), nullable=False, server_default="recorded"),
        _text("device_name"),
        sa.Column("sample_rate", sa.Integer, nullable=False),
        sa.Column("channels", sa.Integer, nullable=False, server_default="1"),
        sa.Column("subtype", sa.String(20), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("frames", sa.Integer, nullable=False, server_default="0"),
        sa.Column("state", sa.String(12), nullable=False, server_default="recording"),
        sa.Column("end_reason", sa.String(20), nullable=False, server_default=""),
        sa.Column("overflows", sa.Integer, nullable=False, server_default="0"),
        sa.Column("object_name", sa.String(64), sa.ForeignKey("objects.name"), nullable=True),
        sa.Column("original_object", sa.String(64), sa.ForeignKey("objects.name"),
                  nullable=True),
        _text("original_filename"),
    )
    op.create_table(
        "recording_segments",
        sa.Column("part_id", sa.String(36), sa.ForeignKey("testimony_parts.id"),
                  primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("object_name", sa.String(64), sa.ForeignKey("objects.name"), nullable=False),
        sa.Column("frames", sa.Integer, nullable=False),
    )
    op.create_table(
        "testimony_markers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("testimony_id", sa.String(36), sa.ForeignKey("testimonies.id"),
                  nullable=False, index=True),
        sa.Column("at_seconds", sa.Float, nullable=False),
        _text("label"),
        sa.Column("kind", sa.String(12), nullable=False, server_default="other"),
        _text("note"),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    for table in ("testimony_markers", "recording_segments", "testimony_parts",
                  "testimony_martyrs", "testimonies"):
        op.drop_table(table)
