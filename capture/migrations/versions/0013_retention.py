"""Data beyond need: the station's retention period for delivered media (off unless the admin
sets it) and, per object, when its file was removed after delivery (capture/retention.py).

Revision ID: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place (a copied "objects" table would have to carry
    # every foreign key that names it).
    op.add_column("station", sa.Column("media_retention_days", sa.Integer, nullable=True))
    op.add_column("objects", sa.Column("released_at", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("objects", "released_at")
    op.drop_column("station", "media_retention_days")
