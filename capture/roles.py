"""Who may do what. The core enforces it (``require``); the UI only hides what it would refuse."""

from __future__ import annotations

from enum import StrEnum

from capture.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"
    OPERATOR = "operator"


class Action(StrEnum):
    # The value reads in a sentence: "Your role (volunteer) may not <value>."
    MANAGE_ACCOUNTS = "create, change or disable accounts"
    RESET_OTHERS_PASSPHRASE = "set another user's passphrase"  # noqa: S105 - a sentence
    EDIT_STATION = "change the station's name or place"
    REPLACE_RECOVERY_KEY = "make a new recovery key"
    ENROL_STATION = "enrol the station with the command"
    READ_AUDIT_LOG = "read the audit log"
    EXPORT_AUDIT_LOG = "export the audit log"
    CHECK_VAULT = "run the vault check"
    CAPTURE = "record visits, photos and testimony"
    REVIEW = "approve or return visits"
    BUILD_BATCH = "build batches for the command"
    SEND_BATCH = "send batches or write them to USB"
    VIEW_REPORTS = "see the station's reports"
    STORE_OBJECT = "store files in the vault"
    RECORD_WITHDRAWAL = "record a family's withdrawal of consent"


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        {
            Action.MANAGE_ACCOUNTS,
            Action.RESET_OTHERS_PASSPHRASE,
            Action.EDIT_STATION,
            Action.REPLACE_RECOVERY_KEY,
            Action.ENROL_STATION,
            Action.READ_AUDIT_LOG,
            Action.EXPORT_AUDIT_LOG,
            Action.CHECK_VAULT,
            Action.VIEW_REPORTS,
            Action.RECORD_WITHDRAWAL,
        }
    ),
    Role.VOLUNTEER: frozenset({Action.CAPTURE, Action.STORE_OBJECT, Action.RECORD_WITHDRAWAL}),
    Role.COORDINATOR: frozenset(
        {Action.CAPTURE, Action.STORE_OBJECT, Action.REVIEW, Action.VIEW_REPORTS,
         Action.READ_AUDIT_LOG, Action.RECORD_WITHDRAWAL}
    ),
    Role.OPERATOR: frozenset(
        {Action.BUILD_BATCH, Action.SEND_BATCH, Action.VIEW_REPORTS, Action.CHECK_VAULT}
    ),
}


def allowed(role: Role | str, action: Action) -> bool:
    return action in _ALLOWED[Role(role)]


def require(role: Role | str, action: Action) -> None:
    if not allowed(role, action):
        raise PermissionDenied(role=Role(role).value, action=action.value)
