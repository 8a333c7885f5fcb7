"""The command's records: enrolled stations, one-time enrolment codes, ingested batches.

SQLAlchemy Core against a URL: the embedded default is SQLite in the data folder; the same
tables work on PostgreSQL (``--database postgresql+psycopg://...``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from sync.errors import SyncError

metadata = MetaData()

stations = Table(
    "stations", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("province_code", Integer, nullable=False),
    Column("ward_code", Integer, nullable=False),
    Column("signing_key", String(64), nullable=False),  # Ed25519 public, hex
    Column("identity_key", String(64), nullable=False),  # X25519 public, hex
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    Column("disabled_reason", Text, nullable=True),
    Column("key_rotated_at", DateTime(timezone=True), nullable=True),
)

enrolment_codes = Table(
    "enrolment_codes", metadata,
    Column("code_sha256", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
    Column("used_by", String(36), nullable=True),
)

# Keyed by station and batch id together (migration 0003): a batch id is visible (in a USB
# file's name), so another station reusing it must not block the real batch.
batches = Table(
    "batches", metadata,
    Column("station_id", String(36), primary_key=True, index=True),
    Column("batch_id", String(36), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("tagmanifest_sha256", String(64), nullable=False),
    Column("payload_files", Integer, nullable=False),
    Column("payload_bytes", BigInteger, nullable=False),
    Column("archive_path", Text, nullable=False),
    Column("receipt", Text, nullable=False),
    # The upload it came as (none from a USB stick): a resumed ingest finds its batch by it.
    Column("upload_id", String(32), nullable=True),
    UniqueConstraint("upload_id", name="uq_batches_upload_id"),
)


uploads = Table(
    "uploads", metadata,
    Column("id", String(32), primary_key=True),
    Column("station_id", String(36), nullable=False, index=True),
    Column("length", BigInteger, nullable=False),  # PostgreSQL INTEGER stops at 2 GiB,
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("state", String(12), nullable=False),  # receiving | ingesting | done | rejected
    Column("batch_id", String(36), nullable=True),
    Column("result", Text, nullable=True),  # the receipt JSON, or the rejection reason
    # The size of the blocks its manifest (uploads/<id>.blocks) hashes; NULL: no manifest, each
    # PATCH carries a signed Upload-Checksum instead.
    Column("block_size", Integer, nullable=True),
)

# The nonces of signed requests within the signature window, so a request replayed after a
# restart is refused too; swept after 2 × httpsig.MAX_SKEW.
seen_nonces = Table(
    "seen_nonces", metadata,
    Column("nonce", String(64), primary_key=True),
    Column("station_id", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)


class EnrolmentRefused(SyncError):
    """The enrolment code is unknown, expired or already used; ``code`` says which
    (code_unknown, code_used, code_expired, already_enrolled)."""

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(detail)
        self.code = code


class NoSuchStation(SyncError):
    """No station is enrolled with this id."""


@dataclass(frozen=True)
class Station:
    id: str
    name: str
    province_code: int
    ward_code: int
    signing_key: bytes
    identity_key: bytes
    active: bool


MIGRATIONS = Path(__file__).with_name("migrations")


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (numbered Alembic migrations in
    sync/server/migrations/versions). A database made before migrations existed (its tables
    made by create_all) is first stamped as 0001, which it matches."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        tables = inspect(conn).get_table_names()
        if "stations" in tables and "alembic_version" not in tables:
            command.stamp(config, "0001")
        command.upgrade(config, "heads")


class Store:
    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, future=True)
        migrate(self.engine)

    @classmethod
    def in_folder(cls, folder: Path) -> Store:
        folder.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{folder / 'server.db'}")

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # -- enrolment --

    def new_enrolment_code(self, now: datetime, valid_for: timedelta = timedelta(days=7)) -> str:
        """A one-time code for one station, typed or scanned; only its hash is kept."""
        code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
        with self.begin() as conn:
            conn.execute(insert(enrolment_codes).values(
                code_sha256=_code_hash(code), created_at=now, expires_at=now + valid_for))
        return code

    def redeem(self, code: str, station: Station, now: datetime) -> None:
        """Record the station's public keys against a code, once (also when two stations try
        the same code at the same moment: the code is spent by a conditional UPDATE, which
        both SQLite and PostgreSQL apply to one of them only)."""
        digest = _code_hash(code)
        now = now.astimezone(UTC)  # SQLite compares the stored UTC text
        with self.begin() as conn:
            spent = conn.execute(update(enrolment_codes).where(
                enrolment_codes.c.code_sha256 == digest, enrolment_codes.c.used_at.is_(None),
                enrolment_codes.c.expires_at >= now).values(used_at=now, used_by=station.id))
            if spent.rowcount != 1:
                row = conn.execute(select(enrolment_codes).where(
                    enrolment_codes.c.code_sha256 == digest)).first()
                if row is None:
                    raise EnrolmentRefused("unknown enrolment code", "code_unknown")
                if row.used_at is not None:
                    raise EnrolmentRefused("this enrolment code was already used", "code_used")
                raise EnrolmentRefused("this enrolment code has expired", "code_expired")
            if conn.execute(select(stations.c.id).where(stations.c.id == station.id)).first():
                # Raised inside the transaction: the code is not spent.
                raise EnrolmentRefused("this station is already enrolled", "already_enrolled")
            conn.execute(insert(stations).values(
                id=station.id, name=station.name, province_code=station.province_code,
                ward_code=station.ward_code, signing_key=station.signing_key.hex(),
                identity_key=station.identity_key.hex(), enrolled_at=now, active=True))

    def station(self, station_id: str) -> Station | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(stations).where(stations.c.id == station_id)).first()
        if row is None:
            return None
        return Station(row.id, row.name, row.province_code, row.ward_code,
                       bytes.fromhex(row.signing_key), bytes.fromhex(row.identity_key),
                       row.active)

    def stations(self) -> list[dict]:  # type: ignore[type-arg]
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(stations).order_by(stations.c.enrolled_at))]

    def set_active(self, station_id: str, active: bool, now: datetime,
                   reason: str | None = None) -> None:
        """Disable a station (its requests and batches are refused from now on) or enable it
        again."""
        with self.begin() as conn:
            changed = conn.execute(update(stations).where(stations.c.id == station_id).values(
                active=active, disabled_at=None if active else now.astimezone(UTC),
                disabled_reason=None if active else reason))
        if changed.rowcount != 1:
            raise NoSuchStation(station_id)

    def rotate_key(self, station_id: str, signing_key: bytes, identity_key: bytes,
                   now: datetime) -> None:
        """The station's new public keys (a reinstalled laptop, a key thought stolen): from
        now on only requests and batches signed by the new key are accepted."""
        with self.begin() as conn:
            changed = conn.execute(update(stations).where(stations.c.id == station_id).values(
                signing_key=signing_key.hex(), identity_key=identity_key.hex(),
                key_rotated_at=now.astimezone(UTC)))
        if changed.rowcount != 1:
            raise NoSuchStation(station_id)

    # -- nonces of signed requests --

    def first_time(self, nonce: str, key_id: str, now: float) -> bool:
        """httpsig's replay check, kept in the database: True the first time ``nonce`` is
        seen (the primary key decides, also between two requests at the same moment)."""
        try:
            with self.begin() as conn:
                conn.execute(insert(seen_nonces).values(
                    nonce=nonce, station_id=key_id,
                    created_at=datetime.fromtimestamp(now, UTC)))
        except IntegrityError:
            return False
        return True

    def sweep_nonces(self, now: datetime, keep: timedelta) -> int:
        with self.begin() as conn:
            return conn.execute(delete(seen_nonces).where(
                seen_nonces.c.created_at < (now - keep).astimezone(UTC))).rowcount

    # -- batches --

    def batch(self, station_id: str, batch_id: str) -> dict | None:  # type: ignore[type-arg]
        with self.engine.connect() as conn:
            row = conn.execute(select(batches).where(
                batches.c.station_id == station_id, batches.c.batch_id == batch_id)).first()
        return dict(row._mapping) if row else None

    def batch_of_upload(self, upload_id: str) -> dict | None:  # type: ignore[type-arg]
        """The batch an upload delivered, if it was recorded."""
        with self.engine.connect() as conn:
            row = conn.execute(select(batches).where(batches.c.upload_id == upload_id)).first()
        return dict(row._mapping) if row else None

    def list_batches(self, limit: int = 200) -> list[dict]:  # type: ignore[type-arg]
        with self.engine.connect() as conn:
            rows = conn.execute(select(batches).order_by(batches.c.received_at.desc())
                                .limit(limit))
            return [dict(r._mapping) for r in rows]


def _code_hash(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()



# Tables defined beside the code that uses them register on ``metadata`` when imported; import
# them here, last (they import this module's metadata), so the migrations' comparison sees the
# whole schema: the index (migration 0004), accounts and the access log (0005).
from sync.server import access_log as _access_log  # noqa: E402, F401
from sync.server import accounts as _accounts  # noqa: E402, F401
from sync.server import casework_tables as _casework_tables  # noqa: E402, F401
from sync.server import index as _index  # noqa: E402, F401
from sync.server import leads as _leads  # noqa: E402, F401
from sync.server import map_layers as _map_layers  # noqa: E402, F401
from sync.server import ocr as _ocr  # noqa: E402, F401
from sync.server import places as _places  # noqa: E402, F401
from sync.server import report_rollup as _report_rollup  # noqa: E402, F401
from sync.server import witness_tables as _witness_tables  # noqa: E402, F401  (migration 0009)
from sync.server.cases import tables as _case_tables  # noqa: E402, F401
