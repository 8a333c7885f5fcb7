"""The visit: household, martyrs, people present, items with pages, leads.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.String(36), primary_key=True)


def _visit() -> sa.Column:
    return sa.Column("visit_id", sa.String(36), sa.ForeignKey("visits.id"), nullable=False,
                     index=True)


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, server_default="")


def _martyr_ref() -> sa.Column:
    return sa.Column("martyr_id", sa.String(36), sa.ForeignKey("martyrs.id"), nullable=True)


def _position() -> sa.Column:
    return sa.Column("position", sa.Integer, nullable=False, server_default="0")


def upgrade() -> None:
    op.create_table(
        "visits", _id(),
        sa.Column("visit_date", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("province_code", sa.Integer, nullable=False),
        sa.Column("ward_code", sa.Integer, nullable=False),
        _text("village"), _text("address"), _text("contact_name"),
        sa.Column("contact_phone", sa.String(40), nullable=False, server_default=""),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        _text("notes"),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "martyrs", _id(), _visit(), _position(),
        sa.Column("full_name", sa.Text, nullable=False),
        _text("other_names"),
        sa.Column("birth_year", sa.Integer, nullable=True),
        _text("home_town"), _text("unit"),
        sa.Column("enlistment_date", sa.String(10), nullable=False, server_default=""),
        sa.Column("death_date", sa.String(10), nullable=False, server_default=""),
        _text("death_place"), _text("burial_info"), _text("notes"),
    )
    op.create_table(
        "people", _id(), _visit(), _position(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("full_name", sa.Text, nullable=False),
        _text("relationship"), _martyr_ref(),
        sa.Column("birth_year", sa.Integer, nullable=True),
        sa.Column("phone", sa.String(40), nullable=False, server_default=""),
        _text("unit"), _text("battles"),
        sa.Column("dna_willing", sa.Boolean, nullable=False, server_default=sa.false()),
        _text("dna_contact"), _text("notes"),
    )
    op.create_table(
        "items", _id(), _visit(), _position(),
        sa.Column("kind", sa.String(20), nullable=False),
        _text("title"), _text("description"), _text("owner"), _text("condition"),
        _martyr_ref(),
        sa.Column("cover_page_id", sa.String(36), nullable=True),
    )
    op.create_table(
        "pages", _id(),
        sa.Column("item_id", sa.String(36), sa.ForeignKey("items.id"), nullable=False,
                  index=True),
        _position(),
        sa.Column("media", sa.String(10), nullable=False, server_default="photo"),
        sa.Column("object_name", sa.String(64), sa.ForeignKey("objects.name"), nullable=False),
        _text("original_filename"),
        sa.Column("rotation", sa.Integer, nullable=False, server_default="0"),
        sa.Column("meta", sa.Text, nullable=False, server_default="{}"),
        sa.Column("thumbnail_object", sa.String(64), sa.ForeignKey("objects.name"),
                  nullable=True),
        sa.Column("preview_object", sa.String(64), sa.ForeignKey("objects.name"),
                  nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "leads", _id(), _visit(), _position(), _martyr_ref(),
        _text("description"),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        _text("grid_reference"),
        sa.Column("source_kind", sa.String(20), nullable=False, server_default="other"),
        sa.Column("source_ref", sa.String(64), nullable=False, server_default=""),
        sa.Column("confidence", sa.String(10), nullable=False, server_default="medium"),
    )


def downgrade() -> None:
    for table in ("leads", "pages", "items", "people", "martyrs", "visits"):
        op.drop_table(table)
