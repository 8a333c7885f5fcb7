"""Fixtures shared by every test package.

- Every test gets its own SOHOA_HOME (so the app's data, config and cache folders are fresh and
  never the developer's) and its own TMPDIR (so a test can look at what landed there).
- ``fast_kdf``: cheap Argon2id parameters, so a suite can create and unlock hundreds of vaults.
- ``make_vault()``: a new vault with its first admin, unlocked; locked again at teardown.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from capture import accounts
from capture.keyslots import KdfParams
from capture.roles import Role
from capture.vault import Clock, NewUser, StationSetup, UnlockedVault, Vault, utc_now

# Running pytest directly (not through packaging/dev/run-tests.sh) must not need a display either.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ADMIN_USERNAME = "admin"
ADMIN_FULL_NAME = "Nguyễn Văn Hùng"
ADMIN_PASSPHRASE = "mật khẩu quản trị"
STATION_NAME = "Trạm thử"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
                  ) -> Path:
    """SOHOA_HOME and TMPDIR point into fresh folders of this test. Returns SOHOA_HOME."""
    home = tmp_path_factory.mktemp("sohoa-home")
    temp = tmp_path_factory.mktemp("tmpdir")
    monkeypatch.setenv("SOHOA_HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return home


@pytest.fixture
def fast_kdf() -> KdfParams:
    return KdfParams.for_tests()


MakeVault = Callable[..., tuple[UnlockedVault, str]]


@pytest.fixture
def make_vault(tmp_path: Path, fast_kdf: KdfParams) -> Iterator[MakeVault]:
    """``vault, recovery_key = make_vault()``: a new station 'Trạm thử' (province 1, ward 4)
    whose admin 'admin' / 'mật khẩu quản trị' is signed in. Call it again for another vault
    (tmp_path/vault-2, ...); every vault it made is locked at teardown."""
    made: list[UnlockedVault] = []

    def make(path: Path | None = None, *, clock: Clock = utc_now,
             station: StationSetup | None = None, admin: NewUser | None = None
             ) -> tuple[UnlockedVault, str]:
        if path is None:
            path = tmp_path / ("vault" if not made else f"vault-{len(made) + 1}")
        vault, recovery = Vault.create(
            path,
            station or StationSetup(STATION_NAME, 1, 4),
            admin or NewUser(ADMIN_USERNAME, ADMIN_FULL_NAME, ADMIN_PASSPHRASE, Role.ADMIN),
            clock=clock,
            kdf=fast_kdf,
        )
        made.append(vault)
        return vault, recovery

    yield make
    for vault in made:
        vault.lock()


VOLUNTEER_PASS = "mật khẩu của Lan"


@pytest.fixture
def volunteer(make_vault):
    """A signed-in volunteer (admins manage; volunteers capture), on a vault whose admin is
    'admin' / 'mật khẩu quản trị'."""
    admin, _ = make_vault()
    accounts.create_user(admin, NewUser("lan", "Trần Thị Lan", "tạm thời 12345", Role.VOLUNTEER))
    path = admin.path
    admin.lock()
    vault = Vault(path).unlock("lan", "tạm thời 12345")
    vault.set_new_passphrase(VOLUNTEER_PASS)
    yield vault
    vault.lock()
