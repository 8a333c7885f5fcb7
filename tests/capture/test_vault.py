"""The vault on real SQLCipher: who can open it, and what it refuses."""

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from capture import accounts
from capture.errors import (
    PassphraseChangeRequired,
    VaultInUse,
    VaultLocked,
    WeakPassphrase,
    WrongPassphrase,
    WrongRecoveryKey,
)
from capture.roles import Role
from capture.vault import NewUser, Vault

ADMIN_PASS = "mật khẩu quản trị"


def test_database_file_is_unreadable_by_plain_sqlite(make_vault):
    vault, _ = make_vault()
    vault.lock()
    db_file = vault.path / "vault.db"
    header = db_file.read_bytes()[:16]
    assert header != b"SQLite format 3\x00"
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(db_file).execute("SELECT * FROM sqlite_master").fetchall()
    if shutil.which("sqlite3"):
        result = subprocess.run(["sqlite3", str(db_file), ".tables"], capture_output=True,
                                text=True, check=False)
        assert result.returncode != 0
        assert "not a database" in result.stderr


def test_wrong_passphrase_fails_with_a_clear_message(make_vault):
    vault, _ = make_vault()
    vault.lock()
    with pytest.raises(WrongPassphrase) as failure:
        Vault(vault.path).unlock("admin", "mật khẩu sai rồi")
    assert "passphrase is wrong" in str(failure.value)
    with pytest.raises(WrongPassphrase):
        Vault(vault.path).unlock("nobody", ADMIN_PASS)


def test_every_users_passphrase_opens_the_vault(make_vault):
    vault, _ = make_vault()
    people = {"lan": Role.VOLUNTEER, "minh": Role.COORDINATOR, "tuan": Role.OPERATOR}
    for name, role in people.items():
        accounts.create_user(vault, NewUser(name, name.title(), f"tạm thời {name} 123", role))
    vault.lock()
    for name, role in people.items():
        user = Vault(vault.path).unlock(name, f"tạm thời {name} 123")
        assert user.actor.role == role
        assert user.must_change_passphrase  # the admin's temporary passphrase
        user.set_new_passphrase(f"của riêng {name} 456")
        user.lock()
        Vault(vault.path).unlock(name, f"của riêng {name} 456").lock()
        with pytest.raises(WrongPassphrase):
            Vault(vault.path).unlock(name, f"tạm thời {name} 123")
    Vault(vault.path).unlock("admin", ADMIN_PASS).lock()


def test_recovery_key_opens_the_vault_and_forces_a_new_passphrase(make_vault):
    vault, recovery = make_vault()
    vault.lock()
    recovered = Vault(vault.path).unlock_with_recovery("admin", recovery.lower())
    assert recovered.must_change_passphrase
    with pytest.raises(PassphraseChangeRequired):
        recovered.reading().__enter__()
    with pytest.raises(PassphraseChangeRequired):
        recovered.replace_recovery_key()
    with pytest.raises(WeakPassphrase):
        recovered.set_new_passphrase("short")
    recovered.set_new_passphrase("mật khẩu mới sau khi quên")
    with recovered.reading() as session:
        assert session is not None
    recovered.lock()
    with pytest.raises(WrongPassphrase):
        Vault(vault.path).unlock("admin", ADMIN_PASS)
    Vault(vault.path).unlock("admin", "mật khẩu mới sau khi quên").lock()


def test_a_wrong_or_replaced_recovery_key_is_refused(make_vault):
    vault, recovery = make_vault()
    new_key = vault.replace_recovery_key()
    vault.lock()
    with pytest.raises(WrongRecoveryKey):
        Vault(vault.path).unlock_with_recovery("admin", recovery)
    Vault(vault.path).unlock_with_recovery("admin", new_key).lock()


def test_change_passphrase_needs_the_current_one(make_vault):
    vault, _ = make_vault()
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("not it at all", "một mật khẩu mới")
    vault.change_passphrase(ADMIN_PASS, "một mật khẩu mới")
    vault.lock()
    Vault(vault.path).unlock("admin", "một mật khẩu mới").lock()


def test_locked_vault_refuses_and_forgets(make_vault):
    vault, _ = make_vault()
    vault.lock()
    with pytest.raises(VaultLocked):
        vault.store_bytes(b"after lock")
    with pytest.raises(VaultLocked):
        vault.reading().__enter__()


def test_idle_vault_locks_itself(make_vault):
    now = [datetime(2026, 11, 22, 9, 0, tzinfo=UTC)]
    vault, _ = make_vault()
    vault.lock()
    opened = Vault(vault.path, clock=lambda: now[0]).unlock("admin", ADMIN_PASS)
    now[0] += timedelta(minutes=9)
    assert not opened.lock_if_idle()
    opened.touch()
    now[0] += timedelta(minutes=9)
    assert not opened.lock_if_idle()
    now[0] += timedelta(minutes=1, seconds=1)
    assert opened.lock_if_idle()
    assert opened.is_locked


def test_one_app_at_a_time(make_vault):
    vault, _ = make_vault()
    with pytest.raises(VaultInUse):
        Vault(vault.path).unlock("admin", ADMIN_PASS)
    vault.lock()
    Vault(vault.path).unlock("admin", ADMIN_PASS).lock()


def test_objects_dedupe_and_round_trip(volunteer):
    vault = volunteer
    photo = bytes(range(256)) * 5000
    first = vault.store_bytes(photo, media_type="image/jpeg", label="ảnh 1")
    second = vault.store_bytes(photo, media_type="image/jpeg", label="ảnh 1 lần nữa")
    assert not first.duplicate and second.duplicate and first.name == second.name
    assert b"".join(vault.read_object(first.name)) == photo
    assert len(list(vault.objects.names_on_disk())) == 1
