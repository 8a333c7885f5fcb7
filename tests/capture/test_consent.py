"""Consent as signed evidence; the gate on submit, approve and batch; withdrawal; review."""

import copy
import json
import time

import pytest

from capture import consent, review, visits
from capture.consent import DrawnSignature, MediaUse, Scopes, Signer, VerbalConsent
from capture.errors import PermissionDenied
from capture.vault import Vault
from capture.visits import Household, ItemData, ItemKind, MartyrData

STROKES = [[(10.0, 12.0, 0, 0.4), (40.0, 30.0, 120, 0.6), (80.0, 22.0, 260, 0.5)],
           [(90.0, 10.0, 900, 0.3), (95.0, 40.0, 1010, 0.7)]]
PNG = b"\x89PNG\r\n\x1a\n" + b"drawn signature pixels" * 20


def _signature() -> DrawnSignature:
    return DrawnSignature(STROKES, PNG)


def _visit_with_photos(vault, n=3):
    visit_id = visits.create_visit(vault, Household(1, 4, village="Thôn Đông",
                                                    contact_name="Nguyễn Thị Hoa"))
    visits.add(vault, visit_id, MartyrData("Nguyễn Văn Hùng", home_town="Thanh Hóa",
                                           death_place="Quảng Trị"))
    item = visits.add(vault, visit_id, ItemData(ItemKind.LETTER, title="Thư gửi mẹ"))
    pages = [visits.add_page(vault, item, vault.store_bytes(f"ảnh {i}".encode()).name)
             for i in range(n)]
    return visit_id, item, pages


def _sign(vault, visit_id, **scopes):
    return consent.record(vault, visit_id, Scopes(**scopes), Signer("Nguyễn Thị Hoa", "em gái"),
                          _signature())


def test_a_signed_consent_verifies_and_lists_what_it_covers(volunteer):
    visit_id, _, pages = _visit_with_photos(volunteer)
    record = _sign(volunteer, visit_id, share_with_authorities=True, media_use=MediaUse.ANONYMOUS,
                   dna_contact=True, dna_contact_details="0912 345 678")
    assert consent.verify(volunteer, record.id).valid
    assert [c.ref_id for c in record.covers] == pages
    assert all(len(c.sha256) == 64 for c in record.covers)
    assert record.payload["evidence"]["strokes"] == 2
    assert record.payload["witness"]["username"] == "lan"
    assert record.reference_code.startswith("DY-")
    assert consent.find_by_reference(volunteer, record.reference_code.lower()).id == record.id
    assert consent.coverage(volunteer, visit_id).uncovered == []
    assert consent.evidence_png(volunteer, record.id) == PNG


def test_the_signature_fails_when_a_field_or_a_capture_changes(volunteer):
    visit_id, _, pages = _visit_with_photos(volunteer)
    record = _sign(volunteer, visit_id)
    payload = copy.deepcopy(record.payload)
    payload["scopes"]["media_use"] = "named"  # someone widens the consent afterwards
    with volunteer.writing() as session:
        row = session.get(consent.ConsentRecord, record.id)
        original = row.payload
        row.payload = json.dumps(payload, sort_keys=True, ensure_ascii=False,
                                 separators=(",", ":"))
    check = consent.verify(volunteer, record.id)
    assert not check.valid and "signature" in check.problems[0]
    with volunteer.writing() as session:
        session.get(consent.ConsentRecord, record.id).payload = original
    assert consent.verify(volunteer, record.id).valid

    # The photo's bytes are changed on disk behind the vault's back: re-encrypted other bytes
    # under the same name, as a tamperer with the key would.
    covered = record.covers[1].object_name
    fake = volunteer.objects.put_bytes(b"another photo entirely")
    target = volunteer.objects.path_of(covered)
    target.write_bytes(volunteer.objects.path_of(fake.name).read_bytes())
    check = consent.verify(volunteer, record.id)
    assert not check.valid
    assert any(pages[1] in p and "changed" in p for p in check.problems)
    assert not any(c.object_name == covered for c, _ in consent.batchable(volunteer, visit_id))


