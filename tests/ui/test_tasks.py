"""Background work runs off the GUI thread and reports back on it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject

from ui import tasks


def test_task_runs_on_a_worker_and_calls_back_on_the_gui_thread(qapp, qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QObject()
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work(x: int) -> tuple[int, int]:
        return x * 2, threading.get_ident()

    def done(result: tuple[int, int]) -> None:
        seen["result"], seen["worker"] = result
        seen["callback"] = threading.get_ident()

    tasks.Task(parent, work, 21).success(done).run(tasks.Pool.DATABASE)
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42
    assert seen["worker"] != gui and seen["callback"] == gui


def test_failures_reach_the_failure_callback(qapp, qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QObject()
    errors: list[BaseException] = []

    def boom() -> None:
        raise ValueError("nope")

    tasks.Task(parent, boom).success(lambda _: errors.append(AssertionError())).failure(
        errors.append).run()
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ValueError)


def test_synchronous_mode_for_tests(qapp) -> None:  # type: ignore[no-untyped-def]
    parent = QObject()
    out: list[int] = []
    tasks.run_synchronously(True)
    try:
        tasks.Task(parent, lambda: 7).success(out.append).run()
    finally:
        tasks.run_synchronously(False)
    assert out == [7]
