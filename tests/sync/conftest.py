"""Shared by the sync tests: a station with an approved, consented visit, signed in as its
operator."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from capture import accounts, consent, review, visits
from capture.consent import DrawnSignature, Scopes, Signer
from capture.roles import Role
from capture.vault import NewUser, Vault
from capture.visits import Household, ItemData, ItemKind, MartyrData


def _users(path: Path) -> None:
    admin = Vault(path).unlock("admin", "mật khẩu quản trị")
    for name, role in (("minh", Role.COORDINATOR), ("tuan", Role.OPERATOR)):
        accounts.create_user(admin, NewUser(name, name, "tạm thời 12345", role))
    admin.lock()
    for name in ("minh", "tuan"):
        first = Vault(path).unlock(name, "tạm thời 12345")
        first.set_new_passphrase(f"mật khẩu của {name}")
        first.lock()


@pytest.fixture
def approved(volunteer):
    """An approved visit with 3 photos (one withdrawn later) and one never consented."""
    visit_id = visits.create_visit(volunteer, Household(1, 4, village="Thôn Đông",
                                                        contact_name="Nguyễn Thị Hoa"))
    visits.add(volunteer, visit_id, MartyrData("Nguyễn Văn Hùng", home_town="Thanh Hóa",
                                               death_place="Quảng Trị"))
    item = visits.add(volunteer, visit_id, ItemData(ItemKind.DIARY, title="Nhật ký 1971"))
    photos = [os.urandom(3000 + i) for i in range(3)]
    pages = [visits.add_page(volunteer, item, volunteer.store_bytes(p).name,
                             original_filename=f"IMG_{i}.JPG") for i, p in enumerate(photos)]
    record = consent.record(volunteer, visit_id, Scopes(share_with_authorities=True),
                            Signer("Nguyễn Thị Hoa", "em gái"),
                            DrawnSignature([[(1.0, 2.0, 0, 0.5), (3.0, 4.0, 50, 0.5)]],
                                           b"\x89PNG signature"))
    review.submit(volunteer, visit_id)
    consent.withdraw(volunteer, record.id, Signer("Nguyễn Thị Hoa"), how="điện thoại",
                     object_names=[record.covers[2].object_name])
    path = volunteer.path
    volunteer.lock()
    _users(path)
    coordinator = Vault(path).unlock("minh", "mật khẩu của minh")
    review.approve(coordinator, visit_id)
    coordinator.lock()
    operator = Vault(path).unlock("tuan", "mật khẩu của tuan")
    yield operator, visit_id, pages, photos
    operator.lock()


