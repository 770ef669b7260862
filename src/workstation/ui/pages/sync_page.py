"""同步: the provincial platform, login, 立即同步, what waits, what was refused, conflicts, and
需要核查: what the background steps kept for a person (anchor alarms — the server's anchored
head of a case's 全过程记录 disagrees with this machine's —, 公示 the server refused, reference
items not taken), each with its reason.

Everything runs through the :class:`~workstation.ui.sync_status.SyncController` (one sync at
a time, on the TaskRunner); this page reads widgets, calls it and shows the results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from workstation.domain.errors import KnownError
from workstation.services.changes import Result
from workstation.services.sync import (
    ConflictView,
    LoginResult,
    NoticeView,
    QuarantineView,
    SyncStatus,
    SyncSummary,
    Take,
    short_time,
)
from workstation.ui.errors import ErrorReporter
from workstation.ui.forms.sync_page_ui import Ui_SyncPage
from workstation.ui.login_dialog import LoginDialog
from workstation.ui.models import RowsModel
from workstation.ui.sync_status import SyncController

_Index = QModelIndex | QPersistentModelIndex
_RED = "#b91c1c"
_GREEN = "#15803d"


class ConflictsModel(RowsModel[ConflictView]):
    HEADERS = ("案件", "字段", "本机的值", "服务器的值", "原值")

    def _values(self, row: ConflictView) -> tuple[str, ...]:
        return (row.case_title, row.field_label, row.local_text, row.remote_text, row.base_text)


class QuarantineModel(RowsModel[QuarantineView]):
    HEADERS = ("案件", "内容", "原因", "尝试次数")

    def _values(self, row: QuarantineView) -> tuple[str, ...]:
        return (row.case_id, row.what, row.reason, str(row.attempts))

    def _styled(self, row: QuarantineView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class NoticesModel(RowsModel[NoticeView]):
    """需要核查: anchor alarms first (in red), then refused 公示 and reference items."""

    HEADERS = ("类别", "对象", "原因", "时间")

    def __init__(self, now: Callable[[], dt.datetime] | None = None) -> None:
        super().__init__()
        self._now = now

    def _values(self, row: NoticeView) -> tuple[str, ...]:
        when = short_time(row.at, self._now()) if self._now is not None else row.at.isoformat()
        return (row.kind_label, row.subject, row.reason, when)

    def _styled(self, row: NoticeView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.alarm:
            return QBrush(QColor(_RED))
        return None


def _plain_table(view: QTableView) -> None:
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)


class SyncPage(QWidget):
    status_shown = Signal()
    conflict_resolved = Signal(str)

    def __init__(
        self, controller: SyncController, errors: ErrorReporter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_SyncPage()
        self.ui.setupUi(self)
        self._controller = controller
        self._errors = errors
        self.conflicts_model = ConflictsModel()
        self.quarantine_model = QuarantineModel()
        self.notices_model = NoticesModel(controller.now)
        self.ui.conflictsView.setModel(self.conflicts_model)
        self.ui.quarantineView.setModel(self.quarantine_model)
        self.ui.noticesView.setModel(self.notices_model)
        for view in (self.ui.conflictsView, self.ui.quarantineView, self.ui.noticesView):
            _plain_table(view)
        self.login_dialog: LoginDialog | None = None
        self._status: SyncStatus | None = None
        self._selected_id: str | None = None
        self.ui.syncProgress.hide()
        self._show_conflict(None)
        self._connect_signals()
        if controller.last_status is not None:
            self._on_controller_status_changed(controller.last_status)
        if controller.last_summary is not None:
            self._on_controller_sync_finished(controller.last_summary)
        if controller.running:
            self._on_controller_sync_started()

    def _connect_signals(self) -> None:
        c = self._controller
        c.status_changed.connect(self._on_controller_status_changed)
        c.status_failed.connect(self._on_controller_status_failed)
        c.sync_started.connect(self._on_controller_sync_started)
        c.sync_finished.connect(self._on_controller_sync_finished)
        c.sync_failed.connect(self._on_controller_sync_failed)
        self.ui.loginButton.clicked.connect(self._on_login_clicked)
        self.ui.logoutButton.clicked.connect(self._on_logout_clicked)
        self.ui.syncButton.clicked.connect(self._on_sync_clicked)
        self.ui.retryButton.clicked.connect(self._on_retry_clicked)
        self.ui.retryAllButton.clicked.connect(self._on_retry_all_clicked)
        self.ui.takeLocalButton.clicked.connect(self._on_take_local_clicked)
        self.ui.takeRemoteButton.clicked.connect(self._on_take_remote_clicked)
        self.ui.manualButton.clicked.connect(self._on_manual_clicked)
        self.ui.conflictsView.selectionModel().selectionChanged.connect(self._on_conflicts_selection_changed)
        self.ui.quarantineView.selectionModel().selectionChanged.connect(
            self._on_quarantine_selection_changed
        )
        self.ui.noticesView.selectionModel().selectionChanged.connect(self._on_notices_selection_changed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._controller.refresh_status()

    # ------------------------------------------------------------ status

    def _on_controller_status_changed(self, status: SyncStatus) -> None:
        self._status = status
        now = self._controller.now()
        ui = self.ui
        ui.serverValue.setText(status.server_url or "未设置（单机工作）")
        ui.loginValue.setText(status.problem or status.login_text)
        ui.networkValue.setText(status.network_text)
        ui.networkValue.setStyleSheet(f"color: {_GREEN};" if status.online else "")
        last = status.last_sync_text(now)
        if status.last is not None:
            outcome = "成功" if status.last.ok else "未完成"
            last += f"；最近一次 {short_time(status.last.at, now)} {outcome}"
        ui.lastSyncValue.setText(last)
        ui.pendingValue.setText(
            f"记录 {status.pending_records} 条（案件 {status.pending_cases} 件），"
            f"附件 {status.pending_attachments} 个"
        )
        ui.tasksValue.setText(f"{status.tasks} 个")
        ui.loginButton.setText("重新登录(&L)…" if status.logged_in else "登录(&L)…")
        ui.logoutButton.setEnabled(status.logged_in)
        self._update_sync_button()
        ui.tabs.setTabText(0, f"冲突待处理（{len(status.conflicts)}）")
        ui.tabs.setTabText(1, f"被拒收（隔离）（{len(status.quarantined)}）")
        selected = self._selected_id
        self.conflicts_model.set_rows(status.conflicts)
        self.quarantine_model.set_rows(status.quarantined)
        ui.retryAllButton.setEnabled(bool(status.quarantined))
        ui.retryButton.setEnabled(False)
        self._show_notices(status)
        self._reselect(selected)
        if not self._controller.running and self._controller.last_summary is None and status.last is not None:
            self._show_report(status.last.summary, status.last.errors, status.last.ok)
        self.status_shown.emit()

    def _on_controller_status_failed(self, text: str) -> None:
        self.ui.loginValue.setText(text)
        self.ui.networkValue.setText("离线")

    def _update_sync_button(self) -> None:
        logged_in = self._status is not None and self._status.logged_in
        self.ui.syncButton.setEnabled(logged_in and not self._controller.running)
        self.ui.syncButton.setToolTip("" if logged_in else "请先登录省级平台")

    def _reselect(self, selected: str | None) -> None:
        """Keep the conflict that was selected (if still open), else select the first."""
        rows = [self.conflicts_model.row_at(r) for r in range(self.conflicts_model.rowCount())]
        ids = [c.id for c in rows if c is not None]
        row = ids.index(selected) if selected in ids else (0 if ids else -1)
        if row >= 0:
            self._selected_id = selected
            self.ui.conflictsView.selectRow(row)
            self._show_conflict(self.conflicts_model.row_at(row))
        else:
            self._show_conflict(None)

    # ------------------------------------------------------------ sync

    def _on_sync_clicked(self) -> None:
        self._controller.sync_now()

    def _on_controller_sync_started(self) -> None:
        self.ui.syncProgress.show()
        self.ui.reportValue.setText("正在同步…（可以继续工作）")
        self.ui.reportValue.setStyleSheet("")
        self._update_sync_button()

    def _on_controller_sync_finished(self, summary: SyncSummary) -> None:
        self.ui.syncProgress.hide()
        self._update_sync_button()
        when = short_time(summary.at, self._controller.now())
        self._show_report(
            f"{when} {'同步完成' if summary.ok else '同步未完成'}：{summary.text}", summary.errors, summary.ok
        )

    def _on_controller_sync_failed(self, text: str) -> None:
        self.ui.syncProgress.hide()
        self._update_sync_button()
        self._show_report(text, (), False)

    def _show_report(self, text: str, errors: tuple[str, ...], ok: bool) -> None:
        lines = [text, *errors]
        self.ui.reportValue.setText("\n".join(line for line in lines if line))
        self.ui.reportValue.setStyleSheet("" if ok else f"color: {_RED};")

    # ------------------------------------------------------------ login

    def _on_login_clicked(self) -> None:
        self.open_login()

    def open_login(self) -> LoginDialog:
        url = self._status.server_url if self._status is not None else ""
        dialog = LoginDialog(url, parent=self)
        dialog.submitted.connect(self._on_login_submitted)
        self.login_dialog = dialog
        dialog.open()
        return dialog

    def _on_login_submitted(self, url: str, username: str, password: str) -> None:
        dialog = self.login_dialog
        if dialog is None:
            return

        def done(_result: Result[LoginResult]) -> None:
            dialog.succeeded()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, KnownError):
                dialog.show_error(exc.user_text())
            else:
                dialog.show_error("登录时发生程序错误，详见错误报告。")
                self._errors.report(exc)

        self._controller.login(url, username, password, done, failed)

    def _on_logout_clicked(self) -> None:
        self.ui.logoutButton.setEnabled(False)
        self._controller.logout()

    # ------------------------------------------------------------ conflicts

    def _on_conflicts_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.ui.conflictsView.selectionModel().selectedRows()
        self._show_conflict(self.conflicts_model.row_at(rows[0].row()) if rows else None)

    def selected_conflict(self) -> ConflictView | None:
        rows = self.ui.conflictsView.selectionModel().selectedRows()
        return self.conflicts_model.row_at(rows[0].row()) if rows else None

    def _show_conflict(self, conflict: ConflictView | None) -> None:
        ui = self.ui
        changed = conflict is None or conflict.id != self._selected_id
        self._selected_id = conflict.id if conflict is not None else None
        ui.fieldValue.setText(f"{conflict.case_title}\n{conflict.field_label}" if conflict else "—")
        ui.localText.setPlainText(conflict.local_text if conflict else "")
        ui.remoteText.setPlainText(conflict.remote_text if conflict else "")
        ui.baseText.setPlainText(conflict.base_text if conflict else "")
        if changed:
            ui.manualEdit.setText(conflict.local_edit if conflict else "")
        for widget in (ui.takeLocalButton, ui.takeRemoteButton, ui.manualButton, ui.manualEdit):
            widget.setEnabled(conflict is not None)
        ui.detailGroup.setTitle(f"选中的冲突：{conflict.field_label}" if conflict else "选中的冲突（无）")

    def _on_take_local_clicked(self) -> None:
        self._resolve("local")

    def _on_take_remote_clicked(self) -> None:
        self._resolve("remote")

    def _on_manual_clicked(self) -> None:
        self._resolve("manual")

    def _resolve(self, take: Take) -> None:
        conflict = self.selected_conflict()
        if conflict is None:
            return
        for widget in (self.ui.takeLocalButton, self.ui.takeRemoteButton, self.ui.manualButton):
            widget.setEnabled(False)
        chosen = {"local": "本机的值", "remote": "服务器的值", "manual": "手工填写的值"}[take]

        def done(result: Result[ConflictView]) -> None:
            self.ui.resolveMessage.setStyleSheet("")
            self.ui.resolveMessage.setText(
                f"“{result.value.field_label}”已采用{chosen}，已记入全过程记录，下次同步时上传。"
            )
            self.conflict_resolved.emit(result.value.id)

        def failed(exc: BaseException) -> None:
            self._show_conflict(self.selected_conflict())
            if isinstance(exc, KnownError):
                self.ui.resolveMessage.setStyleSheet(f"color: {_RED};")
                self.ui.resolveMessage.setText(exc.user_text())
            else:
                self._errors.report(exc)

        self._controller.resolve(conflict, take, self.ui.manualEdit.text(), done, failed)

    # ------------------------------------------------------------ 需要核查

    def _show_notices(self, status: SyncStatus) -> None:
        ui = self.ui
        alarms = status.alarms
        title = f"需要核查（{len(status.notices)}）"
        if alarms:
            title = f"需要核查（{len(status.notices)}，告警 {alarms}）"
        ui.tabs.setTabText(2, title)
        ui.tabs.tabBar().setTabTextColor(
            2, QColor(_RED) if alarms else ui.tabs.tabBar().palette().text().color()
        )
        self.notices_model.set_rows(status.notices)
        ui.noticeDetail.setStyleSheet(f"color: {_RED};" if alarms else "")
        if alarms:
            ui.noticeDetail.setText(
                f"有 {alarms} 个案件的全过程记录与服务器锚定的哈希不一致，可能被改动或分叉："
                "请立即报告管理员核查，不要删除或修改本机数据（《中华人民共和国行政处罚法》第四十七条）。"
            )
        elif status.notices:
            ui.noticeDetail.setText(
                "选中一行查看完整原因。参考数据须由省平台更正后重新下发，下次同步时自动重试。"
            )
        else:
            ui.noticeDetail.setText("暂无需要核查的问题。")

    def _on_notices_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.ui.noticesView.selectionModel().selectedRows()
        notice = self.notices_model.row_at(rows[0].row()) if rows else None
        if notice is not None:
            self.ui.noticeDetail.setStyleSheet(f"color: {_RED};" if notice.alarm else "")
            self.ui.noticeDetail.setText(f"{notice.kind_label}：{notice.subject}\n{notice.reason}")

    # ------------------------------------------------------------ quarantine

    def _on_quarantine_selection_changed(
        self, _selected: QItemSelection, _deselected: QItemSelection
    ) -> None:
        self.ui.retryButton.setEnabled(bool(self.ui.quarantineView.selectionModel().selectedRows()))

    def _on_retry_clicked(self) -> None:
        rows = self.ui.quarantineView.selectionModel().selectedRows()
        item = self.quarantine_model.row_at(rows[0].row()) if rows else None
        if item is not None:
            self.ui.retryButton.setEnabled(False)
            self._controller.retry(item.op_id)

    def _on_retry_all_clicked(self) -> None:
        self.ui.retryAllButton.setEnabled(False)
        self._controller.retry(None)
