"""Search: an FTS5 index of visits, martyrs, people, items and leads, with diacritic-free text.

Revision ID: 0004
"""

from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from capture import search

    op.execute(search.CREATE_INDEX)
    # The whole index at once (it also makes the visit -> rowid map today's code keeps).
    search.rebuild(op.get_bind())


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_index")
    op.execute("DROP TABLE IF EXISTS search_rows")
