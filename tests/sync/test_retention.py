"""Data beyond need: a delivered visit's media leave the laptop after the admin's retention
period (off by default); the records, sizes and digests stay, and the check still passes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from capture import outbox, retention
from capture.check import check_vault
from capture.errors import ObjectMissing
from capture.models import ObjectRow, Page
from capture.vault import Vault


def deliver(operator, visit_id: str) -> None:
    """What the station records once a part was built and its receipt verified."""
    waiting = outbox.pending(operator, [visit_id])
    batch = outbox.NewBatch(
        id=str(uuid.uuid4()), group_id=str(uuid.uuid4()), part=1, parts=1,
        file_name="batch.age", size=1000, sha256="0" * 64, tagmanifest_sha256="1" * 64,
        recipient="age1test", payload_files=3, payload_bytes=9000, visits=waiting.visits,
        notices=[])
    outbox.record_built(operator, [batch])
    outbox.mark_delivered(operator, batch.id, "{}", [])


def test_delivered_media_leave_after_the_retention_period_and_only_then(approved):
    operator, visit_id, pages, photos = approved
    path = operator.path
    deliver(operator, visit_id)
    operator.lock()
    admin = Vault(path).unlock("admin", "mật khẩu quản trị")
    try:
        assert retention.retention_days(admin) is None  # off by default: nothing ever goes
        assert retention.release_delivered(admin, admin.clock() + timedelta(days=999)).objects == 0
        with pytest.raises(retention.RetentionOutOfRange):
            retention.set_retention_days(admin, -1)
        retention.set_retention_days(admin, 30)
        with admin.reading() as session:
            names = {p.id: p.object_name for p in session.scalars(select(Page))}
        delivered_at = admin.clock()
        early = retention.release_delivered(admin, delivered_at + timedelta(days=29))
        assert early.objects == 0
        assert all(admin.objects.read_bytes(names[p]) for p in pages)
        done = retention.release_delivered(admin, delivered_at + timedelta(days=30, hours=1))
        # Two photos travelled; the third was withdrawn before the batch and stays.
        assert (done.visits, done.objects) == (1, 2)
        assert done.bytes == len(photos[0]) + len(photos[1])
        gone = retention.released(admin, set(names.values()))
        assert gone == {names[pages[0]], names[pages[1]]}
        for page in pages[:2]:
            with pytest.raises(ObjectMissing):
                admin.objects.read_bytes(names[page])
        assert admin.objects.read_bytes(names[pages[2]]) == photos[2]
        with admin.reading() as session:  # the records and sizes stay
            assert session.get(ObjectRow, names[pages[0]]).size == len(photos[0])
            assert len(list(session.scalars(select(Page)))) == 3
        report = check_vault(admin)
        assert report.ok, report.problems
        assert retention.page_released(admin, pages[0])
        assert not retention.page_released(admin, pages[2])
    finally:
        admin.lock()
    # The coordinator's page viewer says what happened, not "missing from the vault".
    from ui.widgets.gallery import load_preview

    coordinator = Vault(path).unlock("minh", "mật khẩu của minh")
    try:
        with pytest.raises(retention.MediaReleased):
            load_preview(coordinator, pages[0])
    finally:
        coordinator.lock()
