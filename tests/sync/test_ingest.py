"""The command's side of a batch: ingested exactly once with a signed receipt (also when the
same batch arrives twice at the same moment); every kind of tampering rejected with its reason
and nothing partial left in the archive. On SQLite and on PostgreSQL."""

from __future__ import annotations

import io
import tarfile
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import bagit
import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capture import station as station_info
from sync import batch, minisign, receipt
from sync.server.ingest import Rejected, ingest
from sync.server.keys import CommandKeys
from sync.server.store import EnrolmentRefused, Station, Store
from tests.sync.servers import enrol_station, enrol_vault, random_batch

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def command(tmp_path, database_url):
    """The command's keys, its database (SQLite, then PostgreSQL) and its archive folder."""
    keys = CommandKeys.create(tmp_path / "command" / "keys")
    store = Store(database_url)
    yield keys, store, tmp_path / "command" / "archive"
    store.engine.dispose()


def _enrol(store: Store, vault) -> str:
    return enrol_vault(store, vault, NOW)


def _archive_files(archive: Path) -> list[Path]:
    return [p for p in archive.rglob("*") if p.is_file()] if archive.exists() else []


def test_a_batch_is_ingested_once_with_a_signed_receipt(approved, command, tmp_path):
    operator, visit_id, pages, photos = approved
    keys, store, archive = command
    station_id = _enrol(store, operator)
    out = tmp_path / "batch.age"
    summary = batch.build(operator, out, keys.recipient)

    first = ingest(out, store, keys, archive, now=lambda: NOW, station_id=station_id)
    assert not first.replayed
    checked = receipt.verify(keys.signing_public, first.receipt.to_json())
    assert checked.body["batch_id"] == summary.batch_id
    assert checked.body["visits"] == [visit_id]
    assert checked.body["payload_files"] == summary.files
    assert len(checked.body["withdrawal_notices"]) == 1

    bag_dir = archive / checked.body["station"] / summary.batch_id
    bagit.Bag(str(bag_dir)).validate()
    assert (bag_dir / "data/visits" / visit_id / "media" / f"{pages[0]}.jpg").read_bytes() \
        == photos[0]

    # The same file, replayed
    again = ingest(out, store, keys, archive, now=lambda: NOW, station_id=station_id)
    assert again.replayed and again.receipt.batch_id == summary.batch_id
    assert len(store.list_batches()) == 1
    assert not any((archive / ".staging").iterdir())
    with pytest.raises(receipt.BadReceipt):
        receipt.verify(Ed25519PrivateKey.generate().public_key().public_bytes_raw(),
                       first.receipt.to_json())


def _rejected(path, command, reason, station_id):
    keys, store, archive = command
    before = _archive_files(archive)
    with pytest.raises(Rejected) as rejection:
        ingest(path, store, keys, archive, now=lambda: NOW, station_id=station_id)
    assert rejection.value.reason == reason, rejection.value
    assert _archive_files(archive) == before  # nothing partial stays
    assert store.list_batches() == []
    return rejection.value


