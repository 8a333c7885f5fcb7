"""Search: a map from each visit to the FTS rowids of its index rows (``search_rows``), so an
edit re-indexes its visit without reading the whole index (visit_id is UNINDEXED in FTS5: ~190
ms per edit at 100,000 records, now a few ms). Filled from the existing index in one pass; the
index itself, its results and their ranking are unchanged.

Revision ID: 0012
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from capture import search

    search.fill_map(op.get_bind())


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_rows")
