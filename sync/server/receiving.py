"""From a complete upload to its outcome, exactly once: ingest it, record the outcome, and only
then remove the uploaded file; resume what a stop cut short; try again what failed through
no fault of the batch (a full disk, the database gone) every minute and at start.

An upload's states: receiving → ingesting → done (the receipt) | rejected (the batch's fault;
its reason code) | waiting (the command's fault; the bytes are kept and the ingest is retried).
``uploads.result`` holds the receipt JSON when done, else {"reason", "detail", "retryable"}.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from sync.server.ingest import Rejected, Retryable, ingest, no_checkpoint, sweep_staging
from sync.server.keys import CommandKeys
from sync.server.store import Store, uploads

log = logging.getLogger("sohoa.server.receiving")

RETRY_EVERY = 60.0  # seconds between tries of the uploads waiting for the command


class Receiving:
    """Ingests the complete uploads of ``incoming`` (``<id>.part``) into ``archive``."""

    def __init__(self, store: Store, keys: CommandKeys, incoming: Path, archive: Path, *,
                 retry_every: float = RETRY_EVERY,
                 checkpoint: Callable[[str], None] = no_checkpoint,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store, self.keys = store, keys
        self.incoming, self.archive = incoming, archive
        self.retry_every = retry_every
        self.checkpoint = checkpoint
        self.now = now
        self._busy: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def part(self, upload_id: str) -> Path:
        return self.incoming / f"{upload_id}.part"

    def _discard(self, upload_id: str) -> None:
        """The upload's files, once its outcome is recorded: its bytes and its manifest."""
        for suffix in (".part", ".blocks"):
            (self.incoming / f"{upload_id}{suffix}").unlink(missing_ok=True)

    def start(self) -> None:
        """Sweep what crashed ingests left, then resume and retry in the background: at once,
        and every ``retry_every`` seconds."""
        sweep_staging(self.archive)
        self._thread = threading.Thread(target=self._run, name="sohoa-receiving", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.resume()
            except Exception:  # the database is gone for now: try again at the next round
                log.exception("resuming the ingests failed")
            self._stop.wait(self.retry_every)

    def resume(self) -> None:
        """Every upload a stop cut short (ingesting) or the command's fault held (waiting),
        each on its own: one that fails does not stop the others."""
        with self.store.engine.connect() as conn:
            pending = [r.id for r in conn.execute(
                select(uploads.c.id).where(uploads.c.state.in_(("ingesting", "waiting")))
                .order_by(uploads.c.created_at))]
        for upload_id in pending:
            if self._stop.is_set():
                return
            self.finish(upload_id)
        self._remove_settled_parts()

    def finish(self, upload_id: str) -> None:
        """Ingest one complete upload and settle it. Never raises: what goes wrong is logged,
        and the upload stays for the next try."""
        with self._lock:
            if upload_id in self._busy:
                return  # the retry and the last PATCH at once: one of them does it
            self._busy.add(upload_id)
        try:
            self._finish(upload_id)
        except Exception:
            log.exception("ingesting upload %s failed; it is tried again later", upload_id)
        finally:
            with self._lock:
                self._busy.discard(upload_id)

    def _finish(self, upload_id: str) -> None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(uploads).where(uploads.c.id == upload_id)).first()
        if row is None or row.state not in ("ingesting", "waiting"):
            return
        known = self.store.batch_of_upload(upload_id)
        if known is not None:  # recorded by an older server that stopped before settling
            self._settle(upload_id, "done", known["batch_id"], known["receipt"])
            self._discard(upload_id)
            return
        if not self.part(upload_id).exists():
            self._settle(upload_id, "rejected", None, _problem(
                "no_such_upload", "the command lost the uploaded file; send the batch again",
                retryable=False))
            self._discard(upload_id)
            return
        try:
            outcome = ingest(self.part(upload_id), self.store, self.keys, self.archive,
                             self.now, station_id=row.station_id, upload_id=upload_id,
                             checkpoint=self.checkpoint)
        except Rejected as rejection:
            self._settle(upload_id, "rejected", None,
                         _problem(rejection.reason, rejection.detail, retryable=False))
        except Retryable as fault:
            log.warning("upload %s waits for the command: %s", upload_id, fault)
            self._settle(upload_id, "waiting", None,
                         _problem(fault.reason, fault.detail, retryable=True))
            return  # the bytes stay for the next try
        except Exception as error:
            log.exception("ingesting upload %s failed", upload_id)
            self._settle(upload_id, "waiting", None, _problem(
                "server_error", f"the command could not ingest it: {type(error).__name__}",
                retryable=True))
            return
        else:
            if outcome.replayed:  # a new batch was settled in ingest's own transaction
                self._settle(upload_id, "done", outcome.receipt.batch_id,
                             outcome.receipt.to_json())
        self.checkpoint("recorded")
        self._discard(upload_id)

    def _settle(self, upload_id: str, state: str, batch_id: str | None, result: str) -> None:
        with self.store.begin() as conn:
            conn.execute(update(uploads).where(uploads.c.id == upload_id)
                         .values(state=state, batch_id=batch_id, result=result))

    def _remove_settled_parts(self) -> None:
        """A stop between the record and the removal leaves a settled upload's file: gone now."""
        if not self.incoming.is_dir():
            return
        names = {p.name.split(".", 1)[0] for p in self.incoming.iterdir()
                 if p.suffix in (".part", ".blocks")}
        if not names:
            return
        with self.store.engine.connect() as conn:
            settled = [r.id for r in conn.execute(select(uploads.c.id).where(
                uploads.c.id.in_(sorted(names)), uploads.c.state.in_(("done", "rejected"))))]
        for upload_id in settled:
            self._discard(upload_id)


def _problem(reason: str, detail: str, *, retryable: bool) -> str:
    return json.dumps({"reason": reason, "detail": detail, "retryable": retryable},
                      ensure_ascii=False)


def lock_down(data: Path) -> None:
    """The command's data folder private to its user: folders 0700, files 0600 (the archive
    is plaintext of families' memories; the keys and the database are secrets). Links are
    left as they are, not followed."""
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder, subfolders, files in os.walk(data):
        _chmod(Path(folder), 0o700)
        for name in files:
            _chmod(Path(folder) / name, 0o600)
        subfolders[:] = [s for s in subfolders if not (Path(folder) / s).is_symlink()]


def _chmod(path: Path, mode: int) -> None:
    try:
        info = path.lstat()
        if not stat.S_ISLNK(info.st_mode) and stat.S_IMODE(info.st_mode) != mode:
            os.chmod(path, mode)
    except OSError as error:
        if error.errno not in (errno.ENOENT, errno.EPERM):
            raise
