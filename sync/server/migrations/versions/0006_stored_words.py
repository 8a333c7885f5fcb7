"""PostgreSQL: the folded text's words stored (a generated ``tsvector`` column) and the GIN
index made on that column instead of on the expression, so a match is not re-parsed from the
text at every row it checks (the recheck of a bitmap scan, or a newest-first walk that filters
row by row). SQLite keeps its FTS5 table; nothing changes there.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(
        "ALTER TABLE search_entries ADD COLUMN words tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, folded)) STORED"
    )
    op.execute("DROP INDEX IF EXISTS ix_search_entries_folded_words")
    op.execute("CREATE INDEX ix_search_entries_words ON search_entries USING gin (words)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_entries_words")
    op.execute("ALTER TABLE search_entries DROP COLUMN words")
    op.execute(
        "CREATE INDEX ix_search_entries_folded_words ON search_entries "
        "USING gin (to_tsvector('simple'::regconfig, folded))"
    )
