"""The command's schema is made by numbered Alembic migrations, on SQLite and PostgreSQL, and
a database made before migrations existed is carried over without losing a row."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, select

from sync.server.index import include_name
from sync.server.store import MIGRATIONS, Store, metadata, stations


def test_migrations_make_exactly_the_schema_the_code_uses(database_url: str) -> None:
    store = Store(database_url)
    with store.engine.connect() as conn:
        # The FTS5 table (SQLite) and the trigram index (PostgreSQL) are made by hand in 0004.
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        differences = compare_metadata(context, metadata)
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert differences == []
    assert version is not None
    Store(database_url)  # a second start migrates nothing and fails on nothing


def test_a_database_from_before_migrations_is_stamped_and_keeps_its_rows(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    old = create_engine(url)
    # What the server did before migrations: create_all of the first four tables, which is
    # what migration 0001 makes (without its alembic_version row).
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with old.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.exec_driver_sql("DROP TABLE alembic_version")
    with old.begin() as conn:
        conn.execute(insert(stations).values(
            id="6f1c1a52-0000-4000-8000-000000000001", name="Trạm cũ", province_code=1,
            ward_code=4, signing_key="00" * 32, identity_key="11" * 32,
            enrolled_at=datetime.now(UTC), active=True))
    old.dispose()
    store = Store(url)
    with store.engine.connect() as conn:
        assert "alembic_version" in inspect(conn).get_table_names()
        names = [r.name for r in conn.execute(select(stations.c.name))]
    assert names == ["Trạm cũ"]