def test_the_gate_blocks_unconsented_material_on_every_path(volunteer, make_vault):
    visit_id, item, _ = _visit_with_photos(volunteer)
    with pytest.raises(review.ConsentMissing):
        review.submit(volunteer, visit_id)
    assert consent.batchable(volunteer, visit_id) == []
    _sign(volunteer, visit_id)
    # A photo taken after the signature is not covered: submit refuses until an amendment.
    late = visits.add_page(volunteer, item, volunteer.store_bytes(b"late photo").name)
    with pytest.raises(review.ConsentMissing) as missing:
        review.submit(volunteer, visit_id)
    assert missing.value.details["count"] == 1
    assert late not in {c.ref_id for c, _ in consent.batchable(volunteer, visit_id)}
    first = consent.records(volunteer, visit_id)[0]
    consent.amend(volunteer, first.id, Scopes(share_with_authorities=True),
                  Signer("Nguyễn Thị Hoa", "em gái"), _signature())
    review.submit(volunteer, visit_id)
    assert len(consent.batchable(volunteer, visit_id)) == 4

    # Approve re-checks: a consent record tampered after submission blocks approval.
    with volunteer.writing() as session:
        row = session.scalars(consent.select(consent.ConsentRecord)).first()
        row.signature = bytes(64)
    path = volunteer.path
    volunteer.lock()
    _promote_coordinator(path)
    coordinator = Vault(path).unlock("minh", "mật khẩu của Minh")
    try:
        with pytest.raises(review.ConsentInvalid):
            review.approve(coordinator, visit_id)
    finally:
        coordinator.lock()


def _promote_coordinator(path):
    from capture import accounts
    from capture.roles import Role
    from capture.vault import NewUser

    admin = Vault(path).unlock("admin", "mật khẩu quản trị")
    try:
        accounts.create_user(admin, NewUser("minh", "Lê Minh", "tạm thời 12345",
                                            Role.COORDINATOR))
    finally:
        admin.lock()
    first = Vault(path).unlock("minh", "tạm thời 12345")
    first.set_new_passphrase("mật khẩu của Minh")
    first.lock()


def test_review_approves_and_returns_with_comments(volunteer):
    visit_id, item, _ = _visit_with_photos(volunteer)
    _sign(volunteer, visit_id)
    review.submit(volunteer, visit_id, note="Đủ hồ sơ")
    with pytest.raises(visits.VisitNotEditable):
        visits.add(volunteer, visit_id, MartyrData("B"))
    with pytest.raises(PermissionDenied):
        review.approve(volunteer, visit_id)
    path = volunteer.path
    volunteer.lock()
    _promote_coordinator(path)
    coordinator = Vault(path).unlock("minh", "mật khẩu của Minh")
    entry, = review.queue(coordinator)
    assert entry.visit_id == visit_id and not entry.checklist.blocking
    with pytest.raises(review.CommentRequired):
        review.return_visit(coordinator, visit_id, "  ")
    review.return_visit(coordinator, visit_id, "Ảnh trang 2 bị mờ",
                        item_comments={item: "Chụp lại trang 2"})
    coordinator.lock()

    again = Vault(path).unlock("lan", "mật khẩu của Lan")
    (returned_id, notes), = review.returned_to_me(again)
    assert returned_id == visit_id
    assert {n.comment for n in notes} == {"Ảnh trang 2 bị mờ", "Chụp lại trang 2"}
    visits.add(again, visit_id, MartyrData("Nguyễn Văn Tư"))  # editable again
    review.submit(again, visit_id)
    again.lock()
    coordinator = Vault(path).unlock("minh", "mật khẩu của Minh")
    review.approve(coordinator, visit_id, "Tốt")
    with pytest.raises(review.WrongState):
        review.approve(coordinator, visit_id)
    steps = [d.decision for d in review.history(coordinator, visit_id)]
    assert steps == ["submitted", "returned", "comment", "resubmitted", "approved"]
    coordinator.lock()


