"""Object names moved from HMAC-SHA256 to keyed BLAKE3 (docs/vault.md, "Objects"): a vault
written by the code before still opens, reads, passes the check and takes new objects, which
get the new names; the header's mark cannot be switched to the other scheme unnoticed."""

from __future__ import annotations

import hashlib
import io
import os
import random
import subprocess
import sys
import tarfile
from pathlib import Path

import blake3
import pytest
from sqlalchemy import select

from capture import crypto
from capture.check import check_vault
from capture.errors import ObjectDamaged
from capture.importer import IMPORTED, import_files
from capture.models import ObjectRow, Page
from capture.objects import ObjectStore
from capture.vault import Vault
from tests.conftest import ADMIN_PASSPHRASE, VOLUNTEER_PASS

OLD_VAULT = Path(__file__).parent / "data" / "vault_v1.tar.gz"  # see data/make_vault_v1.py
KEY = bytes(range(32))


@pytest.fixture
def old_vault(tmp_path: Path) -> Path:
    with tarfile.open(OLD_VAULT) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "vault"


def _magic(store: ObjectStore, name: str) -> bytes:
    return store.path_of(name).read_bytes()[:len(crypto.MAGIC)]


@pytest.mark.slow  # ~5 s: the operators' command in a process of its own
def test_a_vault_written_with_hmac_names_opens_reads_checks_and_takes_new_objects(
        old_vault: Path, tmp_path: Path) -> None:
    lan = Vault(old_vault).unlock("lan", VOLUNTEER_PASS)
    try:
        with lan.reading() as session:
            rows = {r.name: r for r in session.scalars(select(ObjectRow))}
            page = session.scalars(select(Page).order_by(Page.position)).first()
            assert page is not None
            item_id = page.item_id
        assert len(rows) == 5 and all(_magic(lan.objects, n) == crypto.MAGIC_HMAC_SHA256
                                      for n in rows)
        for name, row in rows.items():
            assert lan.objects.verify(name) == row.size
        known = next(r for r in rows.values() if len(r.label) == 64)
        assert hashlib.sha256(b"".join(lan.read_object(known.name))).hexdigest() == known.label

        # The same photo again: stored under its new name (no HMAC is computed any more).
        again = tmp_path / "again.jpg"
        again.write_bytes(b"".join(lan.read_object(page.object_name)))
        outcome, = import_files(lan, item_id, [again]).outcomes
        assert outcome.status == IMPORTED
        with lan.reading() as session:
            new_name = session.get(Page, outcome.page_id).object_name
        assert new_name != page.object_name
        assert _magic(lan.objects, new_name) == crypto.MAGIC_BLAKE3
        assert b"".join(lan.read_object(new_name)) == again.read_bytes()
        stored = lan.store_bytes(b"a letter to mother", label="new")
        assert _magic(lan.objects, stored.name) == crypto.MAGIC_BLAKE3
        assert lan.store_bytes(b"a letter to mother").duplicate  # new names dedupe
    finally:
        lan.lock()

    admin = Vault(old_vault).unlock("admin", ADMIN_PASSPHRASE)
    try:
        report = check_vault(admin)
        assert report.ok, report.problems
        assert report.objects_checked == 5 + 3  # the photo again (original, thumbnail), a letter
    finally:
        admin.lock()
    # And the operators' command says the same.
    done = subprocess.run(
        [sys.executable, "-m", "ui", "--lang", "en", "vault", "check", "--vault", str(old_vault),
         "--user", "admin", "--passphrase-stdin"], input=ADMIN_PASSPHRASE + "\n",
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _old_code_path_object(store: ObjectStore, hmac_key: bytes, data: bytes) -> str:
    """What ObjectWriter did before keyed BLAKE3: header SOHOAOB1, name HMAC-SHA256."""
    sink = io.BytesIO()
    encryptor = crypto.StreamEncryptor(store.payload_key, sink, crypto.MAGIC_HMAC_SHA256)
    encryptor.write(data)
    encryptor.close()
    mac = crypto.object_name(hmac_key)
    mac.update(data)
    name = mac.hexdigest()
    store.path_of(name).parent.mkdir(exist_ok=True)
    store.path_of(name).write_bytes(sink.getvalue())
    return name


def test_many_chunk_hmac_objects_verify_and_the_scheme_mark_cannot_be_switched(
        tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "objects", b"p" * 32, b"b" * 32, hmac_name_key=b"h" * 32)
    data = random.Random(7).randbytes(2 * crypto.CHUNK_SIZE + 999)
    old = _old_code_path_object(store, b"h" * 32, data)
    assert store.verify(old) == len(data)
    assert b"".join(store.chunks(old)) == data
    with store.open_random(old) as reader:
        reader.seek(crypto.CHUNK_SIZE + 5)
        assert reader.read(10) == data[crypto.CHUNK_SIZE + 5:crypto.CHUNK_SIZE + 15]

    new = store.put_stream(io.BytesIO(data))
    assert new.name != old and _magic(store, new.name) == crypto.MAGIC_BLAKE3
    assert store.verify(new.name) == len(data)

    # The mark is the associated data of every chunk: switched, nothing decrypts.
    for name, other in ((old, crypto.MAGIC_BLAKE3), (new.name, crypto.MAGIC_HMAC_SHA256)):
        path = store.path_of(name)
        path.write_bytes(other + path.read_bytes()[len(other):])
        with pytest.raises(ObjectDamaged) as damaged:
            store.verify(name)
        assert damaged.value.details["chunk"] == 0, damaged.value.details

    # A store that was given no HMAC key cannot vouch for an old name.
    bare = ObjectStore(tmp_path / "objects-2", b"p" * 32, b"b" * 32)
    legacy = _old_code_path_object(bare, b"h" * 32, b"short")
    with pytest.raises(ObjectDamaged) as unnamed:
        bare.verify(legacy)
    assert unnamed.value.details["reason"] == "unknown naming scheme"


def test_blake3_names_are_keyed_and_stream_the_same_as_one_piece(tmp_path: Path) -> None:
    data = os.urandom(2 * crypto.CHUNK_SIZE + 77)
    named = crypto.object_namer(crypto.MAGIC_BLAKE3, KEY)
    named.update(data)
    assert named.hexdigest() == blake3.blake3(data, key=KEY).hexdigest()
    assert named.hexdigest() not in {blake3.blake3(data).hexdigest(),
                                     hashlib.sha256(data).hexdigest()}
    other = crypto.object_namer(crypto.MAGIC_BLAKE3, bytes(32))
    other.update(data)
    assert other.hexdigest() != named.hexdigest()
    with pytest.raises(ValueError):
        crypto.object_namer(b"SOHOAOB9", KEY)

    # write() in odd pieces and write_from() name and seal the same bytes.
    store = ObjectStore(tmp_path / "objects", b"p" * 32, KEY)
    with store.writer() as writer:
        for start in range(0, len(data), 300_001):
            writer.write(data[start:start + 300_001])
    assert writer.result is not None and writer.result.name == named.hexdigest()
    streamed = store.put_stream(io.BytesIO(data))
    assert streamed.name == named.hexdigest() and streamed.duplicate
    for size in (0, 1, crypto.CHUNK_SIZE, crypto.CHUNK_SIZE + 1, 2 * crypto.CHUNK_SIZE):
        piece = data[:size]
        one = store.put_stream(io.BytesIO(piece))
        assert b"".join(store.chunks(one.name)) == piece and store.verify(one.name) == size
