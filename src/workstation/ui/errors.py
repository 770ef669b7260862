"""Showing errors: known ones as a plain Chinese message, bugs in the crash dialog."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from workstation.domain.errors import KnownError

log = logging.getLogger(__name__)


class CrashDialog(QDialog):
    """A bug: the traceback and the log tail, with a copy button."""

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        from workstation.ui.forms.crash_dialog_ui import Ui_CrashDialog  # only when a bug shows

        super().__init__(parent)
        self.ui = Ui_CrashDialog()
        self.ui.setupUi(self)
        self.ui.detailsEdit.setPlainText(details)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.ui.copyButton.clicked.connect(self._on_copy_clicked)
        self.ui.closeButton.clicked.connect(self.accept)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.ui.detailsEdit.toPlainText())

    def details(self) -> str:
        return str(self.ui.detailsEdit.toPlainText())


class ErrorReporter:
    """Routes every error that reaches the UI to the right dialog.

    Dialogs open window-modal without a nested event loop, so a background
    error never blocks the window or other work.
    """

    def __init__(self, log_tail: Callable[[], str], parent: Callable[[], QWidget | None]) -> None:
        self._log_tail = log_tail
        self._parent = parent
        self.last_dialog: QDialog | None = None

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook

    def report(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            self.show_known(exc)
        else:
            self.show_bug(exc)

    def show_known(self, exc: KnownError) -> None:
        log.warning("user-facing error: %s (%s)", exc.code, exc.message)
        box = QMessageBox(self._parent())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("无法完成操作")
        box.setText(exc.message)
        box.setInformativeText(exc.advice)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.last_dialog = box
        box.open()

    def show_bug(self, exc: BaseException) -> None:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error("unexpected error:\n%s", text)
        details = f"{text}\n---- 日志末尾 ----\n{self._log_tail()}"
        dialog = CrashDialog(details, self._parent())
        self.last_dialog = dialog
        dialog.open()

    def _excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report(exc)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        # Off the GUI thread only log: the TaskRunner delivers task errors to the GUI thread.
        name = args.thread.name if args.thread else "?"
        if args.exc_value is None:
            log.error("unhandled %s in thread %s", args.exc_type.__name__, name)
        else:
            log.error("unhandled error in thread %s", name, exc_info=args.exc_value)


def show_startup_error(exc: KnownError) -> None:
    """Before the main window exists: a blocking message box is right here."""
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("工作站无法启动")
    box.setText(exc.message)
    box.setInformativeText(exc.advice)
    box.exec()
