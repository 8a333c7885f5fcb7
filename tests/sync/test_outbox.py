"""The station's outbox against the real command server on loopback: enrol with a one-time
code, build a batch split under a size cap, upload every part, verified receipts, visits
delivered, nothing sent twice; refused codes and forged receipts; USB export and the command's
receipt; an upload that resumes after the process restarts."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from capture import audit, consent, review, visits
from capture import outbox as records
from capture.consent import DrawnSignature, Scopes, Signer
from capture.errors import DiskFull, PermissionDenied
from capture.models import AuditEvent, Visit
from capture.outbox import NotEnrolled
from capture.station import info as station_info
from capture.vault import Vault
from capture.visits import Household, ItemData, ItemKind, MartyrData
from sync import enrol_link, minisign, outbox, receipt
from sync import upload as tus
from sync.enrol_link import fingerprint
from sync.server.app import ServerConfig, create_app
from sync.server.ingest import ingest
from sync.server.keys import CommandKeys
from sync.server.store import Store
from tests.capture.test_import import _mount_tmpfs
from tests.conftest import ADMIN_PASSPHRASE, VOLUNTEER_PASS
from tests.sync.servers import CommandServer, free_port, only_station

OPERATOR = ("tuan", "mật khẩu của tuan")
COORDINATOR = ("minh", "mật khẩu của minh")
ADMIN = ("admin", ADMIN_PASSPHRASE)


@pytest.fixture
def command(tmp_path):
    """The command server on loopback with its embedded SQLite: the station side is the same
    whatever the command's database (the server tests run both)."""
    data = tmp_path / "command"
    keys = CommandKeys.create(data / "keys")
    store = Store.in_folder(data)
    server = CommandServer(create_app(ServerConfig(data))).start()
    yield server, keys, store, data
    server.stop()


@contextmanager
def signed_in(path: Path, who: tuple[str, str]):  # type: ignore[no-untyped-def]
    vault = Vault(path).unlock(*who)
    try:
        yield vault
    finally:
        vault.lock()


def add_approved_visit(path: Path, name: str, photo_sizes: list[int]) -> tuple[str, list[bytes]]:
    """Another approved, consented visit on the station of the ``approved`` fixture."""
    photos = [os.urandom(size) for size in photo_sizes]
    with signed_in(path, ("lan", VOLUNTEER_PASS)) as volunteer:
        visit_id = visits.create_visit(volunteer, Household(1, 4, contact_name=f"Gia đình {name}"))
        visits.add(volunteer, visit_id, MartyrData(name))
        item = visits.add(volunteer, visit_id, ItemData(ItemKind.LETTER, title=f"Thư {name}"))
        for i, photo in enumerate(photos):
            visits.add_page(volunteer, item, volunteer.store_bytes(photo).name,
                            original_filename=f"{name}_{i}.jpg")
        consent.record(volunteer, visit_id, Scopes(), Signer(f"Gia đình {name}"),
                       DrawnSignature([[(1.0, 2.0, 0, 0.5)]], b"\x89PNG"))
        review.submit(volunteer, visit_id)
    with signed_in(path, COORDINATOR) as coordinator:
        review.approve(coordinator, visit_id)
    return visit_id, photos


def keys_of(data: Path) -> str:
    """The fingerprint the command's printed sheet shows (its keys in ``data/keys``)."""
    keys = CommandKeys.load(data / "keys")
    return fingerprint(keys.recipient, keys.signing_public)


def enrol(path: Path, server, store, data: Path) -> outbox.Enrolment:  # type: ignore[no-untyped-def]
    with signed_in(path, ADMIN) as admin:
        return outbox.enrol(admin, server.url, store.new_enrolment_code(datetime.now(UTC)),
                            keys_of(data))


