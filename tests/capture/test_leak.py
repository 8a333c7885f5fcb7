"""No plaintext of a record or an object is ever written outside the encrypted vault."""

import os
import tempfile
import unicodedata

import pytest

from capture import accounts, paths, station
from capture.roles import Role
from capture.vault import NewUser, StationSetup, Vault

NAME = "Nguyễn Thị Mẫu-Đánh-Dấu"
STATION = "Trạm Dấu-Vết-Rò-Rỉ"
MARKER_BYTES = b"\x00LEAK-MARKER-\xde\xad\xbe\xef-BYTES\x00"


def _encodings(text: str) -> list[bytes]:
    forms = {unicodedata.normalize(f, text) for f in ("NFC", "NFD")}
    out = []
    for form in forms:
        out += [form.encode("utf-8"), form.encode("utf-16-le"), form.encode("utf-16-be")]
    return out


def _scan(roots, needles):
    found = []
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                found += [(path, n) for n in needles if n in data]
                found += [(path, "file name") for n in (NAME, STATION) if n in name]
    return found


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
    needles = [MARKER_BYTES, *(_encodings(NAME)), *(_encodings(STATION))]
    roots = [paths.data_dir(), paths.config_dir(), paths.cache_dir(), private_tmp]
    # While unlocked (WAL and all) and after locking: nothing in plaintext anywhere.
    assert _scan(roots, needles) == []
    volunteer.lock()
    assert _scan(roots, needles) == []
    # The scan can find things: a plaintext marker dropped in the temp folder is caught.
    (private_tmp / "leak.bin").write_bytes(b"..." + MARKER_BYTES)
    assert _scan(roots, needles) == [(str(private_tmp / "leak.bin"), MARKER_BYTES)]
