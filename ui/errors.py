"""One sentence, in the user's language, for any error the core raises.

    ui.errors.user_message(error) -> str

Each ``capture.errors`` class carries an English ``message`` template; it is the source string
of a translation in the ``errors`` context. The table below only exists so that ``lupdate`` sees
those strings (a test checks it lists every core error class, so the two cannot drift apart).
Placeholders are filled from ``error.details``; a role or an action is translated too. Anything
that is not a core error gets a generic sentence: the details go to the log, not to the user.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from capture.errors import CaptureError
from capture.roles import Action
from sync.errors import SyncError
from ui import viewmodels

log = logging.getLogger(__name__)

CORE_MESSAGES = (
    QT_TRANSLATE_NOOP("errors", "Something went wrong in the station's vault."),
    QT_TRANSLATE_NOOP("errors", "No vault was found at {path}. Run the setup first."),
    QT_TRANSLATE_NOOP("errors", "A vault already exists at {path}; it was left untouched."),
    QT_TRANSLATE_NOOP("errors", "The vault is locked. Sign in again to continue."),
    QT_TRANSLATE_NOOP("errors", "The user name or passphrase is wrong. "
                      "Check the keyboard language and Caps Lock."),
    QT_TRANSLATE_NOOP("errors", "Too many wrong passphrases. "
                      "Wait {seconds} seconds before trying again."),
    QT_TRANSLATE_NOOP("errors", "This recovery key does not open this vault."),
    QT_TRANSLATE_NOOP("errors", "The recovery key has a typing mistake. "
                      "Check each group of four characters."),
    QT_TRANSLATE_NOOP("errors", "The passphrase is too short: use at least {minimum} characters."),
    QT_TRANSLATE_NOOP("errors", "You signed in with the recovery key: "
                      "choose a new passphrase first."),
    QT_TRANSLATE_NOOP("errors", "Your role ({role}) may not {action}. Ask the station admin."),
    QT_TRANSLATE_NOOP("errors", "The account could not be changed."),
    QT_TRANSLATE_NOOP("errors", "The province or commune code {code} is not in the official list."),
    QT_TRANSLATE_NOOP("errors", "Part of the vault is damaged: {what}. "
                      "Run the vault check for details."),
    QT_TRANSLATE_NOOP("errors", "The stored file {name} is damaged "
                      "(it fails its authentication check)."),
    QT_TRANSLATE_NOOP("errors", "The stored file {name} is missing from the vault."),
    QT_TRANSLATE_NOOP("errors", "The disk is full. Nothing was lost; "
                      "free some space and try again."),
    QT_TRANSLATE_NOOP("errors", "The vault is already open in another window of the app. "
                      "Close that one first."),
    QT_TRANSLATE_NOOP("errors", "The user name {username} is already taken on this station."),
    QT_TRANSLATE_NOOP("errors", "The station needs at least one active admin; "
                      "this change would leave none."),
    QT_TRANSLATE_NOOP("errors", "There is no account named {username} on this station."),
    QT_TRANSLATE_NOOP("errors", "A user name needs 2 to 40 letters, digits, dots, "
                      "dashes or underscores."),
    QT_TRANSLATE_NOOP("errors", "Auto-lock must be between 1 and 120 minutes."),
    QT_TRANSLATE_NOOP("errors", "The retention period must be between 0 and 3650 days, or off."),
    QT_TRANSLATE_NOOP("errors", "Sent to the command and removed from this laptop after the "
                      "station's retention period; the record and its fingerprint are kept."),
    # capture/visits.py
    QT_TRANSLATE_NOOP("errors", "The visit could not be changed."),
    QT_TRANSLATE_NOOP("errors", "This visit no longer exists on this station."),
    # capture/testimony.py, capture/audio.py, capture/recorder.py
    QT_TRANSLATE_NOOP("errors", "This testimony is no longer in the vault."),
    QT_TRANSLATE_NOOP("errors", "This file is not a recording the app can read ({name})."),
    QT_TRANSLATE_NOOP("errors", "The recording {name} holds no sound (0 seconds); it was not "
                      "imported. Check that it is the right file."),
    QT_TRANSLATE_NOOP("errors", "The recording could not continue. "
                      "What was recorded until now is kept."),
    QT_TRANSLATE_NOOP("errors", "No microphone was found. "
                      "Plug one in and choose it in the list."),
    QT_TRANSLATE_NOOP("errors", "The microphone could not be opened ({reason}). "
                      "Choose another one and try again."),
    QT_TRANSLATE_NOOP("errors", "This visit was already submitted ({status}); it can only be "
                      "changed once it is returned to you."),
    QT_TRANSLATE_NOOP("errors", "Write the date as a year (1968), a month and year (03/1968) "
                      "or a full date."),
    QT_TRANSLATE_NOOP("errors", "The GPS position is outside the valid range "
                      "(latitude ±90, longitude ±180)."),
    QT_TRANSLATE_NOOP("errors", "The year of birth {year} is not plausible."),
    QT_TRANSLATE_NOOP("errors", "Only an empty visit can be deleted; "
                      "this one already holds records."),
    QT_TRANSLATE_NOOP("errors", "The martyr's full name is needed "
                      "(write what the family knows)."),
    QT_TRANSLATE_NOOP("errors", "The person's name is needed."),
    QT_TRANSLATE_NOOP("errors", "Remove the item's pages first."),
    QT_TRANSLATE_NOOP("errors", "The new order must list every page of the item once."),
    QT_TRANSLATE_NOOP("errors", "A page must point at a file stored in the vault."),
    QT_TRANSLATE_NOOP("errors", "The cover must be one of the item's own pages."),
    # capture/importer.py
    QT_TRANSLATE_NOOP("errors", "The file {name} could not be imported."),
    QT_TRANSLATE_NOOP("errors", "The file {name} is empty (0 bytes): there is nothing to import."),
    QT_TRANSLATE_NOOP("errors", "The file {name} is not a photo or video this app can read."),
    QT_TRANSLATE_NOOP("errors", "The photo {name} is damaged or incomplete. Copy it again from "
                      "the camera or phone and import the copy."),
    QT_TRANSLATE_NOOP("errors", "The file {name} claims to be {width}×{height} pixels, far "
                      "larger than any camera photo; it was skipped to keep the laptop "
                      "responsive."),
    QT_TRANSLATE_NOOP("errors", "The video {name} is damaged or incomplete. Copy it again from "
                      "the camera or phone and import the copy."),
    QT_TRANSLATE_NOOP("errors", "The file {name} could not be read. Check that it is a file "
                      "and you may open it."),
    QT_TRANSLATE_NOOP("errors", "The file {name} disappeared before it was imported. Was the "
                      "card or phone unplugged? Plug it in again and repeat the import."),
    QT_TRANSLATE_NOOP("errors", "The camera details (EXIF) in {name} are damaged; the photo "
                      "was imported without them."),
    # capture/media.py
    QT_TRANSLATE_NOOP("errors", "There is no picture to show for this page."),
    # capture/consent.py, capture/review.py
    QT_TRANSLATE_NOOP("errors", "The consent could not be recorded."),
    QT_TRANSLATE_NOOP("errors", "Keeping the material and using it to search for martyrs is "
                      "the one required part of the consent; without it, nothing "
                      "can be kept."),
    QT_TRANSLATE_NOOP("errors", "The consent needs the family's signature drawn on screen, or"
                      " a recorded verbal consent."),
    QT_TRANSLATE_NOOP("errors", "Write the name of the family member who gives the consent."),
    QT_TRANSLATE_NOOP("errors", "The embargo date must be a real date in the future, or left "
                      "empty."),
    QT_TRANSLATE_NOOP("errors", "This consent record does not exist on this station."),
    QT_TRANSLATE_NOOP("errors", "The visit has no photos, videos or recordings yet: there is "
                      "nothing to consent to."),
    QT_TRANSLATE_NOOP("errors", "The family withdrew everything this visit holds. A new "
                      "signature does not take it back in; only new photos or recordings can "
                      "be consented to."),
    QT_TRANSLATE_NOOP("errors", "The review step could not be done."),
    QT_TRANSLATE_NOOP("errors", "{count} photos, videos or recordings are not covered by the "
                      "family's consent. Take the consent (or an amendment) before "
                      "submitting."),
    QT_TRANSLATE_NOOP("errors", "A consent record of this visit fails its signature check; it"
                      " cannot be approved."),
    QT_TRANSLATE_NOOP("errors", "This visit is {status}; that step is not possible now."),
    QT_TRANSLATE_NOOP("errors", "Say what needs fixing when you return a visit."),
    # capture/outbox.py, sync/batch.py, sync/outbox.py (errors that are both sync and core)
    QT_TRANSLATE_NOOP("errors", "This station is not enrolled with the command yet. The station "
                      "admin enrols it with the command's address and a one-time code."),
    QT_TRANSLATE_NOOP("errors", "There is no such batch in this station's outbox."),
    QT_TRANSLATE_NOOP("errors", "Nothing is waiting to be sent: no approved visit has material "
                      "that is not in a batch yet, and no withdrawal notice is waiting."),
    QT_TRANSLATE_NOOP("errors", "Building the batch was cancelled; nothing was kept."),
    QT_TRANSLATE_NOOP("errors", "Sending to the command did not work."),
    QT_TRANSLATE_NOOP("errors", "The address {url} is not a web address; it starts with http:// "
                      "or https://."),
    QT_TRANSLATE_NOOP("errors", "The command server at {url} cannot be reached. Check the "
                      "network and the address, then try again; nothing was lost."),
    QT_TRANSLATE_NOOP("errors", "The address {url} did not answer like the command's server. "
                      "Check the address."),
    QT_TRANSLATE_NOOP("errors", "The address {url} starts with http://, which anyone on the "
                      "network can read and change. Use the https:// address the command gave "
                      "you."),
    QT_TRANSLATE_NOOP("errors", "The server at {url} shows another security certificate than "
                      "the command's. It may not be the command's server: nothing was sent. "
                      "Check the network and ask the command."),
    QT_TRANSLATE_NOOP("errors", "Too many failed enrolment attempts from this network. Wait "
                      "{minutes} minutes, check the code, and try again."),
    QT_TRANSLATE_NOOP("errors", "The command refused the enrolment ({code}). Ask the command "
                      "for help; nothing was saved."),
    QT_TRANSLATE_NOOP("errors", "The command does not know this enrolment code. Check it, or "
                      "ask the command for a new one."),
    QT_TRANSLATE_NOOP("errors", "This enrolment code was already used. Ask the command for a "
                      "new one."),
    QT_TRANSLATE_NOOP("errors", "This enrolment code has expired. Ask the command for a new "
                      "one."),
    QT_TRANSLATE_NOOP("errors", "The command already has this station enrolled. Ask the "
                      "command to check its list of stations."),
    QT_TRANSLATE_NOOP("errors", "The file of this batch is missing from the station's outbox, "
                      "so it was set aside. Build a new batch: what it carried goes into the "
                      "new one."),
    QT_TRANSLATE_NOOP("errors", "This batch was already delivered to the command."),
    QT_TRANSLATE_NOOP("errors", "The command rejected this batch ({reason}). It stays on the "
                      "station; build a new batch and tell the command."),
    QT_TRANSLATE_NOOP("errors", "The command server refused the upload ({detail}). The batch "
                      "stays in the outbox; try again later or use a USB drive."),
    QT_TRANSLATE_NOOP("errors", "The command has disabled this station, so it takes nothing "
                      "from it. The batch stays in the outbox; ask the command."),
    QT_TRANSLATE_NOOP("errors", "The command does not know this station (any more). The batch "
                      "stays in the outbox; ask the station admin to enrol the station again."),
    QT_TRANSLATE_NOOP("errors", "The command refused the upload because this laptop's clock is "
                      "wrong. Set the date and time, then try again; nothing was lost."),
    QT_TRANSLATE_NOOP("errors", "The upload was stopped. What was sent is kept; it continues "
                      "from there next time."),
    QT_TRANSLATE_NOOP("errors", "This receipt is not signed by the command this station is "
                      "enrolled with; nothing was marked delivered."),
    QT_TRANSLATE_NOOP("errors", "This receipt does not match a batch in this station's outbox; "
                      "nothing was marked delivered."),
    QT_TRANSLATE_NOOP("errors", "The drive or folder {destination} cannot be written to. Plug "
                      "the drive in, or choose another folder, and try again; the batch stays "
                      "in the outbox."),
    QT_TRANSLATE_NOOP("errors", "The drive {destination} has no room for this batch ({size} "
                      "needed). Free some space or use another drive; the batch stays in the "
                      "outbox."),
    QT_TRANSLATE_NOOP("errors", "Writing to {destination} failed; was the drive pulled out? The "
                      "batch stays in the outbox; plug the drive in and try again."),
    QT_TRANSLATE_NOOP("errors", "The copy on {destination} does not read back the same as the "
                      "batch; the drive may be failing. Try another drive; the batch stays in "
                      "the outbox."),
    QT_TRANSLATE_NOOP("errors", "The drive {destination} cannot hold a file this large ({size}): "
                      "FAT32 drives take at most 4 GB a file. Use an exFAT or NTFS drive, or "
                      "build again with a smaller size cap; the batch stays in the outbox."),
    # capture/kpis.py
    QT_TRANSLATE_NOOP("errors", "The report period {text} is not understood: write 2026-11, "
                      "2026-W48, 2026-Q4, 2026-H2, 2026 or campaign, or give a start and an end "
                      "date."),
    QT_TRANSLATE_NOOP("errors", "The cut-off {text} is not understood: write a date (2026-11-24) "
                      "or a date and time."),
    # capture/practice.py
    QT_TRANSLATE_NOOP("errors", "The practice station could not be prepared."),
    QT_TRANSLATE_NOOP("errors", "This is the practice station: nothing in it can be enrolled, "
                      "sent or exported. Sign in to the real station to do that."),
    QT_TRANSLATE_NOOP("errors", "The folder {path} holds a vault that is not a practice vault; "
                      "it was left untouched."),
)

# sync/ errors that are not core errors (no ``message`` of their own): one sentence per class
# name, the first match along the class's ancestry wins.
SYNC_MESSAGES = {
    "BadEnrolLink": QT_TRANSLATE_NOOP(
        "errors", "This is not an enrolment link from the command. Type the server's address "
        "and the code instead, as the command wrote them."),
    "KeysMismatch": QT_TRANSLATE_NOOP(
        "errors", "The server answered with other keys than the fingerprint from the command: "
        "it may not be the command's server. The code was not sent and nothing was saved; "
        "check the fingerprint and the network, and ask the command."),
    "BadFingerprint": QT_TRANSLATE_NOOP(
        "errors", "The fingerprint of the command's keys is 32 letters and digits (8 groups of "
        "4), as on the sheet the command printed with the code. Check it and type it again."),
    "BadRecipient": QT_TRANSLATE_NOOP(
        "errors", "The command's encryption key kept at enrolment is not valid. Ask the "
        "station admin to enrol the station again."),
    "BadReceipt": QT_TRANSLATE_NOOP(
        "errors", "This receipt is not signed by the command this station is enrolled with; "
        "nothing was marked delivered."),
    "SyncError": QT_TRANSLATE_NOOP(
        "errors", "Sending to the command did not work. Nothing was lost; try again, and tell "
        "the station admin if it happens again."),
}

ACTIONS = (
    QT_TRANSLATE_NOOP("actions", "create, change or disable accounts"),
    QT_TRANSLATE_NOOP("actions", "set another user's passphrase"),
    QT_TRANSLATE_NOOP("actions", "change the station's name or place"),
    QT_TRANSLATE_NOOP("actions", "make a new recovery key"),
    QT_TRANSLATE_NOOP("actions", "enrol the station with the command"),
    QT_TRANSLATE_NOOP("actions", "read the audit log"),
    QT_TRANSLATE_NOOP("actions", "export the audit log"),
    QT_TRANSLATE_NOOP("actions", "run the vault check"),
    QT_TRANSLATE_NOOP("actions", "record visits, photos and testimony"),
    QT_TRANSLATE_NOOP("actions", "approve or return visits"),
    QT_TRANSLATE_NOOP("actions", "build batches for the command"),
    QT_TRANSLATE_NOOP("actions", "send batches or write them to USB"),
    QT_TRANSLATE_NOOP("actions", "see the station's reports"),
    QT_TRANSLATE_NOOP("actions", "store files in the vault"),
    QT_TRANSLATE_NOOP("actions", "record a family's withdrawal of consent"),
)

# A visit's status inside a sentence ("This visit is {status}; ..."), in the user's language.
STATUS_WORDS = {
    "draft": QT_TRANSLATE_NOOP("visit status", "a draft"),
    "submitted": QT_TRANSLATE_NOOP("visit status", "submitted for review"),
    "approved": QT_TRANSLATE_NOOP("visit status", "approved"),
    "returned": QT_TRANSLATE_NOOP("visit status", "returned for changes"),
}

GENERIC = QT_TRANSLATE_NOOP("errors", "Something unexpected went wrong. Nothing was deleted; "
                            "try again, and tell the station admin if it happens again.")
DISK_FULL = QT_TRANSLATE_NOOP("errors", "The disk is full. Nothing was lost; "
                              "free some space and try again.")


def _tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def _translated_details(details: dict[str, object]) -> dict[str, object]:
    out = dict(details)
    if "role" in out:
        try:
            out["role"] = viewmodels.role_label(str(out["role"]))
        except ValueError:
            pass
    if str(out.get("status")) in STATUS_WORDS:
        out["status"] = _tr("visit status", STATUS_WORDS[str(out["status"])])
    if "action" in out:
        try:
            out["action"] = _tr("actions", Action(str(out["action"])).value)
        except ValueError:
            pass
    return out


def user_message(error: BaseException) -> str:
    """One translated sentence saying what happened and what to do."""
    if isinstance(error, CaptureError):
        template = type(error).message
        details = getattr(error, "details", {}) or {}
        try:
            default_text = template.format(**details)
        except (KeyError, IndexError, ValueError):
            default_text = template
        if str(error) != default_text:
            # Raised with its own sentence (e.g. the auto-lock range): translate that sentence.
            template = str(error)
        translated = _tr("errors", template)
        try:
            return translated.format(**_translated_details(details))
        except (KeyError, IndexError, ValueError):
            return translated
    if isinstance(error, SyncError):
        for cls in type(error).__mro__:
            if cls.__name__ in SYNC_MESSAGES:
                return _tr("errors", SYNC_MESSAGES[cls.__name__])
    if isinstance(error, OSError) and getattr(error, "errno", None) == 28:  # ENOSPC
        return _tr("errors", DISK_FULL)
    log.error("unexpected error shown to the user as the generic sentence", exc_info=error)
    return _tr("errors", GENERIC)