@pytest.fixture
def station(approved, command):
    """The ``approved`` station with two more visits (~0.6 MB each), enrolled with the running
    command; yields the vault folder (nothing unlocked)."""
    operator, first_visit, _, _ = approved
    path = operator.path
    operator.lock()
    second, _ = add_approved_visit(path, "Lê Văn Tám", [300_000, 300_000])
    third, _ = add_approved_visit(path, "Phạm Văn Đồng", [600_000])
    server, keys, store, data = command
    enrolled = enrol(path, server, store, data)
    assert enrolled.command_recipient == keys.recipient
    assert enrolled.receipt_public_key == keys.signing_public
    return path, [first_visit, second, third]


def test_build_split_upload_deliver_and_nothing_twice(station, command):
    path, visit_ids = station
    server, _, store, data = command
    with signed_in(path, OPERATOR) as operator:
        assert outbox.enrolment(operator).server_url == server.url
        cap = 800_000
        plan = outbox.preview(operator, size_cap=cap)
        assert [v.visit_id for v in plan.visits] == visit_ids
        assert [v.files for v in plan.visits] == [2, 2, 1]  # the withdrawn photo stays
        assert plan.withdrawal_notices == 1 and plan.parts == 2

        seen: list[tuple[int, int]] = []
        parts = outbox.build(operator, size_cap=cap, progress=lambda d, t: seen.append((d, t)))
        assert [(p.part, p.parts) for p in parts] == [(1, 2), (2, 2)]
        assert len({p.group_id for p in parts}) == 1
        assert [p.visits for p in parts] == [sorted(visit_ids[:2]), [visit_ids[2]]]
        assert all(p.state == "built" and p.path.is_file() and p.size <= cap for p in parts)
        assert parts[0].withdrawal_notices and not parts[1].withdrawal_notices
        assert seen[-1][0] == seen[-1][1] == plan.total_bytes
        assert all(p.path.read_bytes().startswith(b"age-encryption.org/v1\n") for p in parts)
        # Built, not sent: the notice is not marked sent, no visit is delivered.
        assert consent.withdrawal_notices(operator)
        assert outbox.delivered_visits(operator) == set()
        # Already in a live batch: a second build has nothing to pack.
        assert outbox.preview(operator, size_cap=cap).parts == 0
        with pytest.raises(outbox.NothingToSend):
            outbox.build(operator, size_cap=cap)

        progress: list = []
        first = outbox.upload(operator, parts[0].id, progress=progress.append)
        assert first.state == "delivered" and first.delivered_at is not None
        assert not first.path.exists()  # the command has it; no second copy kept
        # Part 2 still on its way: its visit is not delivered, the others are.
        assert outbox.delivered_visits(operator) == set(visit_ids[:2])
        assert consent.withdrawal_notices(operator) == []  # marked by the verified receipt
        outbox.upload(operator, parts[1].id)
        assert outbox.delivered_visits(operator) == set(visit_ids)
        assert progress[-1].sent == progress[-1].total == parts[0].size

        listed = outbox.status(operator)
        assert [b.state for b in listed] == ["delivered", "delivered"]
        body = json.loads(listed[0].receipt_text)["receipt"]
        assert body["batch_id"] == parts[0].id and body["bag_count"] == "1 of 2"
        with pytest.raises(outbox.NothingToSend):
            outbox.build(operator, size_cap=cap)
        with pytest.raises(outbox.BatchAlreadyDelivered):
            outbox.upload(operator, parts[0].id)
        with operator.reading() as session:
            actions = list(session.execute(select(AuditEvent.action, AuditEvent.entity)))
            assert audit.verify_chain(session)[1] == []
        assert actions.count(("build", "batch")) == 2
        assert actions.count(("delivered", "batch")) == 2
        assert ("send", "withdrawal_notice") in actions
    received = {b["batch_id"] for b in store.list_batches()}
    assert received == {parts[0].id, parts[1].id}
    assert len(list((data / "archive").rglob("visit.json"))) == 3


