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


def test_garbage_is_collected_on_the_gui_thread_only_between_tasks(qapp, qtbot) -> None:  # type: ignore[no-untyped-def]
    import gc
    import threading

    from ui import tasks

    collector = tasks.GarbageCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        release = threading.Event()
        task = tasks.Task(qapp, release.wait, 10)
        task.run()

        class Cycle:
            pass

        def make_garbage() -> None:
            for _ in range(gc.get_threshold()[0] + 50):
                a, b = Cycle(), Cycle()
                a.b, b.a = b, a

        make_garbage()
        before = gc.get_count()[0]
        qtbot.wait(100)  # several ticks while the task is at work: nothing collected
        assert gc.get_count()[0] >= before
        release.set()
        qtbot.waitUntil(lambda: gc.get_count()[0] < before, timeout=5000)
    finally:
        collector.stop()
    assert gc.isenabled()
