from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from workstation.domain.errors import DatabaseLocked
from workstation.logs import LogSetup
from workstation.ui.errors import CrashDialog, ErrorReporter
from workstation.ui.tasks import TaskRunner


class RecordingRunner(TaskRunner):
    """A TaskRunner whose unhandled errors are collected instead of shown."""

    def __init__(self) -> None:
        self.unhandled: list[BaseException] = []
        super().__init__(self.unhandled.append)


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[RecordingRunner]:
    task_runner = RecordingRunner()
    yield task_runner
    task_runner.shutdown()


def test_results_arrive_on_the_gui_thread(runner: TaskRunner, qtbot: QtBot) -> None:
    gui_thread = threading.get_ident()
    seen: dict[str, int] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(value: int) -> None:
        seen["callback"] = threading.get_ident()
        seen["value"] = value

    runner.run_io(work, done)
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == 42
    assert seen["worker"] != gui_thread
    assert seen["callback"] == gui_thread


def test_database_tasks_run_one_at_a_time_in_order(runner: TaskRunner, qtbot: QtBot) -> None:
    active = 0
    overlap = False
    order: list[int] = []
    lock = threading.Lock()

    def task(n: int) -> int:
        nonlocal active, overlap
        with lock:
            active += 1
            overlap = overlap or active > 1
        time.sleep(0.01)
        with lock:
            active -= 1
        return n

    for n in range(8):
        runner.run_db(functools.partial(task, n), order.append)
    qtbot.waitUntil(lambda: len(order) == 8)
    assert order == list(range(8))
    assert not overlap
    assert not runner.busy


def test_errors_go_to_on_error_or_to_the_reporter(runner: RecordingRunner, qtbot: QtBot) -> None:
    caught: list[BaseException] = []

    def boom() -> None:
        raise DatabaseLocked()

    runner.run_db(boom, on_error=caught.append)
    runner.run_db(boom)
    unhandled = runner.unhandled
    qtbot.waitUntil(lambda: len(caught) == 1 and len(unhandled) == 1)
    assert isinstance(caught[0], DatabaseLocked)
    assert isinstance(unhandled[0], DatabaseLocked)


def test_a_bug_opens_the_crash_dialog_with_traceback_and_log_tail(qapp: QApplication, logs: LogSetup) -> None:
    import logging

    logging.getLogger("workstation.test").info("step before the failure")
    reporter = ErrorReporter(logs.tail.text, lambda: None)
    try:
        raise ZeroDivisionError("division by zero in a use case")
    except ZeroDivisionError as exc:
        reporter.report(exc)
    dialog = reporter.last_dialog
    assert isinstance(dialog, CrashDialog)
    details = dialog.details()
    assert "ZeroDivisionError: division by zero in a use case" in details
    assert "step before the failure" in details
    dialog.ui.copyButton.click()
    assert QApplication.clipboard().text() == details
    dialog.close()


def test_a_known_error_is_a_plain_message_not_a_crash(qapp: QApplication, logs: LogSetup) -> None:
    reporter = ErrorReporter(logs.tail.text, lambda: None)
    reporter.report(DatabaseLocked())
    box = reporter.last_dialog
    assert isinstance(box, QMessageBox)
    assert box.text() == "数据库正被其他程序占用，暂时无法写入。"
    box.close()


def test_a_qt_warning_fails_a_test_unless_listed(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        qt_api = pyside6
        qt_log_level_fail = WARNING
        qt_log_ignore =
            tolerated because listed
        """
    )
    pytester.makepyfile(
        """
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import qWarning

        def test_unlisted(qapp):
            qWarning("something went wrong in Qt")

        def test_listed(qapp):
            qWarning("tolerated because listed")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_unlisted*", "*something went wrong in Qt*"])