def test_a_visit_approved_again_sends_only_what_is_new(station, command):
    path, visit_ids = station
    with signed_in(path, OPERATOR) as operator:
        for part in outbox.build(operator):
            outbox.upload(operator, part.id)
    # A delivered visit gets a new photo and is approved again. The app has no step that
    # reopens an approved visit yet, so the status is set back in the vault directly.
    with signed_in(path, COORDINATOR) as coordinator, coordinator.writing() as session:
        session.get(Visit, visit_ids[1]).status = "returned"
    with signed_in(path, ("lan", VOLUNTEER_PASS)) as volunteer:
        record = visits.load_visit(volunteer, visit_ids[1])
        visits.add_page(volunteer, record.items[0].id, volunteer.store_bytes(os.urandom(5000)).name,
                        original_filename="new.jpg")
        consent.amend(volunteer, consent.records(volunteer, visit_ids[1])[0].id, Scopes(),
                      Signer("Gia đình Lê Văn Tám"), DrawnSignature([[(1.0, 2.0, 0, 0.5)]],
                                                                     b"\x89PNG"))
        review.submit(volunteer, visit_ids[1])
    with signed_in(path, COORDINATOR) as coordinator:
        review.approve(coordinator, visit_ids[1])
    with signed_in(path, OPERATOR) as operator:
        plan = outbox.preview(operator)
        assert [(v.visit_id, v.files) for v in plan.visits] == [(visit_ids[1], 1)]
        assert outbox.delivered_visits(operator) == set(visit_ids)
        (again,) = outbox.build(operator)
        assert outbox.delivered_visits(operator) == {visit_ids[0], visit_ids[2]}
        delivered = outbox.upload(operator, again.id)
        assert outbox.delivered_visits(operator) == set(visit_ids)
        assert outbox.preview(operator).parts == 0  # both versions of the record are sent
    body = json.loads(delivered.receipt_text)["receipt"]
    assert body["visits"] == [visit_ids[1]]
    # the new photo, both consent records, visit.json, the audit log
    assert body["payload_files"] == 1 + 2 + 1 + 1
    _, _, _, data = command
    record = json.loads((data / "archive" / body["station"] / again.id / "data" / "visits"
                         / visit_ids[1] / "visit.json").read_text())
    pages = record["items"][0]["pages"]
    assert [("file" in p, "delivered_in" in p) for p in pages] == [(False, True)] * 2 + [
        (True, False)]


def test_enrolment_needs_the_admin_a_good_address_and_a_fresh_code(approved, command):
    operator, _, _, _ = approved
    server, _, store, data = command
    keys = keys_of(data)
    with pytest.raises(PermissionDenied):
        outbox.enrol(operator, server.url, "ABCD", keys)
    with pytest.raises(NotEnrolled):
        outbox.build(operator)
    path = operator.path
    operator.lock()
    code = store.new_enrolment_code(datetime.now(UTC))
    with signed_in(path, ADMIN) as admin:
        with pytest.raises(outbox.BadServerAddress):
            outbox.enrol(admin, "ftp://cmd.example.vn", code, keys)
        # Anyone on the network reads and changes http://, so only this machine may use it.
        with pytest.raises(outbox.InsecureAddress):
            outbox.enrol(admin, "http://cmd.example.vn:8470", code, keys)
        assert outbox.server_address("10.0.0.5:8470") == "https://10.0.0.5:8470"
        assert outbox.server_address("http://[::1]:8470/") == "http://[::1]:8470"
        assert outbox.server_address("http://localhost:8470") == "http://localhost:8470"
        with pytest.raises(enrol_link.BadFingerprint):
            outbox.enrol(admin, server.url, code, keys[:-1])
        with pytest.raises(outbox.ServerUnreachable):
            outbox.enrol(admin, f"http://127.0.0.1:{free_port()}", code, keys)
        with pytest.raises(outbox.NotACommandServer):
            outbox.enrol(admin, server.url + "/no/such/place", code, keys)
        with pytest.raises(outbox.CodeUnknown):
            outbox.enrol(admin, server.url, "0000-0000-0000-0000", keys)
        assert outbox.enrolment(admin) is None
        # as typed: a slash after the address, the code in lower case, the fingerprint
        # grouped as on the sheet
        first = outbox.enrol(admin, server.url + "/", code.lower(), enrol_link.grouped(keys))
        assert first.server_url == server.url and first.tls_certificate is None
        with pytest.raises(outbox.CodeUsed) as used:
            outbox.enrol(admin, server.url, code, keys)
        assert outbox.enrolment(admin) == first
    assert "already used" in str(used.value)


