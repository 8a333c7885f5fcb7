"""Accounts: who can sign in on this station, and in which role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from capture.errors import AccountError
from capture.keyslots import check_passphrase_strength, check_username, normalize_username
from capture.models import User
from capture.roles import Action, Role
from capture.vault import NewUser, UnlockedVault


class UsernameTaken(AccountError):
    message = "The user name {username} is already taken on this station."


class LastAdmin(AccountError):
    message = "The station needs at least one active admin; this change would leave none."


class UnknownUser(AccountError):
    message = "There is no account named {username} on this station."


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    role: Role
    active: bool


def list_accounts(vault: UnlockedVault) -> list[Account]:
    vault.require(Action.MANAGE_ACCOUNTS)
    with vault.reading() as session:
        return [Account(u.username, u.full_name, Role(u.role), u.active)
                for u in session.scalars(select(User).order_by(User.username))]


def create_user(vault: UnlockedVault, new: NewUser) -> Account:
    vault.require(Action.MANAGE_ACCOUNTS)
    name = check_username(new.username)
    check_passphrase_strength(new.passphrase)
    with vault.writing() as session:
        if session.scalar(select(User).where(User.username == name)) is not None:
            raise UsernameTaken(username=name)
        user = User(username=name, full_name=new.full_name.strip(), role=Role(new.role).value,
                    active=True, must_change_passphrase=True, created_at=vault.clock())
        session.add(user)
        vault.audit(session, "create", "user", name, role=user.role)
        # The key slot is written inside the transaction: if it fails, the row rolls back.
        # A new user chooses their own passphrase at first sign-in (must_change_passphrase).
        vault.put_user_slot(name, new.passphrase)
    return Account(name, user.full_name, Role(user.role), True)


def _get(session, username: str) -> User:  # type: ignore[no-untyped-def]
    user = session.scalar(select(User).where(User.username == normalize_username(username)))
    if user is None:
        raise UnknownUser(username=username)
    return user


def _active_admins(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.value,
                                                     User.active.is_(True))
    )


def change_role(vault: UnlockedVault, username: str, role: Role) -> None:
    vault.require(Action.MANAGE_ACCOUNTS)
    with vault.writing() as session:
        user = _get(session, username)
        if user.role == Role.ADMIN.value and role != Role.ADMIN and _active_admins(session) <= 1:
            raise LastAdmin()
        old, user.role = user.role, Role(role).value
        vault.audit(session, "change", "user", user.username, role_from=old, role_to=user.role)


def disable_user(vault: UnlockedVault, username: str) -> None:
    """The account can no longer sign in; everything it captured stays, attributed to it."""
    vault.require(Action.MANAGE_ACCOUNTS)
    with vault.writing() as session:
        user = _get(session, username)
        if user.role == Role.ADMIN.value and user.active and _active_admins(session) <= 1:
            raise LastAdmin()
        user.active = False
        vault.audit(session, "disable", "user", user.username)
        vault.remove_user_slot(user.username)


def reset_passphrase(vault: UnlockedVault, username: str, temporary: str) -> None:
    """An admin gives a user a temporary passphrase; the user must replace it at sign-in."""
    vault.require(Action.RESET_OTHERS_PASSPHRASE)
    check_passphrase_strength(temporary)
    with vault.writing() as session:
        user = _get(session, username)
        if not user.active:
            raise UnknownUser(username=username)
        user.must_change_passphrase = True
        vault.audit(session, "reset_passphrase", "user", user.username)
        vault.put_user_slot(user.username, temporary)
