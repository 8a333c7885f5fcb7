"""The core, not only the UI, refuses to let anything leave the practice station."""

from __future__ import annotations

import pytest

from capture import practice
from capture.outbox import NotEnrolled
from capture.practice import Practice, PracticeOnly
from capture.roles import Role
from sync import outbox


@pytest.fixture
def place(tmp_path, fast_kdf):
    made = Practice(tmp_path / "practice")
    practice.create(made, kdf=fast_kdf)
    return made


def test_enrolment_is_refused(place, fast_kdf) -> None:
    vault = practice.open_vault(place, Role.ADMIN, kdf=fast_kdf)
    try:
        with pytest.raises(PracticeOnly):
            outbox.enrol(vault, "http://127.0.0.1:9", "ABCD-EFGH", "0" * 32)
        # Below the network call too: no enrolment can be written into it by any path.
        from datetime import UTC, datetime

        from capture import outbox as records

        with pytest.raises(PracticeOnly):
            records.record_enrolment(vault, records.Enrolment(
                "https://chqs.example", "x", "age1x", bytes(32), datetime.now(UTC)))
        assert outbox.enrolment(vault) is None
    finally:
        vault.lock()


def test_building_a_batch_is_refused(place, tmp_path, fast_kdf) -> None:
    vault = practice.open_vault(place, Role.OPERATOR, kdf=fast_kdf)
    try:
        with pytest.raises(PracticeOnly):
            outbox.build(vault)
        assert outbox.status(vault) == []
    finally:
        vault.lock()


def test_usb_export_and_upload_are_refused(place, tmp_path, fast_kdf) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    vault = practice.open_vault(place, Role.OPERATOR, kdf=fast_kdf)
    try:
        with pytest.raises(PracticeOnly):
            outbox.export_usb(vault, "00000000-0000-0000-0000-000000000000", stick)
        with pytest.raises(PracticeOnly):
            outbox.upload(vault, "00000000-0000-0000-0000-000000000000")
    finally:
        vault.lock()
    assert list(stick.iterdir()) == []


def test_a_real_station_is_not_refused(make_vault, fast_kdf) -> None:
    from capture import accounts
    from capture.vault import NewUser, Vault

    admin, _ = make_vault()
    accounts.create_user(admin, NewUser("op", "Người đồng bộ", "mật khẩu đồng bộ", Role.OPERATOR))
    path = admin.path
    admin.lock()
    vault = Vault(path).unlock("op", "mật khẩu đồng bộ")
    vault.must_change_passphrase = False
    try:
        with pytest.raises(NotEnrolled):  # it goes past the guard to the real checks
            outbox.build(vault)
    finally:
        vault.lock()