def test_a_cancelled_build_leaves_nothing_and_roles_hold(station):
    path, _ = station
    with signed_in(path, ("lan", VOLUNTEER_PASS)) as volunteer:
        with pytest.raises(PermissionDenied):
            outbox.build(volunteer)
    with signed_in(path, OPERATOR) as operator:
        cancel = threading.Event()
        with pytest.raises(outbox.BuildCancelled):
            outbox.build(operator, size_cap=800_000, cancel=cancel,
                         progress=lambda done, total: done > 500_000 and cancel.set())
        assert list((path / "outbox").iterdir()) == []
        assert outbox.status(operator) == []
        assert outbox.preview(operator).parts == 1


def test_a_refused_batch_keeps_the_reason_and_its_material_travels_again(station, command):
    path, visit_ids = station
    with signed_in(path, OPERATOR) as operator:
        (made,) = outbox.build(operator)
        data = bytearray(made.path.read_bytes())
        data[len(data) // 2] ^= 1  # damaged on the laptop's disk after it was built
        made.path.write_bytes(bytes(data))
        with pytest.raises(outbox.BatchRefused) as refused:
            outbox.upload(operator, made.id)
        assert refused.value.details["reason"] == "damaged"
        (listed,) = outbox.status(operator)
        assert listed.state == "refused" and "damaged" in listed.refusal_reason
        assert outbox.delivered_visits(operator) == set()
        assert [v.visit_id for v in outbox.preview(operator).visits] == visit_ids
        (again,) = outbox.build(operator)
        assert outbox.upload(operator, again.id).state == "delivered"
        assert outbox.delivered_visits(operator) == set(visit_ids)


def test_a_receipt_signed_by_another_key_marks_nothing(station, command, tmp_path):
    path, _ = station
    _, keys, store, data = command
    with signed_in(path, OPERATOR) as operator:
        (made,) = outbox.build(operator)
    # The enrolment answered with another receipt key (someone posing as the command).
    impostor = Ed25519PrivateKey.generate()
    with signed_in(path, ADMIN) as admin, admin.writing() as session:
        session.get(records.EnrolmentRow, 1).receipt_public_key = \
            impostor.public_key().public_bytes_raw()
    with signed_in(path, OPERATOR) as operator:
        with pytest.raises(outbox.ReceiptInvalid):
            outbox.upload(operator, made.id)
        (listed,) = outbox.status(operator)
        assert listed.state == "uploading" and listed.receipt_text is None
        assert outbox.delivered_visits(operator) == set()
        assert consent.withdrawal_notices(operator)  # not marked sent
    # The real command's key back (the admin enrols again); the real receipt, as the command
    # ingests the file, and the impostor's copy of it.
    with signed_in(path, ADMIN) as admin, admin.writing() as session:
        session.get(records.EnrolmentRow, 1).receipt_public_key = keys.signing_public
    real = ingest(made.path, store, keys, data / "archive",
                  station_id=only_station(store)).receipt
    with signed_in(path, OPERATOR) as operator:
        with pytest.raises(outbox.ReceiptInvalid):
            outbox.accept_receipt(operator, receipt.sign(impostor, real.body).to_json())
        assert outbox.status(operator)[0].state == "uploading"
        assert outbox.accept_receipt(operator, real.to_json()).state == "delivered"


def test_a_receipt_for_another_batch_or_copy_marks_nothing(station, command):
    path, _ = station
    _, keys, store, data = command
    with signed_in(path, OPERATOR) as operator:
        (made,) = outbox.build(operator)
        real = ingest(made.path, store, keys, data / "archive",
                      station_id=only_station(store)).receipt
        for change in ({"tagmanifest_sha256": "0" * 64}, {"batch_id": str(uuid.uuid4())},
                       {"station": str(uuid.uuid4())}):
            body = {k: v for k, v in real.body.items() if k != "format"} | change
            with pytest.raises(outbox.ReceiptMismatch):
                outbox.accept_receipt(operator, receipt.sign(keys.signing, body).to_json())
        with pytest.raises(outbox.ReceiptInvalid):
            outbox.accept_receipt(operator, "not a receipt")
        assert outbox.status(operator)[0].state == "built"
        assert outbox.accept_receipt(operator, real.to_json()).state == "delivered"
        assert outbox.accept_receipt(operator, real.to_json()).state == "delivered"  # again


def test_usb_export_ingest_on_the_command_and_its_receipt(station, command, tmp_path):
    path, visit_ids = station
    _, _, store, data = command
    stick = tmp_path / "USB"
    stick.mkdir()
    with signed_in(path, OPERATOR) as operator:
        parts = outbox.build(operator, size_cap=800_000)
        with pytest.raises(outbox.DestinationUnavailable):
            outbox.export_usb(operator, parts[0].id, tmp_path / "pulled-out")
        copies = [outbox.export_usb(operator, p.id, stick) for p in parts]
        assert [c.read_bytes() for c in copies] == [p.path.read_bytes() for p in parts]
        signatures = [outbox.signature_path(c) for c in copies]
        # no .part left behind; each copy has its detached signature beside it
        assert sorted(stick.iterdir()) == sorted(copies + signatures)
        station_key = minisign.public_key_line(
            station_info(operator).signing_public_key)
        for copy, part in zip(copies, parts, strict=True):
            check = subprocess.run(["minisign", "-Vm", str(copy), "-P", station_key],
                                   capture_output=True, text=True, check=False)
            assert check.returncode == 0, check.stderr
            assert (f"sohoa-batch station={outbox.enrolment(operator).station_id} "
                    f"batch={part.id}") in check.stdout
        # A copy changed on the stick no longer verifies
        forged = tmp_path / "forged.age"
        forged.write_bytes(copies[0].read_bytes()[:-1] + b"\0")
        check = subprocess.run(["minisign", "-Vm", str(forged), "-P", station_key, "-x",
                                str(signatures[0])], capture_output=True, check=False)
        assert check.returncode != 0
        listed = outbox.status(operator)
        assert all(b.state == "built" and b.exported_at for b in listed)
    received = []
    for copy in copies:
        out = tmp_path / f"{copy.name}.receipt.json"
        run = subprocess.run([str(Path(sys.executable).with_name("sohoa-server")), "ingest",
                              str(copy), "--data", str(data), "--receipt", str(out)],
                             capture_output=True, text=True, check=False, timeout=120)
        assert run.returncode == 0, run.stderr
        received.append(out.read_text())
    with signed_in(path, OPERATOR) as operator:
        for text in received:
            outbox.accept_receipt(operator, text)
        assert [b.state for b in outbox.status(operator)] == ["delivered"] * len(parts)
        assert outbox.delivered_visits(operator) == set(visit_ids)
        assert consent.withdrawal_notices(operator) == []
    assert len(store.list_batches()) == len(parts)


@pytest.mark.skipif(os.name != "posix", reason="tmpfs")
def test_a_full_stick_says_so_and_leaves_the_outbox_intact(station, tmp_path):
    path, _ = station
    stick = tmp_path / "small-stick"
    stick.mkdir()
    if not _mount_tmpfs(stick, "256k"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        with signed_in(path, OPERATOR) as operator:
            (made,) = outbox.build(operator)
            before = made.path.read_bytes()
            with pytest.raises(outbox.DestinationFull) as full:
                outbox.export_usb(operator, made.id, stick)
            assert full.value.details["destination"] == str(stick)
            assert list(stick.iterdir()) == []
            assert made.path.read_bytes() == before
            assert outbox.status(operator)[0].state == "built"
            assert outbox.status(operator)[0].exported_at is None
    finally:
        subprocess.run(["umount", "-l", str(stick)], check=False)


def test_an_upload_resumes_after_the_process_restarts(station, command):
    path, visit_ids = station
    with signed_in(path, OPERATOR) as operator:
        (made,) = outbox.build(operator)
        assert made.size > tus.CHUNK  # at least two chunks
        stop = threading.Event()
        with pytest.raises(outbox.UploadStopped):
            outbox.upload(operator, made.id, progress=lambda step: stop.set(), cancel=stop)
        (listed,) = outbox.status(operator)
        assert listed.state == "uploading" and listed.sent_bytes == tus.CHUNK
        # The block manifest sent at creation is cached beside the file: a resume does not
        # read the whole batch again to make it.
        state = json.loads(made.path.with_name(made.path.name + ".upload.json").read_text())
        assert state["block_size"] == tus.block_size(made.size) == 64 * 1024
        assert base64.b64decode(state["manifest"]) == tus.manifest(made.path, 64 * 1024)
        assert state["location"].startswith("/files/")
    # A new process: a new vault session and a new client, from the state kept beside the file.
    with signed_in(path, OPERATOR) as operator:
        steps: list = []
        done = outbox.upload(operator, made.id, progress=steps.append)
        assert done.state == "delivered"
        assert [s.sent for s in steps] == [made.size]  # only the rest was sent
        assert steps[-1].resent == 0
        assert outbox.delivered_visits(operator) == set(visit_ids)


def test_a_dead_server_is_retried_until_stopped_and_leftovers_are_swept(station, command):
    path, _ = station
    with signed_in(path, OPERATOR) as operator:
        (path / "outbox").mkdir(exist_ok=True)
        (path / "outbox" / "half-written.age.part").write_bytes(b"x" * 100)
        (path / "outbox" / "never-recorded.age").write_bytes(b"y" * 100)
        (made,) = outbox.build(operator)
        assert sorted(p.name for p in (path / "outbox").iterdir()) == [made.path.name]
    with signed_in(path, ADMIN) as admin, admin.writing() as session:
        session.get(records.EnrolmentRow, 1).server_url = f"http://127.0.0.1:{free_port()}"
    with signed_in(path, OPERATOR) as operator:
        stop = threading.Event()
        attempts: list[tuple[int, float]] = []

        def retrying(attempt: int, seconds: float, reason: str) -> None:
            assert reason == "network"
            attempts.append((attempt, seconds))
            if attempt == 3:
                stop.set()

        with pytest.raises(outbox.UploadStopped):
            outbox.upload(operator, made.id, cancel=stop, retrying=retrying)
        assert [a for a, _ in attempts] == [1, 2, 3]
        assert all(0 <= s <= 2 ** (a - 1) for a, s in attempts)  # full jitter, doubling
        (listed,) = outbox.status(operator)
        assert listed.state == "uploading" and listed.path.is_file()


def test_a_damaged_file_found_while_packing_stays_behind(station):
    path, visit_ids = station
    with signed_in(path, OPERATOR) as operator:
        damaged = consent.batchable(operator, visit_ids[1])[0][0].object_name
        stored = operator.objects.path_of(damaged)
        data = bytearray(stored.read_bytes())
        data[len(data) // 2] ^= 1
        stored.write_bytes(bytes(data))
        # The preview trusts the consented digests; the build reads the file and finds it out.
        assert [v.visit_id for v in outbox.preview(operator).visits] == visit_ids
        (made,) = outbox.build(operator)
        assert made.visits == sorted([visit_ids[0], visit_ids[2]])
        assert [p.name for p in (path / "outbox").iterdir()] == [made.path.name]


@pytest.mark.skipif(os.name != "posix", reason="tmpfs")
def test_an_outbox_without_room_says_the_disk_is_full(station):
    path, _ = station
    if not _mount_tmpfs(path / "outbox", "256k"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        with signed_in(path, OPERATOR) as operator:
            with pytest.raises(DiskFull):
                outbox.build(operator)
            assert outbox.status(operator) == [] and list((path / "outbox").iterdir()) == []
            assert outbox.preview(operator).parts == 1
    finally:
        subprocess.run(["umount", "-l", str(path / "outbox")], check=False)
