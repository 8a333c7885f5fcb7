"""The reports' roll-up (sync/server/report_rollup.py): each indexed visit's counters by the day
it happened and the instant the command received it, filled here from the index as it is; and
an index of the lead events by state and time, which the reports read.
Derived from the index: reindex rebuilds it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COUNTERS = ("visits", "martyrs", "items", "pages", "videos", "testimonies", "seconds",
            "witnesses", "dna_volunteers", "consents", "leads")


def upgrade() -> None:
    op.create_table(
        "report_days",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("visit_id", sa.String(36), nullable=False, index=True),
        sa.Column("day", sa.String(10), nullable=False, index=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("station_id", sa.String(36), nullable=False),
        sa.Column("ward_code", sa.Integer, nullable=True),
        sa.Column("province_code", sa.Integer, nullable=True),
        sa.Column("household", sa.String(24), nullable=True),
        *(sa.Column(name, sa.Float if name == "seconds" else sa.Integer, nullable=False)
          for name in COUNTERS),
    )
    op.create_index("ix_lead_events_to_state_at", "lead_events", ["to_state", "at"])
    # What is indexed already gets its rows now, so the reports need no reindex.
    from sync.server import index, report_rollup

    conn = op.get_bind()
    visit_ids = list(conn.execute(sa.select(index.index_visits.c.visit_id)).scalars())
    report_rollup.refresh(conn, visit_ids)


def downgrade() -> None:
    op.drop_index("ix_lead_events_to_state_at", table_name="lead_events")
    op.drop_table("report_days")
