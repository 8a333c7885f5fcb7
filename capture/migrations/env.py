"""Alembic runs inside the vault: the open, keyed connection is handed over in attributes."""

from alembic import context

from capture.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
