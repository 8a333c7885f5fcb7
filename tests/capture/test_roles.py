"""The core refuses what a role may not do; the UI only reflects it."""

import io

import pytest

from capture import accounts, station
from capture.check import check_vault
from capture.errors import PermissionDenied
from capture.roles import Action, Role, allowed
from capture.vault import NewUser, Vault


@pytest.fixture
def signed_in(make_vault):
    """One signed-in vault per role, each its own session (one at a time)."""
    admin, _ = make_vault()
    for role in (Role.VOLUNTEER, Role.COORDINATOR, Role.OPERATOR):
        accounts.create_user(admin, NewUser(role.value, role.value.title(),
                                            "tạm thời 12345", role))
    path = admin.path
    admin.lock()
    opened = []

    def sign_in(role: Role):
        while opened:
            opened.pop().lock()
        if role == Role.ADMIN:
            vault = Vault(path).unlock("admin", "mật khẩu quản trị")
        else:
            vault = Vault(path).unlock(role.value, "tạm thời 12345")
            vault.set_new_passphrase("mật khẩu riêng 123")
            vault.lock()
            vault = Vault(path).unlock(role.value, "mật khẩu riêng 123")
        opened.append(vault)
        return vault

    yield sign_in
    while opened:
        opened.pop().lock()


REFUSED = [
    (Role.VOLUNTEER, "create an account",
     lambda v: accounts.create_user(v, NewUser("x1", "X", "passphrase 1234"))),
    (Role.COORDINATOR, "create an account",
     lambda v: accounts.create_user(v, NewUser("x2", "X", "passphrase 1234"))),
    (Role.OPERATOR, "create an account",
     lambda v: accounts.create_user(v, NewUser("x3", "X", "passphrase 1234", Role.ADMIN))),
    (Role.VOLUNTEER, "make itself admin", lambda v: accounts.change_role(v, "volunteer",
                                                                          Role.ADMIN)),
    (Role.COORDINATOR, "disable the admin", lambda v: accounts.disable_user(v, "admin")),
    (Role.VOLUNTEER, "reset the admin's passphrase",
     lambda v: accounts.reset_passphrase(v, "admin", "chiếm quyền 12345")),
    (Role.OPERATOR, "reset a passphrase",
     lambda v: accounts.reset_passphrase(v, "volunteer", "chiếm quyền 12345")),
    (Role.COORDINATOR, "list accounts", lambda v: accounts.list_accounts(v)),
    (Role.VOLUNTEER, "move the station", lambda v: station.update(v, "Khác", 1, 4)),
    (Role.OPERATOR, "change auto-lock", lambda v: station.set_auto_lock(v, 120)),
    (Role.VOLUNTEER, "replace the recovery key", lambda v: v.replace_recovery_key()),
    (Role.COORDINATOR, "replace the recovery key", lambda v: v.replace_recovery_key()),
    (Role.VOLUNTEER, "run the vault check", lambda v: check_vault(v)),
    (Role.VOLUNTEER, "take the signing key", lambda v: station.signing_key(v)),
    (Role.COORDINATOR, "take the signing key", lambda v: station.signing_key(v)),
    (Role.OPERATOR, "store a capture", lambda v: v.store_bytes(b"not for operators")),
    (Role.ADMIN, "store a capture", lambda v: v.store_object(io.BytesIO(b"not for admins"))),
]


@pytest.mark.parametrize(("role", "what", "attempt"), REFUSED, ids=[f"{r.value}-{w}"
                                                                   for r, w, _ in REFUSED])
def test_refused(signed_in, role, what, attempt):
    vault = signed_in(role)
    with pytest.raises(PermissionDenied) as refusal:
        attempt(vault)
    assert role.value in str(refusal.value)


def test_refusals_change_nothing(signed_in):
    vault = signed_in(Role.VOLUNTEER)
    with pytest.raises(PermissionDenied):
        accounts.create_user(vault, NewUser("intruder", "X", "passphrase 1234", Role.ADMIN))
    admin = signed_in(Role.ADMIN)
    assert "intruder" not in {a.username for a in accounts.list_accounts(admin)}
    with pytest.raises(Exception):  # noqa: B017 - the slot must not exist either
        Vault(admin.path).unlock("intruder", "passphrase 1234")


def test_allowed_actions_work(signed_in):
    admin = signed_in(Role.ADMIN)
    station.set_auto_lock(admin, 5)
    accounts.change_role(admin, "volunteer", Role.COORDINATOR)
    assert check_vault(admin).ok
    operator = signed_in(Role.OPERATOR)
    assert len(station.signing_key(operator).public_key().public_bytes_raw()) == 32
    coordinator = signed_in(Role.COORDINATOR)
    assert not coordinator.store_bytes(b"a diary page").duplicate


def test_the_last_admin_cannot_be_removed(signed_in):
    admin = signed_in(Role.ADMIN)
    with pytest.raises(accounts.LastAdmin):
        accounts.change_role(admin, "admin", Role.VOLUNTEER)
    with pytest.raises(accounts.LastAdmin):
        accounts.disable_user(admin, "admin")


def test_policy_matrix_separates_duties():
    assert not any(allowed(r, Action.MANAGE_ACCOUNTS) for r in Role if r != Role.ADMIN)
    assert [r for r in Role if allowed(r, Action.REVIEW)] == [Role.COORDINATOR]
    assert [r for r in Role if allowed(r, Action.SEND_BATCH)] == [Role.OPERATOR]
    assert not allowed(Role.VOLUNTEER, Action.BUILD_BATCH)
