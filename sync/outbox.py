"""The station's side of sync: enrol with the command, build batches into the vault's outbox,
send them (upload or USB stick) and mark them delivered on the command's verified receipt.

    enrol(vault, url, code)  ->  preview(vault) / build(vault)  ->  upload(vault, id)
                                                                 or export_usb + accept_receipt
    status(vault): every batch part, newest first

No Qt here: the operator screen and ``sohoa sync`` both call these. The records live in the vault
(``capture/outbox.py``); the batch files in ``<vault>/outbox/``, already encrypted to the command,
so nothing in plaintext ever leaves the vault. Every error is a ``SyncError`` that is also a
``CaptureError`` with a sentence ``ui.errors.user_message`` translates.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import ipaddress
import os
import shutil
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from capture import outbox, practice, station
from capture.errors import CaptureError, DiskFull, ObjectDamaged, VaultLocked
from capture.outbox import BatchState, Enrolment, OutgoingBatch
from capture.roles import Action
from capture.vault import UnlockedVault
from sync import batch, enrol_link, minisign, receipt
from sync import upload as tus
from sync.batch import DEFAULT_SIZE_CAP, BuildCancelled, NothingToSend
from sync.errors import SyncError

__all__ = ["DEFAULT_SIZE_CAP", "BuildCancelled", "Enrolment", "NothingToSend",
           "OutgoingBatch", "Plan", "PlannedVisit", "accept_receipt", "build",
           "delivered_visits", "enrol", "enrolment", "export_usb", "preview", "status", "upload"]

ENROL_TIMEOUT = 30.0
PROGRESS_SAVE_SECONDS = 2.0  # how often an upload's progress is written to the vault
COPY_CHUNK = 1024 * 1024
SIGNATURE_ROOM = 64 * 1024  # a .minisig is ~300 bytes; a cluster or two on any drive


class OutboxError(SyncError, CaptureError):
    message = "Sending to the command did not work."


class BadServerAddress(OutboxError):
    message = "The address {url} is not a web address; it starts with http:// or https://."


class ServerUnreachable(OutboxError):
    message = ("The command server at {url} cannot be reached. Check the network and the "
               "address, then try again; nothing was lost.")


class NotACommandServer(OutboxError):
    message = "The address {url} did not answer like the command's server. Check the address."


class InsecureAddress(OutboxError):
    message = ("The address {url} starts with http://, which anyone on the network can read "
               "and change. Use the https:// address the command gave you.")


class CertificateMismatch(OutboxError):
    message = ("The server at {url} shows another security certificate than the command's. "
               "It may not be the command's server: nothing was sent. Check the network and "
               "ask the command.")


class EnrolmentRateLimited(OutboxError):
    message = ("Too many failed enrolment attempts from this network. Wait {minutes} "
               "minutes, check the code, and try again.")


class EnrolmentRefused(OutboxError):
    message = ("The command refused the enrolment ({code}). Ask the command for help; "
               "nothing was saved.")


class CodeUnknown(OutboxError):
    message = ("The command does not know this enrolment code. Check it, or ask the command "
               "for a new one.")


class CodeUsed(OutboxError):
    message = "This enrolment code was already used. Ask the command for a new one."


class CodeExpired(OutboxError):
    message = "This enrolment code has expired. Ask the command for a new one."


class AlreadyEnrolled(OutboxError):
    message = ("The command already has this station enrolled. Ask the command to check its "
               "list of stations.")


class BatchFileMissing(OutboxError):
    message = ("The file of this batch is missing from the station's outbox, so it was set "
               "aside. Build a new batch: what it carried goes into the new one.")


class BatchAlreadyDelivered(OutboxError):
    message = "This batch was already delivered to the command."


class BatchRefused(OutboxError):
    message = ("The command rejected this batch ({reason}). It stays on the station; build a "
               "new batch and tell the command.")


class UploadRefused(OutboxError):
    message = ("The command server refused the upload ({detail}). The batch stays in the "
               "outbox; try again later or use a USB drive.")


class StationDisabled(OutboxError):
    message = ("The command has disabled this station, so it takes nothing from it. The batch "
               "stays in the outbox; ask the command.")


class StationUnknown(OutboxError):
    message = ("The command does not know this station (any more). The batch stays in the "
               "outbox; ask the station admin to enrol the station again.")


class ClockWrong(OutboxError):
    message = ("The command refused the upload because this laptop's clock is wrong. Set the "
               "date and time, then try again; nothing was lost.")


class UploadStopped(OutboxError):
    message = ("The upload was stopped. What was sent is kept; it continues from there next "
               "time.")


class ReceiptInvalid(OutboxError):
    message = ("This receipt is not signed by the command this station is enrolled with; "
               "nothing was marked delivered.")


class ReceiptMismatch(OutboxError):
    message = ("This receipt does not match a batch in this station's outbox; nothing was "
               "marked delivered.")


class DestinationUnavailable(OutboxError):
    message = ("The drive or folder {destination} cannot be written to. Plug the drive in, or "
               "choose another folder, and try again; the batch stays in the outbox.")


class DestinationFull(OutboxError):
    message = ("The drive {destination} has no room for this batch ({size} needed). Free some "
               "space or use another drive; the batch stays in the outbox.")


class FileTooLargeForDrive(OutboxError):
    message = ("The drive {destination} cannot hold a file this large ({size}): FAT32 drives "
               "take at most 4 GB a file. Use an exFAT or NTFS drive, or build again with a "
               "smaller size cap; the batch stays in the outbox.")


class CopyFailed(OutboxError):
    message = ("Writing to {destination} failed; was the drive pulled out? The batch stays in "
               "the outbox; plug the drive in and try again.")


class CopyMismatch(OutboxError):
    message = ("The copy on {destination} does not read back the same as the batch; the drive "
               "may be failing. Try another drive; the batch stays in the outbox.")


@dataclass(frozen=True)
class PlannedVisit:
    visit_id: str
    title: str
    files: int
    bytes: int


@dataclass(frozen=True)
class Plan:
    visits: list[PlannedVisit]
    withdrawal_notices: int
    total_bytes: int  # the media that would travel
    parts: int  # how many batch files the size cap splits it into (0: nothing to send)
    estimated_size: int = 0  # an upper bound of the batch files' total size


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:.1f} MB"


# --- enrolment -----------------------------------------------------------------------------------


def enrolment(vault: UnlockedVault) -> Enrolment | None:
    return outbox.enrolment(vault)


def server_address(text: str) -> str:
    """The command's address as the station will use it: no scheme means https://; http:// is
    refused unless it stays on this machine (loopback), where nobody can listen in."""
    url = text.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url  # "10.0.0.5:8470" as the command wrote it on the paper
    parts = urlsplit(url)
    try:
        host, _ = parts.hostname, parts.port
    except ValueError:
        raise BadServerAddress(url=text.strip()) from None
    if parts.scheme not in ("http", "https") or not host:
        raise BadServerAddress(url=text.strip())
    if parts.scheme == "http" and not is_loopback(host):
        raise InsecureAddress(url=url)
    return url


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _server_certificate(url: str) -> str:
    """The PEM of the certificate the server at ``url`` presents (checked against nothing yet:
    the caller pins it, or compares it with the enrolment link's ``tls=``)."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    try:
        return ssl.get_server_certificate((parts.hostname, parts.port or 443),
                                          timeout=ENROL_TIMEOUT)
    except (OSError, ssl.SSLError, ValueError):
        raise ServerUnreachable(url=url) from None


def _command_keys(answer: httpx.Response) -> tuple[str, bytes]:
    """The recipient and receipt key in an answer of the command; ValueError if it has none."""
    found = answer.json()
    recipient = str(found["recipient"]).strip()
    receipt_key = bytes.fromhex(found["receipt_key"])
    batch.parse_recipient(recipient)
    if len(receipt_key) != 32:
        raise ValueError("receipt key")
    return recipient, receipt_key


def enrol(vault: UnlockedVault, server_url: str, code: str, keys: str, *,
          tls: str | None = None) -> Enrolment:
    """Register this station's public keys with the command using a one-time code, and keep
    what the command answers: where to send, the age recipient to encrypt to, the key its
    receipts are signed with and (over https) its TLS certificate.

    ``keys`` is the fingerprint of the command's keys, from the enrolment link or typed from
    the printed sheet; it is required, because the network can answer in the command's place.
    The keys are fetched first (``GET /api/enrol/keys``) and compared with it before the code
    is sent, so a relay that swaps them learns nothing and spends nothing; the enrolment's
    answer is checked again. ``tls`` (the link's ``tls=``, SHA-256 of the certificate) pins the
    certificate from the start; without it the certificate seen now is trusted and kept (the
    keys fingerprint is the real defence). Needs the station admin's role."""
    practice.refuse(vault)
    vault.require(Action.ENROL_STATION)
    expected = enrol_link.parse_fingerprint(keys)
    url = server_address(server_url)
    certificate = None
    if url.startswith("https://"):
        certificate = _server_certificate(url)
        if tls is not None and not hmac.compare_digest(
                tus.certificate_sha256(certificate), tls.strip().lower()):
            raise CertificateMismatch(url=url)
    info = station.info(vault)
    body = {"code": code.strip().upper(), "keys": expected, "station": {
        "id": info.id, "name": info.name, "province_code": info.province_code,
        "ward_code": info.ward_code, "signing_key": info.signing_public_key.hex(),
        "identity_key": info.identity_public_key.hex()}}
    try:
        with tus.client(ENROL_TIMEOUT, certificate) as http:
            try:
                offered = http.get(url + "/api/enrol/keys")
                recipient, receipt_key = _command_keys(offered)
                seen = offered.json().get("tls_certificate_sha256")
            except (ValueError, KeyError, TypeError, AttributeError, batch.BadRecipient):
                raise NotACommandServer(url=url) from None
            answered = enrol_link.fingerprint(recipient, receipt_key)
            if not hmac.compare_digest(answered, expected):
                raise enrol_link.KeysMismatch(expected=expected, answered=answered)
            if certificate is not None and seen and not hmac.compare_digest(
                    str(seen).lower(), tus.certificate_sha256(certificate)):
                raise CertificateMismatch(url=url)  # someone else's TLS in front of it
            answer = http.post(url + "/api/enrol", json=body)
    except httpx.InvalidURL:
        raise BadServerAddress(url=url) from None
    except httpx.HTTPError:
        raise ServerUnreachable(url=url) from None
    if answer.status_code != 200:
        raise _enrol_refusal(receipt_key, answer, url)
    try:
        again = _command_keys(answer)
    except (ValueError, KeyError, TypeError, AttributeError, batch.BadRecipient):
        raise NotACommandServer(url=url) from None
    if again != (recipient, receipt_key):
        raise enrol_link.KeysMismatch(expected=expected,
                                      answered=enrol_link.fingerprint(*again))
    enrolled = Enrolment(url, info.id, recipient, receipt_key, vault.clock(), certificate)
    outbox.record_enrolment(vault, enrolled)
    return enrolled


def _enrol_refusal(receipt_key: bytes, answer: httpx.Response, url: str) -> OutboxError:
    """The command's signed refusal, by its code (contract §A); an unsigned one is not the
    command's word, whatever it says."""
    refusal = tus.verified_refusal(receipt_key, answer)
    if refusal is None:
        return NotACommandServer(url=url)
    chosen = {"code_unknown": CodeUnknown, "code_used": CodeUsed, "code_expired": CodeExpired,
              "already_enrolled": AlreadyEnrolled}.get(refusal.code)
    if chosen is not None:
        return chosen()
    if refusal.code == "rate_limited":
        return EnrolmentRateLimited(minutes=max(1, round((refusal.retry_after or 60) / 60)))
    return EnrolmentRefused(code=refusal.code)


# --- building ------------------------------------------------------------------------------------


def _plan(vault: UnlockedVault, size_cap: int, rehash: bool
          ) -> tuple[outbox.Pending, list[batch.BagPlan], int]:
    waiting = outbox.pending(vault, rehash=rehash)
    if not waiting.visits and not waiting.notices:
        return waiting, [], 0
    audit_bytes = batch.audit_size(vault)
    return waiting, batch.pack(waiting.visits, waiting.notices, size_cap, audit_bytes), audit_bytes


def preview(vault: UnlockedVault, size_cap: int = DEFAULT_SIZE_CAP) -> Plan:
    """What a batch built now would hold; reads only, writes nothing."""
    waiting, plans, events = _plan(vault, size_cap, rehash=False)
    visits = [PlannedVisit(v.visit_id, v.title, len(v.captures), v.bytes)
              for v in waiting.visits]
    return Plan(visits, len(waiting.notices), sum(v.bytes for v in visits), len(plans),
                sum(batch.estimate(p, events) for p in plans))


def build(vault: UnlockedVault, size_cap: int = DEFAULT_SIZE_CAP,
          cancel: threading.Event | None = None,
          progress: Callable[[int, int], None] | None = None) -> list[OutgoingBatch]:
    """Write what is waiting as encrypted batch files (parts of at most ``size_cap`` bytes) in
    the outbox folder and record them, all parts or none. ``progress(done, total)`` counts the
    media bytes packed; ``cancel`` stops it and leaves nothing behind."""
    practice.refuse(vault)
    vault.require(Action.BUILD_BATCH)
    enrolled = outbox.require_enrolment(vault)
    batch.parse_recipient(enrolled.command_recipient)
    outbox.forget_unrecorded(vault)
    try:
        # Each file is checked against its consented digest as it is packed: one read.
        made = _write_parts(vault, enrolled, size_cap, cancel, progress, rehash=False)
    except (batch.ChangedSinceConsent, ObjectDamaged):
        # Rare: re-hash everything first, so what no longer matches its consent stays behind
        # (consent.batchable), then pack again.
        made = _write_parts(vault, enrolled, size_cap, cancel, progress, rehash=True)
    return [outbox.get(vault, m.id) for m in made]


def _write_parts(vault: UnlockedVault, enrolled: Enrolment, size_cap: int,
                 cancel: threading.Event | None,
                 progress: Callable[[int, int], None] | None,
                 rehash: bool) -> list[outbox.NewBatch]:
    _, plans, audit_bytes = _plan(vault, size_cap, rehash=rehash)
    if not plans:
        raise NothingToSend()
    place = outbox.folder(vault)
    place.mkdir(mode=0o700, exist_ok=True)
    if shutil.disk_usage(place).free < sum(batch.estimate(p, audit_bytes) for p in plans):
        raise DiskFull()
    counter = batch.Progress(sum(p.media_bytes for p in plans), progress, cancel)
    group_id = str(uuid.uuid4())
    day = vault.clock().strftime("%Y%m%d")
    made: list[outbox.NewBatch] = []
    try:
        for number, plan in enumerate(plans, start=1):
            batch_id = str(uuid.uuid4())
            name = f"sohoa-{day}-{number}of{len(plans)}-{batch_id}.age"
            summary = batch.write_bag(vault, place / name, enrolled.command_recipient, plan,
                                      batch_id=batch_id, group_id=group_id, part=number,
                                      parts=len(plans), progress=counter)
            made.append(outbox.NewBatch(
                batch_id, group_id, number, len(plans), name, summary.size, summary.sha256,
                summary.tagmanifest_sha256, enrolled.command_recipient, summary.files,
                summary.payload_bytes, plan.visits, [n.id for n in plan.notices]))
        outbox.record_built(vault, made)
    except BaseException:
        for done in made:
            (place / done.file_name).unlink(missing_ok=True)
        raise
    return made


# --- the outbox ----------------------------------------------------------------------------------


def status(vault: UnlockedVault) -> list[OutgoingBatch]:
    """Every batch part, newest build first."""
    vault.require(Action.VIEW_REPORTS)
    return outbox.batches(vault)


def delivered_visits(vault: UnlockedVault) -> set[str]:
    return outbox.delivered_visits(vault)


def _sendable(vault: UnlockedVault, batch_id: str) -> OutgoingBatch:
    vault.require(Action.SEND_BATCH)
    found = outbox.get(vault, batch_id)
    if found.state == BatchState.DELIVERED.value:
        raise BatchAlreadyDelivered()
    if found.state == BatchState.REFUSED.value:
        raise BatchRefused(reason=found.refusal_reason or "")
    if not found.path.is_file():
        outbox.mark_refused(vault, batch_id, "the batch file is missing from the station")
        raise BatchFileMissing()
    return found


def _deliver(vault: UnlockedVault, sent: OutgoingBatch, enrolled: Enrolment,
             signed: receipt.Receipt) -> OutgoingBatch:
    """Mark a part delivered on a receipt whose signature is already verified, once it names
    this part exactly: its id, this station, and the tag manifest we signed."""
    body = signed.body
    if (body.get("batch_id") != sent.id or body.get("station") != enrolled.station_id
            or body.get("tagmanifest_sha256") != sent.tagmanifest_sha256):
        raise ReceiptMismatch()
    outbox.mark_delivered(vault, sent.id, signed.to_json(),
                          [str(n) for n in body.get("withdrawal_notices", [])])
    # Delivered: the command holds it, and the station keeps no second encrypted copy.
    for leftover in (sent.path, _side(sent.path, outbox.UPLOAD_STATE),
                     _side(sent.path, outbox.KEPT_RECEIPT)):
        leftover.unlink(missing_ok=True)
    return outbox.get(vault, sent.id)


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _keep_receipt(path: Path, signed: receipt.Receipt) -> None:
    """Write a verified receipt beside its batch file (it names the batch, the station and
    counts, nothing personal), to be recorded if the vault cannot take it now."""
    kept = _side(path, outbox.KEPT_RECEIPT)
    temp = kept.with_name(kept.name + ".tmp")
    with open(temp, "w", encoding="utf-8") as writer:
        writer.write(signed.to_json())
        writer.flush()
        os.fsync(writer.fileno())
    os.replace(temp, kept)


def record_kept_receipts(vault: UnlockedVault) -> list[OutgoingBatch]:
    """Record the receipts an upload kept beside their batch files because the vault was
    locked when they came (``upload`` keeps one first, always); each is verified again with
    the enrolled key. Called when the operator screen loads and by ``sohoa sync``."""
    vault.require(Action.SEND_BATCH)
    enrolled = outbox.enrolment(vault)
    place = outbox.folder(vault)
    if enrolled is None or not place.is_dir():
        return []
    done = []
    for kept in sorted(place.glob("*" + outbox.KEPT_RECEIPT)):
        try:
            text = kept.read_text(encoding="utf-8")
            signed = receipt.verify(enrolled.receipt_public_key, text)
            found = outbox.get(vault, signed.batch_id)
        except (OSError, UnicodeDecodeError, receipt.BadReceipt, outbox.BatchNotFound):
            continue  # not ours or not a receipt: the outbox sweep removes what no part names
        if found.state != BatchState.DELIVERED.value:
            try:
                done.append(_deliver(vault, found, enrolled, signed))
            except ReceiptMismatch:
                continue
        else:
            kept.unlink(missing_ok=True)
    return done


def upload(vault: UnlockedVault, batch_id: str,
           progress: Callable[[tus.Progress], None] | None = None,
           pause: threading.Event | None = None, cancel: threading.Event | None = None,
           bandwidth_cap: int | None = None, *,
           retrying: Callable[[int, float, str], None] | None = None) -> OutgoingBatch | None:
    """Upload one part (resuming where any earlier attempt stopped, even in another process),
    wait for the command's receipt, verify it and mark the part delivered.

    A network failure, an answer the command did not sign and a refusal it marks retryable
    are retried with backoff until ``cancel`` (``retrying(attempt, seconds, reason)`` hears of
    each: ``reason`` is "network", "unsigned_answer", "certificate" or the command's refusal
    code); ``pause`` holds the upload between chunks; ``bandwidth_cap`` is in bytes per second.
    The part is marked refused only on the command's signed, final refusal of this batch.
    ``cancel`` closes the connection at once when it is a ``sync.upload.Stop`` (else within
    0.1 s).

    The vault may lock meanwhile (the idle lock): the upload holds only what it read at the
    start (the station's signing key among it), so it goes on; the verified receipt is kept
    beside the batch file and recorded at once if the vault is still open, else at the next
    unlock (``record_kept_receipts``), and then None is returned."""
    practice.refuse(vault)
    sent = _sendable(vault, batch_id)
    enrolled = outbox.require_enrolment(vault)
    outbox.mark_uploading(vault, batch_id)
    stop = cancel if cancel is not None else tus.Stop()
    saved = [time.monotonic()]
    confirmed = [sent.sent_bytes]  # the offset the server last confirmed

    def save_progress(sent_bytes: int) -> None:
        if not vault.is_locked:
            with contextlib.suppress(VaultLocked):  # locked meanwhile: HEAD knows the offset
                outbox.record_progress(vault, batch_id, sent_bytes)

    def report(step: tus.Progress) -> None:
        confirmed[0] = step.sent
        if time.monotonic() - saved[0] >= PROGRESS_SAVE_SECONDS:
            save_progress(step.sent)
            saved[0] = time.monotonic()
        if progress is not None:
            progress(step)

    client = tus.Uploader(enrolled.server_url, enrolled.station_id, station.signing_key(vault),
                          sent.path, enrolled.receipt_public_key, batch_id=sent.id,
                          tls_certificate=enrolled.tls_certificate, bandwidth=bandwidth_cap,
                          progress=report, retrying=retrying,
                          sleep=lambda seconds: stop.wait(seconds), cancelled=stop)
    if pause is not None:
        client.paused = pause
    try:
        signed = client.run()
    except tus.Cancelled:
        save_progress(confirmed[0])
        raise UploadStopped() from None
    except tus.BatchRejected as rejected:
        outbox.mark_refused(vault, batch_id, f"{rejected.code}: {rejected.detail}")
        raise BatchRefused(reason=rejected.code) from None
    except tus.UploadRefused as refusal:
        chosen = {"station_disabled": StationDisabled, "unknown_station": StationUnknown,
                  "stale_signature": ClockWrong}.get(refusal.code)
        raise (chosen() if chosen else UploadRefused(detail=refusal.code)) from None
    except receipt.BadReceipt:
        raise ReceiptInvalid() from None
    finally:
        client.close()
        del client  # the signing key goes with it
    _keep_receipt(sent.path, signed)
    if vault.is_locked:
        return None
    try:
        return _deliver(vault, sent, enrolled, signed)
    except VaultLocked:
        return None  # locked in between: the kept receipt is recorded at the next unlock


# --- USB -----------------------------------------------------------------------------------------


def export_usb(vault: UnlockedVault, batch_id: str, destination: Path) -> Path:
    """Copy a part to a USB drive (or any folder): written, flushed to the device, then read
    back and compared with the hash recorded at build time. Beside it, ``<file>.minisig``: the
    station key's minisign signature (pre-hashed, over the copy as read back), so the command
    checks who made the file with the key it enrolled before decrypting a byte of it. On any
    failure the partial copy and its signature are removed if they still can be, and the
    outbox is unchanged."""
    practice.refuse(vault)
    sent = _sendable(vault, batch_id)
    enrolled = outbox.require_enrolment(vault)
    key = station.signing_key(vault)
    destination = Path(destination)
    if not destination.is_dir() or not os.access(destination, os.W_OK):
        raise DestinationUnavailable(destination=str(destination))
    try:
        free = shutil.disk_usage(destination).free
    except OSError:
        raise DestinationUnavailable(destination=str(destination)) from None
    if free < sent.size + SIGNATURE_ROOM:
        raise DestinationFull(destination=str(destination), size=_megabytes(sent.size))
    target = destination / sent.path.name
    temp = target.with_name(target.name + ".part")
    signature = signature_path(target)
    try:
        _copy_durably(sent.path, temp)
        os.replace(temp, target)
        _fsync_folder(destination)
        copied, blake = _read_back(target)
        if copied == sent.sha256:
            comment = f"sohoa-batch station={enrolled.station_id} batch={sent.id}"
            _write_durably(signature, minisign.sign(key, blake, comment).encode())
            _fsync_folder(destination)
    except OSError as error:
        for leftover in (temp, target, signature):
            _remove_quietly(leftover)
        if error.errno == errno.EFBIG:
            raise FileTooLargeForDrive(destination=str(destination),
                                       size=_megabytes(sent.size)) from None
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DestinationFull(destination=str(destination),
                                  size=_megabytes(sent.size)) from None
        raise CopyFailed(destination=str(destination)) from None
    if copied != sent.sha256:
        _remove_quietly(target)
        raise CopyMismatch(destination=str(destination))
    outbox.mark_exported(vault, batch_id, str(target))
    return target


def signature_path(copy: Path) -> Path:
    """Where the detached signature of a batch copy is: ``<file>.minisig``."""
    return copy.with_name(copy.name + ".minisig")


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as writer:
        writer.write(data)
        writer.flush()
        os.fsync(writer.fileno())


def _copy_durably(source: Path, target: Path) -> None:
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while block := reader.read(COPY_CHUNK):
            writer.write(block)
        writer.flush()
        os.fsync(writer.fileno())


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _read_back(path: Path) -> tuple[str, bytes]:
    """The copy's SHA-256 (hex) and BLAKE2b-512 (raw, what the signature covers) as the drive
    gives it back: the page cache is dropped first (where the OS allows), so a stick that lost
    the data cannot hide behind memory."""
    digest = hashlib.sha256()
    blake = hashlib.blake2b(digest_size=64)
    with open(path, "rb") as reader:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(reader.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        while block := reader.read(COPY_CHUNK):
            digest.update(block)
            blake.update(block)
    return digest.hexdigest(), blake.digest()


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # the drive is gone: nothing left to tidy


def accept_receipt(vault: UnlockedVault, receipt_text: str) -> OutgoingBatch:
    """The receipt the command gives back for a batch that went on a USB stick
    (``sohoa-server ingest FILE --receipt OUT``): verified with the enrolled key, matched to its
    part, which is then marked delivered. Loading the same receipt twice is harmless."""
    vault.require(Action.SEND_BATCH)
    enrolled = outbox.require_enrolment(vault)
    try:
        signed = receipt.verify(enrolled.receipt_public_key, receipt_text)
    except receipt.BadReceipt:
        raise ReceiptInvalid() from None
    try:
        found = outbox.get(vault, signed.batch_id)
    except outbox.BatchNotFound:
        raise ReceiptMismatch() from None
    if found.state == BatchState.DELIVERED.value:
        return found
    return _deliver(vault, found, enrolled, signed)
