"""同步 state for the whole window: :class:`SyncController` (runs the sync service on the
TaskRunner, one sync at a time, and a background sync on a timer) and
:class:`SyncStatusWidget` (在线/离线, 上次同步, 待上传 and 冲突 in the status bar).

Background syncs never open a dialog: a failure only changes what the status shows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from workstation.domain.errors import KnownError
from workstation.services.changes import Result
from workstation.services.sync import (
    ConflictView,
    LoginResult,
    ServerTask,
    SyncService,
    SyncStatus,
    SyncSummary,
    Take,
)
from workstation.ui.errors import ErrorReporter
from workstation.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

_AMBER = "#b45309"
_RED = "#b91c1c"
_GREEN = "#15803d"


class SyncController(QObject):
    """One place that knows whether a sync runs; pages and the status bar listen to it."""

    status_changed = Signal(object)  # SyncStatus
    status_failed = Signal(str)
    sync_started = Signal()
    sync_finished = Signal(object)  # SyncSummary
    sync_failed = Signal(str)
    tasks_loaded = Signal(object)  # tuple[ServerTask, ...]

    def __init__(
        self,
        service: SyncService,
        runner: TaskRunner,
        errors: ErrorReporter,
        interval_minutes: Callable[[], int],
        now: Callable[[], dt.datetime],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self._runner = runner
        self._errors = errors
        self._interval = interval_minutes
        self.now = now
        self._running = False
        self.last_status: SyncStatus | None = None
        self.last_summary: SyncSummary | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(False)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.timer.timeout.connect(self._on_timer_timeout)

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        """Read the state once and start the background timer."""
        self.timer.start(max(1, self._interval()) * 60_000)
        self.refresh()

    def stop(self) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        """Read the status and the pushed tasks again (after a change made elsewhere)."""
        self.refresh_status()
        self.refresh_tasks()

    def refresh_status(self) -> None:
        self._runner.run_io(self.service.status, self._on_status_done, self._on_status_failed, "同步状态")

    def refresh_tasks(self) -> None:
        self._runner.run_db(self.service.tasks, self._on_tasks_done, self._on_tasks_failed, "推送任务")

    def _on_status_done(self, result: Result[SyncStatus]) -> None:
        self.last_status = result.value
        self.status_changed.emit(result.value)

    def _on_status_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, KnownError):
            self._errors.report(exc)
            return
        self.status_failed.emit(exc.message)

    def _on_tasks_done(self, result: Result[tuple[ServerTask, ...]]) -> None:
        self.tasks_loaded.emit(result.value)

    def _on_tasks_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, KnownError):
            self._errors.report(exc)
            return
        log.warning("pushed tasks not read: %s", exc.code)

    # ------------------------------------------------------------ sync

    def sync_now(self) -> bool:
        """Start a sync unless one is running; False when none was started."""
        if self._running:
            return False
        self._running = True
        self.sync_started.emit()
        self._runner.run_io(self.service.run, self._on_sync_done, self._on_sync_failed, "同步")
        return True

    def _on_timer_timeout(self) -> None:
        self.timer.setInterval(max(1, self._interval()) * 60_000)
        status = self.last_status
        if status is None or not status.logged_in or self._running:
            return
        log.info("background sync")
        self.sync_now()

    def _on_sync_done(self, result: Result[SyncSummary]) -> None:
        self._running = False
        self.last_summary = result.value
        self.sync_finished.emit(result.value)
        self.refresh()

    def _on_sync_failed(self, exc: BaseException) -> None:
        self._running = False
        if not isinstance(exc, KnownError):
            self._errors.report(exc)
            self.sync_failed.emit("同步时发生程序错误，详见错误报告。")
        else:
            log.info("sync not run: %s", exc.code)
            self.sync_failed.emit(exc.user_text())
        self.refresh()

    # ------------------------------------------------------------ login, conflicts, quarantine

    def login(
        self,
        url: str,
        username: str,
        password: str,
        on_done: Callable[[Result[LoginResult]], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        def finished(result: Result[LoginResult]) -> None:
            on_done(result)
            self.refresh()

        self._runner.run_io(lambda: self.service.login(url, username, password), finished, on_error, "登录")

    def logout(self) -> None:
        self._runner.run_io(self.service.logout, lambda _r: self.refresh(), self._errors.report, "退出登录")

    def resolve(
        self,
        conflict: ConflictView,
        take: Take,
        text: str,
        on_done: Callable[[Result[ConflictView]], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        def finished(result: Result[ConflictView]) -> None:
            on_done(result)
            self.refresh_status()

        self._runner.run_db(
            lambda: self.service.resolve(conflict.id, take, text), finished, on_error, "处理冲突"
        )

    def retry(self, op_id: str | None) -> None:
        self._runner.run_db(
            lambda: self.service.retry(op_id), lambda _r: self.refresh_status(), self._errors.report, "重试"
        )


class SyncStatusWidget(QWidget):
    """在线/离线, 上次同步 14:05, 待上传 N and 冲突 N (amber/red when nonzero); a click opens 同步."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.network_label = QLabel("离线")
        self.sync_label = QLabel("同步：未配置省级平台，单机工作")
        self.pending_label = QLabel()
        self.conflicts_label = QLabel()
        for label in (self.network_label, self.sync_label, self.pending_label, self.conflicts_label):
            layout.addWidget(label)
        self.pending_label.hide()
        self.conflicts_label.hide()
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("打开“同步”页（Ctrl+9）")
        self.setAccessibleName("同步状态")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def show_running(self) -> None:
        self.sync_label.setText("同步：正在同步…")

    def show_problem(self, text: str) -> None:
        self.network_label.setText("离线")
        self.sync_label.setText("同步：状态不可用")
        self.sync_label.setToolTip(text)

    def show_status(self, status: SyncStatus, now: dt.datetime, running: bool = False) -> None:
        self.network_label.setText(status.network_text)
        self.network_label.setStyleSheet(f"color: {_GREEN};" if status.online else "")
        if running:
            text = "正在同步…"
        elif status.problem:
            text = "状态不可用"
        elif status.configured and not status.logged_in:
            text = f"未登录，{status.last_sync_text(now)}"
        elif status.last is not None and not status.last.ok and status.last_success_at is not None:
            text = f"{status.last_sync_text(now)}（最近一次未成功）"
        else:
            text = status.last_sync_text(now)
        self.sync_label.setText(f"同步：{text}")
        tip = status.problem or (status.last.summary if status.last else "")
        if status.last is not None and status.last.errors:
            tip = "\n".join((tip, *status.last.errors))
        self.sync_label.setToolTip(tip)
        # without a server the outbox only waits: shown, but not as a warning
        self._count(self.pending_label, "待上传", status.pending, _AMBER if status.configured else "")
        conflicts = len(status.conflicts)
        refused = len(status.quarantined)
        alarms = status.alarms
        text = f"冲突 {conflicts}" + (f"，被拒收 {refused}" if refused else "")
        if alarms:
            text += f"，锚定告警 {alarms}"
        self.conflicts_label.setText(text)
        self.conflicts_label.setToolTip(
            "全过程记录与服务器锚定的哈希不一致：请在“同步 → 需要核查”中查看，并报告法制审核人员"
            if alarms
            else ""
        )
        flagged = conflicts or refused or alarms
        self.conflicts_label.setStyleSheet(f"color: {_RED}; font-weight: bold;" if flagged else "")
        self.conflicts_label.setVisible(status.configured or bool(flagged))

    @staticmethod
    def _count(label: QLabel, caption: str, count: int, colour: str) -> None:
        label.setText(f"{caption} {count}")
        label.setStyleSheet(f"color: {colour}; font-weight: bold;" if count and colour else "")
        label.show()
