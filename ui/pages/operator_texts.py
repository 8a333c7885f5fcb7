"""What the operator's page says and shows, apart from its widgets: the overview read on the
worker, sizes and times, the state of a batch and the notices of an upload that waits. The
texts keep the page's translation context ("OperatorPage")."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication

from capture.vault import UnlockedVault
from sync import outbox
from sync import upload as upload_client
from ui.widgets.common import size_text

translate = QCoreApplication.translate  # in the page's context: "OperatorPage"


@dataclass
class Overview:
    enrolment: outbox.Enrolment | None
    plan: Any  # outbox.Plan, or None for a role that may not build batches
    batches: list[Any] = field(default_factory=list)  # outbox.OutgoingBatch, newest first


def load_overview(vault: UnlockedVault, can_send: bool) -> Overview:
    enrolment = outbox.enrolment(vault)
    if not can_send:
        return Overview(enrolment, None, [])
    # Receipts an upload kept while the vault was locked are recorded now, at the unlock.
    outbox.record_kept_receipts(vault)
    return Overview(enrolment, outbox.preview(vault), outbox.status(vault))


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


class UploadRun:
    """One upload started from this screen: its batch and the events the core watches."""

    def __init__(self, batch_id: str) -> None:
        self.batch_id = batch_id
        self.pause = threading.Event()
        self.cancel = upload_client.Stop()  # its set() closes the connection at once
        self.progress: upload_client.Progress | None = None
        self.waiting_for_network = False
        self.wait_reason = ""  # why it waits: "network", or the command's code
        self.attempts = 0


def state_text(batch: Any, run: UploadRun | None) -> str:
    if run is not None and run.batch_id == batch.id:
        if run.pause.is_set():
            return translate("OperatorPage", "Paused")
        if run.waiting_for_network and run.wait_reason in ("", upload_client.NETWORK):
            return translate("OperatorPage", "Waiting for the network")
        if run.waiting_for_network:
            return translate("OperatorPage", "Waiting — see the note below")
        return translate("OperatorPage", "Sending…")
    if batch.state == "uploading":
        # Was sending when the app closed or the upload stopped: the core kept its place.
        return translate("OperatorPage", "Paused — press Resume")
    if batch.state == "delivered":
        return translate("OperatorPage", "Delivered ✓")
    if batch.state == "refused":
        return translate("OperatorPage", "Refused by the command")
    if batch.exported_at is not None:
        return translate("OperatorPage", "Written to USB — waiting for the receipt")
    return translate("OperatorPage", "Ready to send")


def state_sentence(batch: Any, run: UploadRun | None) -> str:
    if batch.state == "delivered":
        return translate("OperatorPage", "Delivered on {when}: the command's signed receipt "
                         "was checked and kept.").format(when=local_time(batch.delivered_at))
    if batch.state == "refused":
        return translate("OperatorPage", "The command refused this batch: {reason}").format(
            reason=batch.refusal_reason or "—")
    running_here = run is not None and run.batch_id == batch.id
    if batch.exported_at is not None and batch.state == "built" and not running_here:
        return translate("OperatorPage", "Written to a USB drive on {when}. Take it to the "
                         "command and load the receipt they give you; or upload it, whichever "
                         "comes first.").format(when=local_time(batch.exported_at))
    return state_text(batch, run)


def retry_text(reason: str, seconds: float, attempt: int) -> str:
    """The amber notice: nothing failed for good, and why the app waits."""
    wait = max(1, round(seconds))
    if reason == upload_client.NETWORK:
        return translate(
            "OperatorPage",
            "The connection to the command was lost. Nothing is lost: the app tries again "
            "by itself (in {seconds} s, attempt {attempt}) and continues from where it "
            "stopped.").format(seconds=wait, attempt=attempt)
    if reason == upload_client.UNSIGNED:
        return translate(
            "OperatorPage",
            "An answer did not come from the command (it is not signed by the command's "
            "key): something on the network may be in between. Nothing is lost: the app "
            "tries again in {seconds} s (attempt {attempt}).").format(
            seconds=wait, attempt=attempt)
    if reason == upload_client.CERTIFICATE:
        return translate(
            "OperatorPage",
            "The server's security certificate is not the one kept at enrolment, so "
            "nothing was sent. The app tries again in {seconds} s (attempt {attempt}); if "
            "this lasts, tell the command.").format(seconds=wait, attempt=attempt)
    explained = {
        "rate_limited": translate("OperatorPage", "the command is receiving too many requests"),
        "busy": translate("OperatorPage", "the command is busy"),
        "quota_exceeded": translate("OperatorPage",
                                    "this station's space at the command is full for now"),
        "no_space": translate("OperatorPage", "the command's disk is full for now"),
        "server_error": translate("OperatorPage", "the command could not file the batch yet; "
                                  "it keeps the upload and tries again itself"),
    }.get(reason, reason)
    return translate(
        "OperatorPage",
        "The command asks to wait: {why} ({code}). Nothing is lost: the app tries again "
        "in {seconds} s (attempt {attempt}).").format(why=explained, code=reason,
                                                      seconds=wait, attempt=attempt)


def sent_text(sent: int, total: int) -> str:
    return translate("OperatorPage", "{sent} of {total} sent ({percent}%)").format(
        sent=size_text(sent), total=size_text(total),
        percent=int(100 * sent / total) if total else 0)


def figures_text(progress: Any, paused: bool) -> str:
    sent = sent_text(progress.sent, progress.total)
    if paused:
        return sent + " · " + translate("OperatorPage", "paused")
    speed = progress.bytes_per_s
    if speed <= 0:
        return sent
    left = (progress.total - progress.sent) / speed
    return " · ".join((sent, translate("OperatorPage", "{speed}/s").format(
        speed=size_text(int(speed))), time_left_text(left)))


def time_left_text(seconds: float) -> str:
    if seconds < 60:
        return translate("OperatorPage", "less than a minute left")
    minutes = int(seconds // 60 + 1)
    if minutes < 60:
        return translate("OperatorPage", "about {minutes} min left").format(minutes=minutes)
    return translate("OperatorPage", "about {hours} h {minutes} min left").format(
        hours=minutes // 60, minutes=minutes % 60)
