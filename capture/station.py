"""This station's identity: its name and place, and its signing and encryption keys."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

from capture import places
from capture.errors import AutoLockOutOfRange
from capture.models import Station
from capture.roles import Action
from capture.vault import UnlockedVault


@dataclass(frozen=True)
class StationInfo:
    id: str
    name: str
    province_code: int
    province_name: str
    ward_code: int
    ward_name: str
    signing_public_key: bytes  # Ed25519, 32 bytes
    identity_public_key: bytes  # X25519, 32 bytes
    auto_lock_minutes: int
    practice: bool = False  # a training vault (capture/practice.py)


def info(vault: UnlockedVault) -> StationInfo:
    row = vault.station()
    raw = (Encoding.Raw, PublicFormat.Raw)
    return StationInfo(
        id=row.id,
        name=row.name,
        province_code=row.province_code,
        province_name=places.province_name(row.province_code),
        ward_code=row.ward_code,
        ward_name=places.ward_name(row.ward_code),
        signing_public_key=Ed25519PrivateKey.from_private_bytes(row.signing_key)
        .public_key().public_bytes(*raw),
        identity_public_key=X25519PrivateKey.from_private_bytes(row.identity_key)
        .public_key().public_bytes(*raw),
        auto_lock_minutes=row.auto_lock_minutes,
        practice=bool(row.practice),
    )


def signing_key(vault: UnlockedVault) -> Ed25519PrivateKey:
    vault.require(Action.BUILD_BATCH)
    return Ed25519PrivateKey.from_private_bytes(vault.station().signing_key)


def sign(vault: UnlockedVault, message: bytes) -> bytes:
    """Sign with the station key without handing the key out. Callers prefix their own domain
    (e.g. b"sohoa consent record v1\0") so a signature for one purpose never passes for another."""
    if vault.is_locked:
        vault.require(Action.CAPTURE)  # raises VaultLocked
    return Ed25519PrivateKey.from_private_bytes(vault.station().signing_key).sign(message)


def update(vault: UnlockedVault, name: str, province_code: int, ward_code: int) -> None:
    vault.require(Action.EDIT_STATION)
    places.check_place(province_code, ward_code)
    with vault.writing() as session:
        station = session.scalars(select(Station)).one()
        station.name = name.strip()
        station.province_code, station.ward_code = province_code, ward_code
        vault.audit(session, "change", "station", station.id, province=province_code,
                    ward=ward_code)


def set_auto_lock(vault: UnlockedVault, minutes: int) -> None:
    vault.require(Action.EDIT_STATION)
    if not 1 <= minutes <= 120:
        raise AutoLockOutOfRange()
    with vault.writing() as session:
        station = session.scalars(select(Station)).one()
        station.auto_lock_minutes = minutes
        vault.audit(session, "change", "station", station.id, auto_lock_minutes=minutes)