def test_a_flipped_bit_or_a_cut_is_rejected(approved, command, tmp_path):
    operator, _, _, _ = approved
    keys, store, _ = command
    station_id = _enrol(store, operator)
    out = tmp_path / "batch.age"
    batch.build(operator, out, keys.recipient)
    data = bytearray(out.read_bytes())
    flipped = tmp_path / "flipped.age"
    data[len(data) // 2] ^= 0x08
    flipped.write_bytes(bytes(data))
    _rejected(flipped, command, "damaged", station_id)
    cut = tmp_path / "cut.age"
    cut.write_bytes(out.read_bytes()[: len(data) - 100])
    _rejected(cut, command, "damaged", station_id)
    plain = tmp_path / "plain.tar"
    plain.write_bytes(b"not encrypted at all")
    _rejected(plain, command, "not_a_batch", station_id)


def test_a_station_that_is_not_enrolled_is_rejected(approved, command, tmp_path):
    operator, _, _, _ = approved
    keys, _, _ = command
    out = tmp_path / "batch.age"
    batch.build(operator, out, keys.recipient)
    reason = _rejected(out, command, "unknown_station", station_info.info(operator).id)
    assert "not enrolled" in reason.detail


def test_a_batch_for_another_command_is_rejected(approved, command, tmp_path):
    operator, _, _, _ = approved
    _, store, _ = command
    station_id = _enrol(store, operator)
    out = tmp_path / "batch.age"
    batch.build(operator, out, str(pyrage.x25519.Identity.generate().to_public()))
    _rejected(out, command, "not_for_us", station_id)


def test_a_valid_batch_re_signed_by_another_key_is_rejected(approved, command, tmp_path):
    operator, _, _, _ = approved
    keys, store, _ = command
    station_id = _enrol(store, operator)
    out = tmp_path / "batch.age"
    batch.build(operator, out, keys.recipient)
    tar_bytes = pyrage.decrypt(out.read_bytes(), [keys.identity])
    forged = io.BytesIO()
    other = Ed25519PrivateKey.generate()
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as source, \
            tarfile.open(fileobj=forged, mode="w", format=tarfile.PAX_FORMAT) as target:
        manifest = None
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith("tagmanifest-sha256.txt"):
                manifest = data
            if member.name.endswith(".minisig"):
                data = minisign.sign(other, minisign.blake2b_of([manifest]), "forged").encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    resigned = tmp_path / "resigned.age"
    resigned.write_bytes(pyrage.encrypt(forged.getvalue(), [keys.identity.to_public()]))
    _rejected(resigned, command, "bad_signature", station_id)


def test_a_payload_changed_inside_a_re_encrypted_batch_is_rejected(approved, command, tmp_path):
    operator, _, _, _ = approved
    keys, store, _ = command
    station_id = _enrol(store, operator)
    out = tmp_path / "batch.age"
    batch.build(operator, out, keys.recipient)
    tar_bytes = pyrage.decrypt(out.read_bytes(), [keys.identity])
    changed = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as source, \
            tarfile.open(fileobj=changed, mode="w", format=tarfile.PAX_FORMAT) as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith(".jpg"):
                data = b"Y" + data[1:]
            target.addfile(member, io.BytesIO(data))
    path = tmp_path / "changed.age"
    path.write_bytes(pyrage.encrypt(changed.getvalue(), [keys.identity.to_public()]))
    assert "changed" in _rejected(path, command, "tampered", station_id).detail


def test_an_enrolment_code_works_once(approved, command):
    operator, _, _, _ = approved
    _, store, _ = command
    info = station_info.info(operator)
    code = store.new_enrolment_code(NOW)
    me = Station(info.id, info.name, 1, 4, info.signing_public_key, info.identity_public_key,
                 True)
    store.redeem(code.lower(), me, NOW)
    with pytest.raises(EnrolmentRefused, match="already used"):
        store.redeem(code, me, NOW)
    with pytest.raises(EnrolmentRefused, match="unknown"):
        store.redeem("0000-0000-0000-0000", me, NOW)


def test_the_same_batch_ingested_twice_at_once_is_archived_once(command, tmp_path):
    keys, store, archive = command
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(store, key)
    out = tmp_path / "batch.age"
    payload = random_batch(out, 4_000_000, keys.recipient, key, station_id)
    start = threading.Barrier(4)
    outcomes: list[object] = []

    def one() -> None:
        start.wait()
        try:
            outcomes.append(ingest(out, store, keys, archive, station_id=station_id))
        except BaseException as error:
            outcomes.append(error)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not isinstance(o, BaseException) for o in outcomes), outcomes
    assert sorted(o.replayed for o in outcomes) == [False, True, True, True]  # type: ignore[attr-defined]
    assert len({o.receipt.to_json() for o in outcomes}) == 1  # type: ignore[attr-defined]
    [row] = store.list_batches()
    bag = Path(row["archive_path"])
    assert sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*.bin")) \
        == sorted(payload)
    assert [p.name for p in (archive / station_id).iterdir()] == [bag.name]
    assert not any((archive / ".staging").iterdir())


def test_one_enrolment_code_tried_by_two_stations_at_once_enrols_one(command):
    _, store, _ = command
    code = store.new_enrolment_code(NOW)
    start = threading.Barrier(2)
    results: list[object] = []

    def one(name: str) -> None:
        key = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
        me = Station(str(uuid.uuid4()), name, 1, 4, key, key, True)
        start.wait()
        try:
            store.redeem(code, me, NOW)
            results.append(me.id)
        except EnrolmentRefused as refusal:
            results.append(refusal)

    threads = [threading.Thread(target=one, args=(n,)) for n in ("Trạm A", "Trạm B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    enrolled = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, EnrolmentRefused)]
    assert len(enrolled) == 1 and len(refused) == 1, results
    assert "already used" in str(refused[0])
    assert store.station(enrolled[0]) is not None
