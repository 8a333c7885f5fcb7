"""The station vault: one folder holding an encrypted database, encrypted objects and the key file.

    vault/
      keyslots.json, keyslots.backup.json  the master key, wrapped per user and by recovery key
      vault.db (+ -wal)                    SQLCipher 4, keyed with a key from the master key
      objects/ab/cdef...                   streaming-AEAD objects named by an HMAC of plaintext

``Vault.create`` sets a station up; ``Vault(path).unlock(...)`` gives an ``UnlockedVault`` for one
signed-in user, which every other core function takes as its first argument.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from capture import audit, crypto, db, places
from capture.errors import (
    AccountError,
    PassphraseChangeRequired,
    VaultExists,
    VaultInUse,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from capture.files import ProcessLock
from capture.keyslots import (
    KdfParams,
    KeySlots,
    check_passphrase_strength,
    check_username,
    new_recovery_key,
    normalize_username,
)
from capture.models import ObjectRow, Station, User
from capture.objects import ObjectStore, StoredObject
from capture.roles import Action, Role, require

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    full_name: str
    role: Role


@dataclass(frozen=True)
class StationSetup:
    name: str
    province_code: int
    ward_code: int
    practice: bool = False  # a training vault: nothing may leave it (capture/practice.py)


@dataclass(frozen=True)
class NewUser:
    username: str
    full_name: str
    passphrase: str
    role: Role = Role.VOLUNTEER


@dataclass(frozen=True)
class OpenReport:
    """What unlocking found and tidied, to tell the user when it matters."""

    partial_writes_removed: int = 0
    orphans_removed: int = 0
    orphan_sweep_skipped: bool = False


class _Keys:
    """Keys derived from the master key, each for one named purpose."""

    def __init__(self, master: bytes) -> None:
        self.database = crypto.derive_key(master, "sohoa/vault/database/v1")
        self.object_payload = crypto.derive_key(master, "sohoa/vault/object-payload/v1")
        # v1: HMAC-SHA256 names (objects written before keyed BLAKE3); v2: keyed BLAKE3.
        self.object_name_hmac = crypto.derive_key(master, "sohoa/vault/object-name/v1")
        self.object_name = crypto.derive_key(master, "sohoa/vault/object-name/v2")


def _private_raw(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


class Vault:
    """A vault folder, locked. Reading it needs nothing secret; unlocking needs a passphrase."""

    def __init__(self, path: Path, clock: Clock = utc_now) -> None:
        self.path = Path(path)
        self.clock = clock
        if not (self.path / "keyslots.json").exists() and not (
            self.path / "keyslots.backup.json"
        ).exists():
            raise VaultNotFound(path=str(self.path))

    @staticmethod
    def exists(path: Path) -> bool:
        return (Path(path) / "keyslots.json").exists() or (
            Path(path) / "keyslots.backup.json"
        ).exists()

    @classmethod
    def create(
        cls,
        path: Path,
        station: StationSetup,
        admin: NewUser,
        clock: Clock = utc_now,
        kdf: KdfParams | None = None,
    ) -> tuple[UnlockedVault, str]:
        """Set up a new station. Returns the unlocked vault for the first admin and the recovery
        key, which exists nowhere else afterwards: show it once, print it, forget it."""
        path = Path(path)
        if cls.exists(path) or (path / db.DB_NAME).exists():
            raise VaultExists(path=str(path))
        places.check_place(station.province_code, station.ward_code)
        check_username(admin.username)
        check_passphrase_strength(admin.passphrase)
        kdf = kdf or KdfParams()
        path.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            path.chmod(0o700)
        master = os.urandom(crypto.KEY_SIZE)
        slots = KeySlots(vault_id=str(uuid.uuid4()))
        raw_recovery, recovery_text = new_recovery_key()
        slots.put_recovery(raw_recovery, master)
        slots.put_passphrase(slots.user_slot_id(admin.username), admin.passphrase, master, kdf)

        keys = _Keys(master)
        process_lock = ProcessLock(path / "vault.lock")
        process_lock.acquire()
        engine = db.open_engine(path / db.DB_NAME, keys.database)
        db.migrate(engine)
        now = clock()
        with db.write_session(engine) as session:
            session.add(
                Station(
                    id=slots.vault_id,
                    name=station.name.strip(),
                    province_code=station.province_code,
                    ward_code=station.ward_code,
                    created_at=now,
                    signing_key=_private_raw(Ed25519PrivateKey.generate()),
                    identity_key=_private_raw(X25519PrivateKey.generate()),
                    practice=station.practice,
                )
            )
            user = User(username=normalize_username(admin.username),
                        full_name=admin.full_name.strip(), role=Role.ADMIN.value,
                        active=True, must_change_passphrase=False, created_at=now)
            session.add(user)
            session.flush()
            audit.append(session, now, user.username, "create", "station", slots.vault_id,
                         province=station.province_code, ward=station.ward_code)
            audit.append(session, now, user.username, "create", "user", user.username,
                         role=Role.ADMIN.value)
            actor = Actor(user.id, user.username, user.full_name, Role.ADMIN)
        # The key file is written last: until it exists there is no vault, and a setup that
        # died half-way can simply be run again after clearing the folder.
        slots.save(path)
        vault = cls(path, clock)
        unlocked = UnlockedVault(vault, slots, master, engine, actor, kdf)
        unlocked._process_lock = process_lock
        return unlocked, recovery_text

    def _slots(self) -> KeySlots:
        return KeySlots.load(self.path)

    def seconds_to_wait(self, username: str) -> int:
        return self._slots().seconds_to_wait(username, self.clock())

    def unlock(self, username: str, passphrase: str) -> UnlockedVault:
        slots = self._slots()
        master = slots.open_with_passphrase(self.path, username, passphrase, self.clock)
        return self._open(slots, master, username, recovered=False)

    def unlock_with_recovery(self, username: str, recovery_key: str) -> UnlockedVault:
        """Opens the vault for ``username`` who forgot the passphrase. Nothing is allowed until
        ``set_new_passphrase`` is called."""
        slots = self._slots()
        master = slots.open_with_recovery(recovery_key)
        return self._open(slots, master, username, recovered=True)

    def _open(self, slots: KeySlots, master: bytes, username: str, recovered: bool
              ) -> UnlockedVault:
        keys = _Keys(master)
        process_lock = ProcessLock(self.path / "vault.lock")
        if not process_lock.acquire():
            raise VaultInUse()
        engine = db.open_engine(self.path / db.DB_NAME, keys.database)
        try:
            db.migrate(engine)
            with db.read_session(engine) as session:
                user = session.scalar(
                    select(User).where(User.username == normalize_username(username))
                )
                if user is None or not user.active:
                    raise WrongPassphrase()
                actor = Actor(user.id, user.username, user.full_name, Role(user.role))
                must_change = user.must_change_passphrase
        except BaseException:
            engine.dispose()
            process_lock.release()
            raise
        own_slot = slots.find(slots.user_slot_id(username))
        kdf = KdfParams(**own_slot.kdf) if own_slot and own_slot.kdf else None
        vault = UnlockedVault(self, slots, master, engine, actor, kdf)
        vault._process_lock = process_lock
        vault.open_report = vault._tidy_after_crash()
        if recovered:
            vault._mark_recovered()
        elif must_change:
            vault.must_change_passphrase = True
        return vault


class UnlockedVault:
    """The vault for one signed-in user. Not thread-safe by itself: open one session per thread."""

    def __init__(self, vault: Vault, slots: KeySlots, master: bytes, engine: Engine,
                 actor: Actor, kdf: KdfParams | None) -> None:
        self.vault = vault
        self.path = vault.path
        self.clock = vault.clock
        self.actor = actor
        self._slots = slots
        self._master: bytearray | None = bytearray(master)
        self._kdf = kdf or KdfParams()
        self._engine: Engine | None = engine
        keys = _Keys(master)
        self._objects: ObjectStore | None = ObjectStore(
            self.path / "objects", keys.object_payload, keys.object_name,
            hmac_name_key=keys.object_name_hmac)
        self.must_change_passphrase = False
        self.open_report = OpenReport()
        self._last_activity = self.clock()
        self._holds = 0  # work under held_open()
        self._holds_guard = threading.Lock()
        self._process_lock: ProcessLock | None = None

    # -- state --

    @property
    def is_locked(self) -> bool:
        return self._engine is None

    def lock(self) -> None:
        """Forget every key. Python cannot promise the bytes are gone from memory, but we drop
        every reference we hold and zero the one buffer we own."""
        if self._engine is not None:
            try:
                db.checkpoint(self._engine)
            except DatabaseError:
                pass  # a damaged page must not stop the lock
            self._engine.dispose()
        if self._process_lock is not None:
            self._process_lock.release()
            self._process_lock = None
        self._engine = None
        self._objects = None
        if self._master is not None:
            for i in range(len(self._master)):
                self._master[i] = 0
        self._master = None

    close = lock

    def touch(self) -> None:
        """Record user activity; the idle lock counts from here."""
        self._last_activity = self.clock()

    @contextmanager
    def held_open(self) -> Iterator[None]:
        """Work the idle lock must not cut short (an import, a recording: a witness may speak
        for an hour while nobody touches the laptop). While any runs, ``lock_if_idle`` does
        not lock, and the idle time counts from the end of the last one. ``lock()`` still
        locks at once: the volunteer's own Lock button wins."""
        with self._holds_guard:
            self._holds += 1
        try:
            store = self._objects
            # ... and the sweep leaves alone what it writes meanwhile
            with store.hold() if store is not None else nullcontext():
                yield
        finally:
            with self._holds_guard:
                self._holds -= 1
            self.touch()

    def lock_if_idle(self) -> bool:
        if self.is_locked:
            return True
        if self._holds:
            return False
        if self.clock() - self._last_activity >= timedelta(minutes=self.auto_lock_minutes()):
            self.lock()
            return True
        return False

    def _engine_or_raise(self) -> Engine:
        if self._engine is None:
            raise VaultLocked()
        return self._engine

    def _ready(self) -> Engine:
        engine = self._engine_or_raise()
        if self.must_change_passphrase:
            raise PassphraseChangeRequired()
        return engine

    @property
    def objects(self) -> ObjectStore:
        self._ready()
        assert self._objects is not None
        return self._objects

    def require(self, action: Action) -> None:
        self._ready()
        require(self.actor.role, action)

    # -- sessions --

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with db.read_session(self._ready()) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction; record what it changes with ``self.audit(session, ...)``."""
        with db.write_session(self._ready()) as session:
            yield session

    def audit(self, session: Session, action: str, entity: str, entity_id: str,
              **detail: object) -> None:
        audit.append(session, self.clock(), self.actor.username, action, entity, entity_id,
                     **detail)

    # -- objects --

    def store_object(self, source: BinaryIO, media_type: str = "application/octet-stream",
                     label: str = "") -> StoredObject:
        """Encrypt a stream into the vault; durable on disk before its row commits."""
        self.require(Action.STORE_OBJECT)
        stored = self.objects.put_stream(source)
        self._commit_object(stored, media_type, label)
        return stored

    def store_bytes(self, data: bytes, media_type: str = "application/octet-stream",
                    label: str = "") -> StoredObject:
        self.require(Action.STORE_OBJECT)
        stored = self.objects.put_bytes(data)
        self._commit_object(stored, media_type, label)
        return stored

    def _commit_object(self, stored: StoredObject, media_type: str, label: str) -> None:
        with self.writing() as session:
            if session.get(ObjectRow, stored.name) is None:
                session.add(ObjectRow(name=stored.name, size=stored.size, media_type=media_type,
                                      label=label, created_at=self.clock(),
                                      created_by=self.actor.user_id))
                self.audit(session, "create", "object", stored.name, size=stored.size,
                           media_type=media_type)

    def read_object(self, name: str) -> Iterator[bytes]:
        return self.objects.chunks(name)

    # -- passphrases --

    def change_passphrase(self, current: str, new: str) -> None:
        self._engine_or_raise()
        if self.must_change_passphrase:
            raise PassphraseChangeRequired()
        slots = KeySlots.load(self.path)
        slots.open_with_passphrase(self.path, self.actor.username, current, self.clock)
        self._write_own_slot(slots, new, "change passphrase")

    def set_new_passphrase(self, new: str) -> None:
        """After a recovery (or an admin's reset): the user's own new passphrase."""
        self._engine_or_raise()
        slots = KeySlots.load(self.path)
        self._write_own_slot(slots, new, "set passphrase")

    def _write_own_slot(self, slots: KeySlots, new: str, what: str) -> None:
        check_passphrase_strength(new)
        assert self._master is not None
        slots.put_passphrase(slots.user_slot_id(self.actor.username), new, bytes(self._master),
                             self._kdf)
        slots.save(self.path)
        self._slots = slots
        with db.write_session(self._engine_or_raise()) as session:
            user = session.get(User, self.actor.user_id)
            assert user is not None
            user.must_change_passphrase = False
            self.audit(session, "change", "user", self.actor.username, what=what)
        self.must_change_passphrase = False

    def put_user_slot(self, username: str, passphrase: str) -> None:
        """Wrap the master key for another user (accounts.py checks the role first)."""
        assert self._master is not None
        slots = KeySlots.load(self.path)
        slots.put_passphrase(slots.user_slot_id(username), passphrase, bytes(self._master),
                             self._kdf)
        slots.save(self.path)

    def remove_user_slot(self, username: str) -> None:
        slots = KeySlots.load(self.path)
        slots.remove(slots.user_slot_id(username))
        slots.save(self.path)

    def replace_recovery_key(self) -> str:
        """A new recovery key; the old one stops working at once."""
        self.require(Action.REPLACE_RECOVERY_KEY)
        assert self._master is not None
        slots = KeySlots.load(self.path)
        raw, text = new_recovery_key()
        slots.put_recovery(raw, bytes(self._master))
        slots.save(self.path)
        with self.writing() as session:
            self.audit(session, "change", "recovery_key", "recovery")
        return text

    def _mark_recovered(self) -> None:
        self.must_change_passphrase = True
        with db.write_session(self._engine_or_raise()) as session:
            user = session.get(User, self.actor.user_id)
            if user is None:
                raise AccountError()
            user.must_change_passphrase = True
            self.audit(session, "recover", "user", self.actor.username)

    # -- station --

    def station(self) -> Station:
        with db.read_session(self._engine_or_raise()) as session:
            station = session.scalars(select(Station)).one()
            session.expunge(station)
            return station

    def auto_lock_minutes(self) -> int:
        try:
            return self.station().auto_lock_minutes
        except (VaultLocked, DatabaseError):
            return 10

    # -- crash recovery --

    def _tidy_after_crash(self) -> OpenReport:
        """Partial object files go; complete objects whose row never committed go too. If the
        objects table cannot be read in full (a damaged page), nothing is removed."""
        assert self._objects is not None
        partial = self._objects.sweep_incoming()
        try:
            with db.read_session(self._engine_or_raise()) as session:
                known = set(session.scalars(select(ObjectRow.name)))
        except DatabaseError:
            return OpenReport(partial_writes_removed=partial, orphan_sweep_skipped=True)
        orphans = [name for name in self._objects.names_on_disk() if name not in known]
        for name in orphans:
            self._objects.remove(name)
        return OpenReport(partial_writes_removed=partial, orphans_removed=len(orphans))

    # -- internals shared with the check --

    @property
    def engine(self) -> Engine:
        return self._engine_or_raise()

    def fresh_connection(self):  # type: ignore[no-untyped-def]
        """A DB-API connection outside the pool, for the check: one damaged page poisons the
        connection that read it, so each table is read on its own connection."""
        self._engine_or_raise()
        assert self._master is not None
        return db.connect_raw(self.path / db.DB_NAME, _Keys(bytes(self._master)).database)
