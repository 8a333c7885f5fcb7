"""A practice station: a flag set when the vault is made for training and never changed after,
so the core can refuse to enrol it, batch it or export from it.

Revision ID: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("station") as table:
        table.add_column(sa.Column("practice", sa.Boolean, nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("station") as table:
        table.drop_column("practice")
