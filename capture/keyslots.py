"""The only part of the vault readable before unlock: the master key, wrapped once per user and
once by the recovery key, plus the wrong-passphrase throttle.

Slots are found by a salted hash of the user name, so the file names nobody. The file is written
twice (``keyslots.json`` and ``keyslots.backup.json``) with a generation counter; a torn or
damaged copy falls back to the other, because losing this file would lose the whole vault.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from capture import crypto
from capture.errors import (
    InvalidUsername,
    MistypedRecoveryKey,
    TooManyAttempts,
    VaultDamaged,
    WeakPassphrase,
    WrongPassphrase,
    WrongRecoveryKey,
)
from capture.files import write_atomically

FORMAT = "sohoa-keyslots"
FILE_NAMES = ("keyslots.json", "keyslots.backup.json")
LOCK_NAME = "keyslots.lock"  # held across the throttle check, the passphrase try and the count
MIN_PASSPHRASE = 10
FREE_ATTEMPTS = 3
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
RECOVERY_BYTES = 20
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The default takes about 0.4 s on a 2-core laptop (see bench/vault_bench.py):
    slow enough that guessing is expensive, fast enough that a volunteer never waits."""

    memory_kib: int = 128 * 1024
    iterations: int = 4
    lanes: int = 2

    @classmethod
    def for_tests(cls) -> KdfParams:
        """Cheap parameters so a test suite can unlock hundreds of times; never for a real vault."""
        return cls(memory_kib=8 * 1024, iterations=1, lanes=1)

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        kdf = Argon2id(
            salt=salt,
            length=crypto.KEY_SIZE,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(normalize_passphrase(passphrase).encode())


def normalize_passphrase(passphrase: str) -> str:
    # Vietnamese keyboards (Telex, VNI, Unikey) may emit precomposed or combining diacritics for
    # the same word: NFC makes "Hùng" one string whichever the laptop produced.
    return unicodedata.normalize("NFC", passphrase)


def normalize_username(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().casefold()


def valid_username(username: str) -> bool:
    name = normalize_username(username)
    return 2 <= len(name) <= 40 and all(c.isalnum() or c in "._-" for c in name)


def check_username(username: str) -> str:
    """The normalized name, or InvalidUsername."""
    if not valid_username(username):
        raise InvalidUsername()
    return normalize_username(username)


def check_passphrase_strength(passphrase: str) -> None:
    if len(normalize_passphrase(passphrase)) < MIN_PASSPHRASE:
        raise WeakPassphrase(minimum=MIN_PASSPHRASE)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


# --- recovery key -----------------------------------------------------------------------------


def new_recovery_key() -> tuple[bytes, str]:
    raw = secrets.token_bytes(RECOVERY_BYTES)
    return raw, format_recovery_key(raw)


def _base32(data: bytes, chars: int) -> str:
    number = int.from_bytes(data, "big")
    bits = len(data) * 8
    number <<= chars * 5 - bits
    return "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(chars)))


def _checksum(raw: bytes) -> str:
    # 20 bits of SHA-256 catch any mistyped character before we try the key on the vault.
    return _base32(hashlib.sha256(b"sohoa recovery" + raw).digest()[:3], 5)[:4]


def format_recovery_key(raw: bytes) -> str:
    text = _base32(raw, 32) + _checksum(raw)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if not ch.isspace() and ch != "-")
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) != 36 or any(ch not in _CROCKFORD for ch in cleaned):
        raise MistypedRecoveryKey()
    number = 0
    for ch in cleaned[:32]:
        number = number * 32 + _CROCKFORD.index(ch)
    raw = number.to_bytes(RECOVERY_BYTES, "big")
    if _checksum(raw) != cleaned[32:]:
        raise MistypedRecoveryKey()
    return raw


# --- the slots file ----------------------------------------------------------------------------


