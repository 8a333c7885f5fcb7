"""No plaintext of a record or an object is ever written outside the encrypted vault."""

import os
import tempfile

import pytest

from capture import accounts, paths, station
from capture.roles import Role
from capture.vault import NewUser, StationSetup, Vault
from tests.leakscan import encodings, scan

NAME = "Nguyễn Thị Mẫu-Đánh-Dấu"
STATION = "Trạm Dấu-Vết-Rò-Rỉ"
MARKER_BYTES = b"\x00LEAK-MARKER-\xde\xad\xbe\xef-BYTES\x00"


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_no_marker_leaves_the_vault(private_tmp, fast_kdf):
    path = paths.default_vault()
    vault, _ = Vault.create(path, StationSetup(STATION, 1, 4),
                            NewUser("admin", NAME, "mật khẩu quản trị"), kdf=fast_kdf)
    accounts.create_user(vault, NewUser("lan", NAME + " 2", "tạm thời 12345", Role.VOLUNTEER))
    station.update(vault, STATION + " mới", 1, 4)
    vault.lock()
    volunteer = Vault(path).unlock("lan", "tạm thời 12345")
    volunteer.set_new_passphrase("mật khẩu của Lan")
    small = MARKER_BYTES * 10
    big = os.urandom(3 * 1024 * 1024) + MARKER_BYTES + os.urandom(1000)
    for data in (small, big):
        stored = volunteer.store_bytes(data, media_type="image/jpeg", label=f"thư của {NAME}")
        assert b"".join(volunteer.read_object(stored.name)) == data
    needles = [MARKER_BYTES, *encodings(NAME), *encodings(STATION)]
    roots = [paths.data_dir(), paths.config_dir(), paths.cache_dir(), private_tmp]
    # While unlocked (WAL and all) and after locking: nothing in plaintext anywhere.
    assert scan(roots, needles, names=(NAME, STATION)) == []
    volunteer.lock()
    assert scan(roots, needles, names=(NAME, STATION)) == []
    # The scan can find things: a plaintext marker dropped in the temp folder is caught.
    (private_tmp / "leak.bin").write_bytes(b"..." + MARKER_BYTES)
    planted = [(str(private_tmp / "leak.bin"), MARKER_BYTES)]
    assert scan(roots, needles, names=(NAME, STATION)) == planted
