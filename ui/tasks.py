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

import gc
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from enum import Enum
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot

log = logging.getLogger(__name__)


class Pool(Enum):
    GENERAL = "general"
    DATABASE = "database"


# Plain Python executors, not QThreadPool + QRunnable: a QRunnable subclass with auto-delete
# is freed by Qt while Python may still hold (and later garbage-collect) its wrapper, which
# crashed the app under load. Results still reach the GUI thread by a queued Qt signal.
_executors: dict[Pool, ThreadPoolExecutor] = {}
_guard = threading.Lock()
_pending: set[Future[Any]] = set()
_running: set[Task] = set()  # a task stays referenced until its callbacks have run
_synchronous = False


def executor(kind: Pool) -> ThreadPoolExecutor:
    with _guard:
        if kind not in _executors:
            # The database pool has one worker: one writer at a time, in the order asked.
            _executors[kind] = ThreadPoolExecutor(
                max_workers=1 if kind is Pool.DATABASE else 2,
                thread_name_prefix=f"sohoa-{kind.value}")
        return _executors[kind]


def run_synchronously(enabled: bool) -> None:
    """Test hook: run tasks on the calling thread, callbacks included, before ``run`` returns."""
    global _synchronous
    _synchronous = enabled


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Block until every task's work is done (used at exit so a write is never cut off)."""
    with _guard:
        pending = list(_pending)
    _done, not_done = wait_futures(pending, timeout=timeout_ms / 1000)
    return not not_done


class Task(QObject):
    """Work for a worker thread with callbacks on the GUI thread."""

    _succeeded = Signal(object)
    _failed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QObject, fn: Callable[..., Any], *args: Any, **kwargs: Any
                 ) -> None:
        # No Qt parent: a widget deleted while its task runs would delete the task's C++
        # object under the worker that is about to emit on it (a crash seen in the review
        # tests). The task lives, on the GUI thread, until its callbacks ran; they are
        # skipped if the widget it was for is gone.
        super().__init__(None)
        self._owner = parent
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
        _running.add(self)
        future = executor(kind).submit(self._work)
        with _guard:
            _pending.add(future)
        future.add_done_callback(_forget)
        return self

    def _work(self) -> None:
        """On the worker thread: run, then hand the outcome to the GUI thread."""
        try:
            result = self._fn(*self._args, **self._kwargs)
        except Exception as error:
            self._emit(self._failed, error)
        else:
            self._emit(self._succeeded, result)

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            pass  # the task's parent widget was deleted meanwhile: nobody is waiting

    def _owner_alive(self) -> bool:
        return self._owner is None or shiboken6.isValid(self._owner)

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        try:
            if self._on_success is not None and self._owner_alive():
                self._on_success(result)
        finally:
            self._done()

    @Slot(object)
    def _deliver_failure(self, error: object) -> None:
        try:
            if self._on_failure is not None and self._owner_alive():
                self._on_failure(error)  # type: ignore[arg-type]
            else:
                log.error("background task failed", exc_info=error)  # type: ignore[arg-type]
        finally:
            self._done()

    def _done(self) -> None:
        self.finished.emit()
        self._owner = None
        # Dropping the last reference here, on the GUI thread, deletes the C++ object here.
        _running.discard(self)


def _forget(future: Future[Any]) -> None:
    with _guard:
        _pending.discard(future)


class GarbageCollector(QObject):
    """Python's cyclic garbage collector, run only on the GUI thread and only while no task is
    at work. Left automatic, it runs in whichever thread happens to allocate, and finalizers of
    Qt wrappers and database cursors then run beside a worker using the same objects; that
    crashed the app (SIGSEGV in "Garbage-collecting", a worker mid-write). The recipe is
    pyqtgraph's and Summerfield's: gc.disable(), then collect from a timer on the GUI thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(interval_ms)

    @Slot()
    def collect(self) -> None:
        with _guard:
            busy = bool(_pending)
        if busy:
            return
        # The generation counts decide how deep to go, as automatic collection would.
        threshold = gc.get_threshold()
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > threshold[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