@dataclass
class Slot:
    id: str
    kind: str  # "passphrase" | "recovery"
    salt: str
    nonce: str
    wrapped: str
    kdf: dict[str, int] | None = None

    def aad(self, vault_id: str) -> bytes:
        bound = {"vault": vault_id, "id": self.id, "kind": self.kind, "salt": self.salt,
                 "kdf": self.kdf}
        return json.dumps(bound, sort_keys=True).encode()


@dataclass
class Throttle:
    failures: int = 0
    locked_until: str | None = None


@dataclass
class KeySlots:
    vault_id: str
    generation: int = 0
    slots: list[Slot] = field(default_factory=list)
    throttle: dict[str, Throttle] = field(default_factory=dict)

    # -- persistence --

    @classmethod
    def load(cls, folder: Path) -> KeySlots:
        copies = []
        for name in FILE_NAMES:
            try:
                copies.append(cls._parse((folder / name).read_bytes()))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        if not copies:
            raise VaultDamaged(what="the key file (keyslots.json) and its backup")
        return max(copies, key=lambda c: c.generation)

    @classmethod
    def _parse(cls, data: bytes) -> KeySlots:
        doc = json.loads(data)
        if doc.get("format") != FORMAT or doc.get("version") != 1:
            raise ValueError("not a key file")
        return cls(
            vault_id=doc["vault_id"],
            generation=int(doc["generation"]),
            slots=[Slot(**s) for s in doc["slots"]],
            throttle={k: Throttle(**v) for k, v in doc.get("throttle", {}).items()},
        )

    def save(self, folder: Path) -> None:
        self.generation += 1
        doc = {
            "format": FORMAT,
            "version": 1,
            "vault_id": self.vault_id,
            "generation": self.generation,
            "slots": [asdict(s) for s in self.slots],
            "throttle": {k: asdict(v) for k, v in self.throttle.items()},
        }
        data = json.dumps(doc, indent=1, sort_keys=True).encode()
        for name in FILE_NAMES:
            write_atomically(folder / name, data)

    # -- slots --

    def user_slot_id(self, username: str) -> str:
        digest = hashlib.sha256(f"{self.vault_id}\0{normalize_username(username)}".encode())
        return "u-" + digest.hexdigest()[:32]

    def find(self, slot_id: str) -> Slot | None:
        return next((s for s in self.slots if s.id == slot_id), None)

    def put_passphrase(
        self, slot_id: str, passphrase: str, master_key: bytes, params: KdfParams
    ) -> None:
        check_passphrase_strength(passphrase)
        salt = os.urandom(16)
        slot = Slot(id=slot_id, kind="passphrase", salt=_b64(salt), nonce="", wrapped="",
                    kdf=asdict(params))
        nonce, wrapped = crypto.wrap_key(params.derive(passphrase, salt), master_key,
                                         slot.aad(self.vault_id))
        slot.nonce, slot.wrapped = _b64(nonce), _b64(wrapped)
        self._replace(slot)
        self.throttle.pop(slot_id, None)

    def put_recovery(self, raw_recovery: bytes, master_key: bytes) -> None:
        salt = os.urandom(16)
        slot = Slot(id="recovery", kind="recovery", salt=_b64(salt), nonce="", wrapped="")
        kek = crypto.derive_key(raw_recovery, "sohoa/keyslot/recovery/v1", salt=salt)
        nonce, wrapped = crypto.wrap_key(kek, master_key, slot.aad(self.vault_id))
        slot.nonce, slot.wrapped = _b64(nonce), _b64(wrapped)
        self._replace(slot)

    def remove(self, slot_id: str) -> None:
        self.slots = [s for s in self.slots if s.id != slot_id]
        self.throttle.pop(slot_id, None)

    def _replace(self, slot: Slot) -> None:
        self.remove(slot.id)
        self.slots.append(slot)

    # -- opening --

    def open_with_passphrase(
        self, folder: Path, username: str, passphrase: str, now: Callable[[], datetime]
    ) -> bytes:
        """The master key, or WrongPassphrase / TooManyAttempts. Failures are counted on disk
        so that restarting the app does not reset the wait.

        Every attempt holds a lock across processes (``keyslots.lock``) from the throttle
        check to the failure count, and reads the file again under it: eight processes trying
        at once take turns, each sees the failures of the ones before, and none overwrites
        another's count."""
        slot_id = self.user_slot_id(username)
        with _attempt_lock(folder):
            self._reload(folder)
            self._refuse_if_throttled(slot_id, now())
            slot = self.find(slot_id)
            if slot is not None and slot.kind == "passphrase" and slot.kdf is not None:
                params = KdfParams(**slot.kdf)
                kek = params.derive(passphrase, _unb64(slot.salt))
            else:
                # Unknown user: spend the same time, so timing does not tell which names exist.
                KdfParams().derive(passphrase, b"\0" * 16)
                kek = None
            if kek is not None and slot is not None:
                try:
                    key = crypto.unwrap_key(kek, _unb64(slot.nonce), _unb64(slot.wrapped),
                                            slot.aad(self.vault_id))
                except crypto.DecryptionFailed:
                    pass
                else:
                    if slot_id in self.throttle:
                        self.throttle.pop(slot_id)
                        self.save(folder)
                    return key
            self._count_failure(folder, slot_id, now())
        raise WrongPassphrase()

    def _reload(self, folder: Path) -> None:
        """Take the file's current state (another process may have counted a failure or
        changed a slot since this copy was read)."""
        try:
            fresh = KeySlots.load(folder)
        except VaultDamaged:
            return  # a vault made in memory by a test, or damaged: keep what we have
        if fresh.vault_id == self.vault_id and fresh.generation >= self.generation:
            self.generation, self.slots, self.throttle = (fresh.generation, fresh.slots,
                                                          fresh.throttle)

    def open_with_recovery(self, recovery_text: str) -> bytes:
        raw = parse_recovery_key(recovery_text)
        slot = self.find("recovery")
        if slot is None:
            raise WrongRecoveryKey()
        kek = crypto.derive_key(raw, "sohoa/keyslot/recovery/v1", salt=_unb64(slot.salt))
        try:
            return crypto.unwrap_key(kek, _unb64(slot.nonce), _unb64(slot.wrapped),
                                     slot.aad(self.vault_id))
        except crypto.DecryptionFailed:
            raise WrongRecoveryKey() from None

    def seconds_to_wait(self, username: str, at: datetime) -> int:
        entry = self.throttle.get(self.user_slot_id(username))
        if entry is None or entry.locked_until is None:
            return 0
        remaining = (datetime.fromisoformat(entry.locked_until) - at).total_seconds()
        return max(0, int(remaining + 0.999))

    def _refuse_if_throttled(self, slot_id: str, at: datetime) -> None:
        entry = self.throttle.get(slot_id)
        if entry and entry.locked_until:
            remaining = (datetime.fromisoformat(entry.locked_until) - at).total_seconds()
            if remaining > 0:
                raise TooManyAttempts(seconds=int(remaining + 0.999))

    def _count_failure(self, folder: Path, slot_id: str, at: datetime) -> None:
        entry = self.throttle.setdefault(slot_id, Throttle())
        entry.failures += 1
        if entry.failures >= FREE_ATTEMPTS:
            delay = min(FIRST_DELAY * 2 ** (entry.failures - FREE_ATTEMPTS), MAX_DELAY)
            entry.locked_until = (at + delay).astimezone(UTC).isoformat()
        self.save(folder)


LOCK_POLL = 0.05  # seconds between tries where the OS has no blocking lock (Windows)


@contextmanager
def _attempt_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder/keyslots.lock``, waiting for it; the OS releases it if
    the process dies."""
    with open(folder / LOCK_NAME, "a+b") as handle:
        if os.name == "nt":
            import msvcrt

            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    time.sleep(LOCK_POLL)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield  # closing the file releases the lock, on both systems
