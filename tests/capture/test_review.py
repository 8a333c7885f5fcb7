"""Review states as people say them (resubmitted is told apart), the comments of the last
return per item, and consent changes that follow the record in force: an amendment or a
withdrawal quoted by an old receipt's code, and a new signature that never takes withdrawn
material back in."""

import json

import pytest

from capture import consent, review, visits
from capture.consent import MediaUse, Scopes, Signer
from capture.review import Stage
from capture.vault import Vault
from capture.visits import MartyrData

from .test_consent import _promote_coordinator, _sign, _signature, _visit_with_photos


def _as(path, username, passphrase):
    return Vault(path).unlock(username, passphrase)


def test_returned_then_resubmitted_with_the_last_return_per_item(volunteer):
    visit_id, item, _ = _visit_with_photos(volunteer)
    assert review.stage(volunteer, visit_id) == Stage.DRAFT
    assert not review.last_return(volunteer, visit_id)
    _sign(volunteer, visit_id)
    review.submit(volunteer, visit_id)
    assert review.stage(volunteer, visit_id) == Stage.SUBMITTED
    path = volunteer.path
    volunteer.lock()
    _promote_coordinator(path)
    coordinator = _as(path, "minh", "mật khẩu của Minh")
    (entry,) = review.queue(coordinator)
    assert not entry.resubmitted
    review.return_visit(coordinator, visit_id, "Thiếu quê quán",
                        item_comments={item: "Chụp lại trang 2"})
    assert review.stage(coordinator, visit_id) == Stage.RETURNED
    notes = review.last_return(coordinator, visit_id)
    assert notes.visit_comment == "Thiếu quê quán"
    assert notes.item_comments == {item: "Chụp lại trang 2"}
    coordinator.lock()

    again = _as(path, "lan", "mật khẩu của Lan")
    visits.add(again, visit_id, MartyrData("Nguyễn Văn Tư"))
    review.submit(again, visit_id, note="Đã bổ sung")
    assert review.stage(again, visit_id) == Stage.RESUBMITTED
    assert visits.load_visit(again, visit_id).status == visits.VisitStatus.SUBMITTED
    again.lock()

    coordinator = _as(path, "minh", "mật khẩu của Minh")
    (entry,) = review.queue(coordinator)
    assert entry.resubmitted
    # A second return with only a visit comment: the item comment of the first one is gone.
    review.return_visit(coordinator, visit_id, "Vẫn thiếu ngày hy sinh")
    notes = review.last_return(coordinator, visit_id)
    assert notes.visit_comment == "Vẫn thiếu ngày hy sinh" and notes.item_comments == {}
    steps = [d.decision for d in review.history(coordinator, visit_id)]
    assert steps == ["submitted", "returned", "comment", "resubmitted", "returned"]
    with pytest.raises(review.WrongState) as wrong:
        review.approve(coordinator, visit_id)
    assert wrong.value.details["status"] == "returned"
    events = [e for e in coordinator_audit(coordinator) if e.get("decision")]
    assert [e["decision"] for e in events] == ["submitted", "returned", "resubmitted",
                                               "returned"]
    coordinator.lock()


def coordinator_audit(vault):
    from sqlalchemy import select

    from capture.models import AuditEvent

    with vault.reading() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "review")
                               .order_by(AuditEvent.seq))
        return [json.loads(e.detail) for e in rows]


def test_an_old_receipts_code_amends_and_withdraws_the_consent_in_force(volunteer):
    visit_id, item, _ = _visit_with_photos(volunteer, n=2)
    first = _sign(volunteer, visit_id)
    visits.add_page(volunteer, item, volunteer.store_bytes(b"late photo").name)
    amended = consent.amend(volunteer, first.id, Scopes(media_use=MediaUse.NAMED),
                            Signer("Nguyễn Thị Hoa", "em gái"), _signature())
    assert amended.supersedes == first.id and len(amended.covers) == 3
    # The family quotes the first receipt's code: it leads to the amendment.
    quoted = consent.find_by_reference(volunteer, first.reference_code)
    assert consent.in_force(volunteer, quoted.id).id == amended.id
    again = consent.amend(volunteer, first.id, Scopes(dna_contact=True,
                                                      dna_contact_details="0912 345 678"),
                          Signer("Nguyễn Thị Hoa", "em gái"), _signature())
    assert again.supersedes == amended.id
    withdrawal = consent.withdraw(volunteer, first.id, Signer("Nguyễn Thị Hoa"), "gọi điện")
    assert withdrawal.supersedes == again.id
    assert consent.batchable(volunteer, visit_id) == []
    assert consent.coverage(volunteer, visit_id).uncovered == []
    assert [n.id for n in consent.withdrawal_notices(volunteer)] == [withdrawal.id]
    assert consent.get(volunteer, withdrawal.id).notice_sent_in is None
    consent.mark_notice_sent(volunteer, withdrawal.id, "batch-7")
    assert consent.get(volunteer, withdrawal.id).notice_sent_in == "batch-7"
    # A withdrawal's own code leads back to the consent it withdrew.
    assert consent.in_force(volunteer, withdrawal.id).id == again.id


def test_a_new_signature_never_takes_withdrawn_material_back_in(volunteer):
    visit_id, item, _ = _visit_with_photos(volunteer, n=3)
    record = _sign(volunteer, visit_id)
    gone = record.covers[0].object_name
    consent.withdraw(volunteer, record.id, Signer("Nguyễn Thị Hoa"), "thư tay",
                     object_names=[gone])
    amended = consent.amend(volunteer, record.id, Scopes(share_with_authorities=True),
                            Signer("Nguyễn Thị Hoa", "em gái"), _signature())
    assert gone not in {c.object_name for c in amended.covers}
    assert len(amended.covers) == 2
    assert gone not in {c.object_name for c, _ in consent.batchable(volunteer, visit_id)}
    assert gone in consent.coverage(volunteer, visit_id).withdrawn
    # Everything withdrawn: a new signature has nothing it may cover, and says why.
    consent.withdraw(volunteer, amended.id, Signer("Nguyễn Thị Hoa"), "thư tay")
    with pytest.raises(consent.EverythingWithdrawn):
        _sign(volunteer, visit_id)
    # A photo added later can be consented to on its own.
    late = visits.add_page(volunteer, item, volunteer.store_bytes(b"late photo").name)
    fresh = _sign(volunteer, visit_id)
    assert [c.ref_id for c in fresh.covers] == [late]
    assert [c.ref_id for c, _ in consent.batchable(volunteer, visit_id)] == [late]
