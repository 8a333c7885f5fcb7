"""Small functions between the core and the views: the views never see SQL or sessions.

Each function takes what it works on (an unlocked vault, a role) and returns plain data that a
widget can show. The ones that touch the vault are meant for ``ui.tasks.Task``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from capture import accounts, places, station
from capture.keyslots import MIN_PASSPHRASE, normalize_passphrase, valid_username
from capture.roles import Action, Role, allowed
from capture.vault import NewUser, UnlockedVault

# Pages get the vault through a getter (it changes after a lock and a new sign-in); tests pass
# the vault itself.
VaultGetter = Callable[[], UnlockedVault]
VaultLike = UnlockedVault | VaultGetter


def vault_getter(vault: VaultLike) -> VaultGetter:
    """The visit editor passes a getter (the vault changes after a lock); tests pass a vault."""
    if isinstance(vault, UnlockedVault):
        return lambda: vault
    return vault


ROLE_LABELS = {
    Role.ADMIN: QT_TRANSLATE_NOOP("roles", "Station admin"),
    Role.VOLUNTEER: QT_TRANSLATE_NOOP("roles", "Volunteer"),
    Role.COORDINATOR: QT_TRANSLATE_NOOP("roles", "Coordinator"),
    Role.OPERATOR: QT_TRANSLATE_NOOP("roles", "Sync operator"),
}


def role_label(role: Role | str) -> str:
    return QCoreApplication.translate("roles", ROLE_LABELS[Role(role)])


class Page(StrEnum):
    VISITS = "visits"
    REVIEW = "review"
    SYNC = "sync"
    REPORTS = "reports"
    SETTINGS = "settings"


# What a page is for, by the action the core would ask for. Settings shows for every role:
# everyone chooses a language and changes their own passphrase there; the admin also manages
# accounts and the automatic lock.
_PAGE_ACTION = {
    Page.VISITS: Action.CAPTURE,
    Page.REVIEW: Action.REVIEW,
    Page.SYNC: Action.SEND_BATCH,
    Page.REPORTS: Action.VIEW_REPORTS,
}


def pages_for(role: Role | str) -> list[Page]:
    """The navigation a role sees, in order. Hidden pages are the ones the core would refuse."""
    role = Role(role)
    shown = [page for page, action in _PAGE_ACTION.items() if allowed(role, action)]
    shown.append(Page.SETTINGS)
    return shown


def can_manage_accounts(role: Role | str) -> bool:
    return allowed(role, Action.MANAGE_ACCOUNTS)


def can_edit_station(role: Role | str) -> bool:
    return allowed(role, Action.EDIT_STATION)


# -- passphrases -----------------------------------------------------------------------------


class PassphraseProblem(StrEnum):
    NONE = ""
    TOO_SHORT = "too_short"
    MISMATCH = "mismatch"


def check_new_passphrase(first: str, second: str) -> PassphraseProblem:
    """The rule the core enforces, checked as the user types (so the message shows inline)."""
    if len(normalize_passphrase(first)) < MIN_PASSPHRASE:
        return PassphraseProblem.TOO_SHORT
    if normalize_passphrase(first) != normalize_passphrase(second):
        return PassphraseProblem.MISMATCH
    return PassphraseProblem.NONE


# -- places ----------------------------------------------------------------------------------


def province_choices() -> list[tuple[str, int]]:
    return [(p.name, p.code) for p in places.provinces()]


def ward_choices(province_code: int) -> list[tuple[str, int]]:
    return [(w.name, w.code) for w in places.wards(province_code)]


# -- the station and the signed-in user --------------------------------------------------------


@dataclass(frozen=True)
class Header:
    station_name: str
    place: str
    full_name: str
    username: str
    role: Role
    auto_lock_minutes: int


def header(vault: UnlockedVault) -> Header:
    info = station.info(vault)
    return Header(
        station_name=info.name,
        place=f"{info.ward_name}, {info.province_name}",
        full_name=vault.actor.full_name,
        username=vault.actor.username,
        role=vault.actor.role,
        auto_lock_minutes=info.auto_lock_minutes,
    )


@dataclass(frozen=True)
class RecoverySheet:
    """What the printed recovery sheet says about the station."""

    station_name: str
    province_name: str
    ward_name: str
    created_on: date
    recovery_key: str
    practice: bool = False  # the practice station's sheet is marked as such


def recovery_sheet(vault: UnlockedVault, recovery_key: str, today: date) -> RecoverySheet:
    info = station.info(vault)
    return RecoverySheet(info.name, info.province_name, info.ward_name, today, recovery_key,
                         info.practice)


def recovery_groups(recovery_key: str) -> list[str]:
    return [group for group in recovery_key.split("-") if group]


# -- accounts (admin) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    username: str
    full_name: str
    role: Role
    active: bool


def account_rows(vault: UnlockedVault) -> list[AccountRow]:
    return [AccountRow(a.username, a.full_name, a.role, a.active)
            for a in accounts.list_accounts(vault)]


def create_account(vault: UnlockedVault, full_name: str, username: str, role: Role,
                   temporary_passphrase: str) -> AccountRow:
    made = accounts.create_user(vault, NewUser(username, full_name, temporary_passphrase, role))
    return AccountRow(made.username, made.full_name, made.role, made.active)


def username_ok(username: str) -> bool:
    """The core's rule for user names (capture.accounts), checked as the user types."""
    return valid_username(username)


def day_month_year(iso: str) -> str:
    """A stored ISO date (or date and time) as Vietnamese write it, 22/11/2026; what does not
    parse is shown as it is."""
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso
