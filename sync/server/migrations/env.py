"""Alembic runs on the command's open connection, handed over in attributes (SQLite or
PostgreSQL alike)."""

from alembic import context

from sync.server.store import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
