"""Enrolment: the command's TLS certificate (PEM) taken at an https enrolment; every later
request to the command requires exactly that certificate. Null for an enrolment over http to
loopback, or one made before this revision (those stations enrol again to gain a pin).

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = "0006"  # the enrolment table (0006 is on the other branch than 0008)


def upgrade() -> None:
    with op.batch_alter_table("enrolment") as table:
        table.add_column(sa.Column("tls_certificate", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enrolment") as table:
        table.drop_column("tls_certificate")
