"""Alembic runs on the command's open connection, handed over in attributes (SQLite or
PostgreSQL alike)."""

from alembic import context

from sync.server.index import include_name
from sync.server.store import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite", include_name=include_name)
with context.begin_transaction():
    context.run_migrations()
