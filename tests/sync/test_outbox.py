"""The station's outbox against the real command server on loopback: enrol with a one-time
code, build a batch split under a size cap, upload every part, verified receipts, visits
delivered, nothing sent twice; refused codes and forged receipts; USB export and the command's
receipt; an upload that resumes after the process restarts."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from capture import audit, consent, review, visits
from capture.consent import DrawnSignature, Scopes, Signer
from capture.models import AuditEvent, Visit
from capture.vault import Vault
from capture.visits import Household, ItemData, ItemKind, MartyrData
from sync import outbox
from sync.server.app import ServerConfig, create_app
from sync.server.keys import CommandKeys
from sync.server.store import Store
from tests.conftest import ADMIN_PASSPHRASE, VOLUNTEER_PASS
from tests.sync.servers import CommandServer

OPERATOR = ("tuan", "mật khẩu của tuan")
COORDINATOR = ("minh", "mật khẩu của minh")
ADMIN = ("admin", ADMIN_PASSPHRASE)


@pytest.fixture
def command(tmp_path):
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


def enrol(path: Path, server, store) -> outbox.Enrolment:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    with signed_in(path, ADMIN) as admin:
        return outbox.enrol(admin, server.url, store.new_enrolment_code(datetime.now(UTC)))


@pytest.fixture
def station(approved, command):
    """The ``approved`` station with two more visits (~0.6 MB each), enrolled with the running
    command; yields the vault folder (nothing unlocked)."""
    operator, first_visit, _, _ = approved
    path = operator.path
    operator.lock()
    second, _ = add_approved_visit(path, "Lê Văn Tám", [300_000, 300_000])
    third, _ = add_approved_visit(path, "Phạm Văn Đồng", [600_000])
    server, keys, store, _ = command
    enrolled = enrol(path, server, store)
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
