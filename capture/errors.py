"""Every failure the core reports. One root, messages written for the person who will see them.

The English text is the source string; the desktop app shows it translated (``ui/errors.py``
maps each class to a ``tr()`` string), so keep each message one plain sentence: what happened,
what to do.
"""

from __future__ import annotations


class CaptureError(Exception):
    """Something in the station's core went wrong."""

    message = "Something went wrong in the station's vault."

    def __init__(self, message: str | None = None, **details: object) -> None:
        self.details = details
        super().__init__(message or self.message.format(**details))


class VaultNotFound(CaptureError):
    message = "No vault was found at {path}. Run the setup first."


class VaultExists(CaptureError):
    message = "A vault already exists at {path}; it was left untouched."


class VaultLocked(CaptureError):
    message = "The vault is locked. Sign in again to continue."


class WrongPassphrase(CaptureError):
    message = "The user name or passphrase is wrong. Check the keyboard language and Caps Lock."


class TooManyAttempts(CaptureError):
    message = "Too many wrong passphrases. Wait {seconds} seconds before trying again."


class WrongRecoveryKey(CaptureError):
    message = "This recovery key does not open this vault."


class MistypedRecoveryKey(CaptureError):
    message = "The recovery key has a typing mistake. Check each group of four characters."


class WeakPassphrase(CaptureError):
    message = "The passphrase is too short: use at least {minimum} characters."


class PassphraseChangeRequired(CaptureError):
    message = "You signed in with the recovery key: choose a new passphrase first."


class PermissionDenied(CaptureError):
    message = "Your role ({role}) may not {action}. Ask the station admin."


class AccountError(CaptureError):
    message = "The account could not be changed."


class InvalidUsername(AccountError):
    message = "A user name needs 2 to 40 letters, digits, dots, dashes or underscores."


class AutoLockOutOfRange(AccountError):
    message = "Auto-lock must be between 1 and 120 minutes."


class UnknownPlace(CaptureError):
    message = "The province or commune code {code} is not in the official list."


class VaultDamaged(CaptureError):
    message = "Part of the vault is damaged: {what}. Run the vault check for details."


class ObjectDamaged(VaultDamaged):
    message = "The stored file {name} is damaged (it fails its authentication check)."


class ObjectMissing(VaultDamaged):
    message = "The stored file {name} is missing from the vault."


class DiskFull(CaptureError):
    message = "The disk is full. Nothing was lost; free some space and try again."


class VaultInUse(CaptureError):
    message = "The vault is already open in another window of the app. Close that one first."
