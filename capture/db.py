"""The SQLCipher database: keyed connections, WAL, migrations."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from capture.errors import DiskFull, VaultDamaged

MIGRATIONS = Path(__file__).with_name("migrations")
DB_NAME = "vault.db"
FULL_DISK_BYTES = 1024 * 1024  # less free than this and SQLite cannot even open its WAL


def connect_raw(path: Path, db_key: bytes) -> sqlcipher3.Connection:
    """A keyed DB-API connection. The key is given raw, so SQLCipher runs no KDF of its own:
    the one slow KDF is Argon2id on the passphrase."""
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    # Damage is reported by the vault check in words; SQLCipher's own log would only print
    # hex page errors onto the operator's terminal.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as error:
        conn.close()
        # Opening a WAL database writes its -wal and -shm files: on a full disk that fails
        # as "disk I/O error", which is no damage at all. Say what it is.
        if isinstance(error, sqlcipher3.OperationalError) and \
                shutil.disk_usage(path.parent).free < FULL_DISK_BYTES:
            raise DiskFull() from error
        # Right master key but an unreadable first page means damage, not a wrong passphrase:
        # the key was already proven by unwrapping it.
        raise VaultDamaged(what="the database's first page") from error
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit reported to the volunteer survives a power cut, not only a crash.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def open_engine(path: Path, db_key: bytes) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        creator=lambda: connect_raw(path, db_key),
        module=sqlcipher3,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
    )

    # pysqlite's implicit transactions are off (isolation_level=None); we emit BEGIN ourselves so
    # that writers take the write lock up front (IMMEDIATE) and never fail half-way on upgrade.
    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        mode = "IMMEDIATE" if conn.get_execution_options().get("sohoa_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    # SQLCipher keeps a page's HMAC failure as a sticky error on the connection, so every later
    # read on it fails too. Treat it as a dead connection: the pool drops it and the next query
    # gets a fresh one, and the tables not on the damaged page stay usable.
    @event.listens_for(engine, "handle_error")
    def _drop_poisoned(context):  # type: ignore[no-untyped-def]
        if isinstance(context.original_exception, sqlcipher3.DatabaseError):
            context.is_disconnect = True

    return engine


def migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "heads")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session that holds the write lock from its first statement and commits on success."""
    with Session(engine.execution_options(sohoa_write=True), expire_on_commit=False) as session:
        with session.begin():
            yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


def checkpoint(engine: Engine) -> None:
    """Fold the WAL into the main file, so a closed vault is one file plus objects."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

