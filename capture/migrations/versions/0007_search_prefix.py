"""Search: one-letter prefixes indexed too, so "nguyen van h" (typing) reads one prefix list
instead of merging every word that starts with "h" (50-80 ms at 100,000 records, now ~5 ms).

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from capture import search

    op.execute("DROP TABLE IF EXISTS search_index")
    op.execute(search.CREATE_INDEX)
    search.rebuild(op.get_bind())


def downgrade() -> None:
    from capture import search

    op.execute("DROP TABLE IF EXISTS search_index")
    op.execute(search.CREATE_INDEX.replace("prefix = '1 2 3'", "prefix = '2 3'"))
    search.rebuild(op.get_bind())
