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
    connection = op.get_bind()
    visit_ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM visits")]
    for visit_id in visit_ids:
        search.reindex_connection(connection, visit_id)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_index")