def test_withdrawal_excludes_what_it_names_and_queues_a_notice(volunteer):
    visit_id, _, pages = _visit_with_photos(volunteer)
    record = _sign(volunteer, visit_id)
    partial = consent.withdraw(volunteer, record.id, Signer("Nguyễn Thị Hoa"),
                               how="gọi điện ngày 20/11",
                               object_names=[record.covers[0].object_name])
    travelling = {c.ref_id for c, _ in consent.batchable(volunteer, visit_id)}
    assert travelling == set(pages[1:])
    assert [n.id for n in consent.withdrawal_notices(volunteer)] == [partial.id]
    consent.withdraw(volunteer, record.id, Signer("Nguyễn Thị Hoa"), how="thư tay")
    assert consent.batchable(volunteer, visit_id) == []
    consent.mark_notice_sent(volunteer, partial.id, "batch-1")
    assert len(consent.withdrawal_notices(volunteer)) == 1
    # Nothing is erased: all three records are there, each verifying.
    assert [r.kind for r in consent.records(volunteer, visit_id)] == ["grant", "withdraw",
                                                                      "withdraw"]
    assert all(consent.verify(volunteer, r.id).valid
               for r in consent.records(volunteer, visit_id))


def test_consent_needs_its_required_parts(volunteer):
    visit_id, _, _ = _visit_with_photos(volunteer)
    with pytest.raises(consent.ArchiveScopeRequired):
        consent.record(volunteer, visit_id, Scopes(archive_and_search=False), Signer("Hoa"),
                       _signature())
    with pytest.raises(consent.EvidenceMissing):
        consent.record(volunteer, visit_id, Scopes(), Signer("Hoa"), None)
    with pytest.raises(consent.EvidenceMissing):
        consent.record(volunteer, visit_id, Scopes(), Signer("Hoa"), DrawnSignature([], PNG))
    with pytest.raises(consent.SignerMissing):
        consent.record(volunteer, visit_id, Scopes(), Signer(" "), _signature())
    with pytest.raises(consent.InvalidEmbargo):
        consent.record(volunteer, visit_id, Scopes(embargo_until="2001-01-01"), Signer("Hoa"),
                       _signature())
    verbal = consent.record(volunteer, visit_id, Scopes(embargo_until="2030-01-01"),
                            Signer("Bà Nguyễn Thị Lụa", "mẹ"),
                            VerbalConsent("testimony/abc#marker/1", "bà không viết được"))
    assert verbal.payload["evidence"]["method"] == "verbal"
    assert consent.verify(volunteer, verbal.id).valid
    assert consent.consent_text("vi").startswith("# Phiếu đồng ý")
    assert consent.consent_text("en").startswith("# Consent form")


def test_recordings_are_captures_the_consent_must_cover(volunteer):
    from capture import recorder as rec
    from tests.capture.recording_helpers import RATE, new_testimony, tone

    visit_id, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id)
    recorder.start(rec.SyntheticSource(tone, realtime=False, limit_frames=2 * RATE))
    while recorder.frames_committed < 2 * RATE - 4096:  # the encoder keeps one FLAC frame
        time.sleep(0.02)
    recorder.stop()
    uncovered = consent.coverage(volunteer, visit_id).uncovered
    assert [c.kind for c in uncovered] == ["recording"]
    flags = review.checklist(volunteer, visit_id).flags
    assert flags[review.Flag.CONSENT_MISSING] == 1
    assert flags[review.Flag.AUDIO_QUALITY] == 1  # 2 s is too short to be a testimony
    record = _sign(volunteer, visit_id)
    assert [c.kind for c in record.covers] == ["recording"]
    assert consent.coverage(volunteer, visit_id).uncovered == []
