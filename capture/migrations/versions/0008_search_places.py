"""Search: a household's commune/ward and province names are indexed (they were only stored as
codes, so "quang tri" or "hai lang" found no visit). The index is rebuilt once, in time linear in
the records; its columns are unchanged (dropped and made again, as 0007 did: emptying an FTS5
table row by row instead would leave it full of deletion markers).

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from capture import search

    op.execute("DROP TABLE IF EXISTS search_index")
    op.execute(search.CREATE_INDEX)
    search.rebuild(op.get_bind())


def downgrade() -> None:
    # Same table, same columns: the place names left in the index harm nothing, and each edit
    # re-indexes its visit the old way.
    pass
