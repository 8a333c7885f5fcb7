"""A flipped byte anywhere is found by the vault check, which names what is affected;
the rest of the vault stays usable."""

import os

import pytest

from capture import accounts, station
from capture.check import check_vault
from capture.crypto import CHUNK_SIZE, HEADER_SIZE
from capture.errors import ObjectDamaged
from capture.vault import Vault

PASS = "mật khẩu quản trị"


def _flip(path, offset):
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x40]))


def test_flipped_byte_in_an_object_is_named_and_the_rest_is_readable(volunteer):
    vault = volunteer
    good = vault.store_bytes(os.urandom(100_000), media_type="image/jpeg", label="diary page 1")
    bad_data = os.urandom(2 * CHUNK_SIZE + 1000)
    bad = vault.store_bytes(bad_data, media_type="audio/flac", label="testimony of Mrs Lan")
    _flip(vault.objects.path_of(bad.name), HEADER_SIZE + CHUNK_SIZE + 16 + 500)
    with pytest.raises(ObjectDamaged):
        b"".join(vault.read_object(bad.name))
    # The first MiB, before the damage, still reads: a long recording is not lost whole.
    first = next(iter(vault.read_object(bad.name)))
    assert first == bad_data[:CHUNK_SIZE]
    assert len(b"".join(vault.read_object(good.name))) == 100_000
    path = vault.path
    vault.lock()
    admin = Vault(path).unlock("admin", PASS)
    report = check_vault(admin)
    admin.lock()
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.area == "object"
    assert "testimony of Mrs Lan" in problem.subject
    assert "MiB 1" in problem.detail
    assert report.objects_checked == 1


def test_flipped_byte_in_the_database_is_reported_by_page_and_table(volunteer):
    vault = volunteer
    for i in range(400):
        vault.store_bytes(f"page {i}".encode(), label=f"diary page {i} " + "ghi chú " * 20)
    path = vault.path
    vault.lock()
    db_file = path / "vault.db"
    pages = db_file.stat().st_size // 4096
    target = pages - 2  # near the end: the objects table or its audit trail, not the schema
    _flip(db_file, target * 4096 + 1000)
    opened = Vault(path).unlock("admin", PASS)  # unlock still works
    report = check_vault(opened)
    assert not report.ok
    subjects = {p.subject for p in report.problems}
    assert f"page {target + 1}" in subjects  # SQLite numbers pages from 1
    assert subjects & {"table objects", "table audit_events"}
    # What is not on that page stays usable.
    assert station.info(opened).name == "Trạm thử"
    assert [a.username for a in accounts.list_accounts(opened)] == ["admin", "lan"]
    opened.lock()


def test_damaged_objects_table_stops_the_orphan_sweep(volunteer):
    """If the list of objects can't be read, unlocking must not delete 'unlisted' objects."""
    vault = volunteer
    names = [vault.store_bytes(os.urandom(2000), label=f"photo {i}").name for i in range(300)]
    path = vault.path
    vault.lock()
    db_file = path / "vault.db"
    for page in range(2, db_file.stat().st_size // 4096):
        _flip(db_file, page * 4096 + 2000)
    try:
        opened = Vault(path).unlock("admin", PASS)
    except Exception:  # the schema itself may be gone; then nothing was swept either
        opened = None
    else:
        opened.lock()
    assert all((path / "objects" / n[:2] / n[2:]).exists() for n in names)
    assert opened is None or opened.open_report.orphan_sweep_skipped
