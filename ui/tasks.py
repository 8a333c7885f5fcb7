"""One way to run work off the GUI thread (after Anki's ``CollectionOp`` and Picard's ``run_task``).

    Task(parent, vault.change_passphrase, old, new).success(on_done).failure(on_error).run()

``fn(*args)`` runs on a worker thread; its result or exception comes back to the GUI thread by a
queued signal, where the callbacks run. Database work goes to ``Pool.DATABASE``, a single worker,
so writes are serialised; everything else (key derivation, imports, network) to ``Pool.GENERAL``.

A task is a child of ``parent``: it stays alive while it runs and is deleted afterwards. If the
parent is deleted first, the result is dropped (the widget it was for is gone).

Tests may call ``run_synchronously(True)`` to run every task at once on the calling thread (as
Picard's tests do); the UI tests here mostly keep real threads and wait with ``qtbot.waitUntil``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class Pool(Enum):
    GENERAL = "general"
    DATABASE = "database"


_pools: dict[Pool, QThreadPool] = {}
_pools_guard = threading.Lock()
_synchronous = False


def pool(kind: Pool) -> QThreadPool:
    with _pools_guard:
        if kind not in _pools:
            created = QThreadPool()
            created.setObjectName(f"sohoa-{kind.value}")
            # The database pool has one worker: one writer at a time, in the order asked.
            created.setMaxThreadCount(1 if kind is Pool.DATABASE else 2)
            _pools[kind] = created
        return _pools[kind]


def run_synchronously(enabled: bool) -> None:
    """Test hook: run tasks on the calling thread, callbacks included, before ``run`` returns."""
    global _synchronous
    _synchronous = enabled


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Block until every pool is idle (used at exit so a write is never cut off)."""
    return all(p.waitForDone(timeout_ms) for p in list(_pools.values()))


class _Job(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        task = self._task
        try:
            result = task._fn(*task._args, **task._kwargs)
        except Exception as error:
            self._emit(task._failed, error)
        else:
            self._emit(task._succeeded, result)

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            pass  # the task's parent widget was deleted meanwhile: nobody is waiting


class Task(QObject):
    """Work for a worker thread with callbacks on the GUI thread."""

    _succeeded = Signal(object)
    _failed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QObject, fn: Callable[..., Any], *args: Any, **kwargs: Any
                 ) -> None:
        super().__init__(parent)
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._on_success: Callable[[Any], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._succeeded.connect(self._deliver_success)
        self._failed.connect(self._deliver_failure)

    def success(self, callback: Callable[[Any], None]) -> Task:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Task:
        self._on_failure = callback
        return self

    def run(self, kind: Pool = Pool.GENERAL) -> Task:
        if _synchronous:
            try:
                result = self._fn(*self._args, **self._kwargs)
            except Exception as error:
                self._deliver_failure(error)
            else:
                self._deliver_success(result)
            return self
        pool(kind).start(_Job(self))
        return self

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        try:
            if self._on_success is not None:
                self._on_success(result)
        finally:
            self._done()

    @Slot(object)
    def _deliver_failure(self, error: object) -> None:
        try:
            if self._on_failure is not None:
                self._on_failure(error)  # type: ignore[arg-type]
            else:
                log.error("background task failed", exc_info=error)  # type: ignore[arg-type]
        finally:
            self._done()

    def _done(self) -> None:
        self.finished.emit()
        self.deleteLater()
