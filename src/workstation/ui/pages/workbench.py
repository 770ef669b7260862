"""工作台: the office at a glance (cases and tasks join it as they are built).

The 省平台推送任务 panel lists the tasks and clues the provincial platform pushed (pulled by
sync); app.py feeds it through :meth:`WorkbenchPage.set_server_tasks` after each sync. 转为案件
(or a double-click on a task) runs SyncService.accept_task on the TaskRunner with the officer at
this desk, then opens the case (:attr:`WorkbenchPage.case_activated`) and reloads the tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QWidget

from workstation.domain.entities import CaseBrief, OfficeSummary, StageCount
from workstation.domain.formatting import chinese_date
from workstation.domain.vocabulary import case_number_text
from workstation.services.changes import Result
from workstation.services.office import OfficeService
from workstation.services.sync import ServerTask, TaskAccepted
from workstation.ui.errors import ErrorReporter
from workstation.ui.forms.workbench_page_ui import Ui_WorkbenchPage
from workstation.ui.models import HeaderedTableModel, OfficersModel, RowsModel
from workstation.ui.sync_status import SyncController
from workstation.ui.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex
_OVERDUE = QColor("#b91c1c")
_SOON = QColor("#b45309")


def _due_text(case: CaseBrief, today: dt.date) -> str:
    left = case.days_left(today)
    if case.next_deadline is None or left is None:
        return "—"
    if left < 0:
        return f"{chinese_date(case.next_deadline)}（已超期{-left}日）"
    if left == 0:
        return f"{chinese_date(case.next_deadline)}（今日到期）"
    return f"{chinese_date(case.next_deadline)}（还有{left}日）"


class CaseBriefModel(HeaderedTableModel):
    """Open cases on the 工作台: 案号/案由, 当事人, 阶段 and the next deadline (overdue in red)."""

    HEADERS = ("案号", "案由", "当事人", "阶段", "承办人", "最近期限")

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[CaseBrief, ...] = ()
        self._today = dt.date.today()

    def set_cases(self, cases: tuple[CaseBrief, ...], today: dt.date) -> None:
        self.beginResetModel()
        self._rows = cases
        self._today = today
        self.endResetModel()

    def case_id(self, row: int) -> str | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        case = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                case_number_text(case.case_number, case.kind),
                case.title,
                case.party_names,
                case.stage_label or case.stage,
                case.lead_officer_name,
                _due_text(case, self._today),
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 5:
            left = case.days_left(self._today)
            if left is not None and left < 0:
                return QBrush(_OVERDUE)
            if left is not None and left <= 3:
                return QBrush(_SOON)
        return None


class StageCountModel(HeaderedTableModel):
    """各阶段案件数."""

    HEADERS = ("阶段", "案件数")

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[StageCount, ...] = ()

    def set_counts(self, counts: tuple[StageCount, ...]) -> None:
        self.beginResetModel()
        self._rows = counts
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        count = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = (count.label or count.stage, str(count.count))
            return values[index.column()] if 0 <= index.column() < len(values) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ServerTasksModel(RowsModel[ServerTask]):
    """省平台推送任务: tasks and clues from the provincial platform."""

    HEADERS = ("类别", "标题", "地点", "办理期限", "状态", "说明")

    def _values(self, row: ServerTask) -> tuple[str, ...]:
        return (
            row.kind_label,
            row.title,
            row.location or "—",
            row.deadline_text,
            row.status_label,
            row.description or "—",
        )

    def _styled(self, row: ServerTask, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and row.status == "open":
            return QBrush(_SOON)
        return None


def _plain_table(view: QTableView) -> None:
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)


class WorkbenchPage(QWidget):
    summary_loaded = Signal()
    #: A case was double-clicked in 我的待办 or 近期到期, or made from a pushed task (its id).
    case_activated = Signal(str)
    #: A pushed task was made into a case (TaskAccepted).
    task_accepted = Signal(object)

    def __init__(
        self,
        office: OfficeService,
        runner: TaskRunner,
        errors: ErrorReporter,
        parent: QWidget | None = None,
        current_officer: Callable[[], str | None] | None = None,
        sync: SyncController | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_WorkbenchPage()
        self.ui.setupUi(self)
        self._office = office
        self._runner = runner
        self._errors = errors
        self.officers_model = OfficersModel()
        self.ui.officersView.setModel(self.officers_model)
        self.ui.officersView.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.ui.officersView.verticalHeader().setVisible(False)
        self._current_officer = current_officer or (lambda: None)
        self._sync = sync
        self._accepting = False
        self.tasks_model = CaseBriefModel()
        self.due_model = CaseBriefModel()
        self.stages_model = StageCountModel()
        self.ui.tasksView.setModel(self.tasks_model)
        self.ui.dueView.setModel(self.due_model)
        self.ui.stagesView.setModel(self.stages_model)
        for view in (self.ui.tasksView, self.ui.dueView, self.ui.stagesView):
            _plain_table(view)
        self._build_server_tasks()
        self._loaded_once = False
        self._connect_signals()

    def _build_server_tasks(self) -> None:
        """The 省平台推送任务 panel, above the officers table."""
        self.server_tasks_heading = QLabel("省平台推送任务")
        self.server_tasks_heading.setProperty("role", "sectionHeading")
        self.server_tasks_model = ServerTasksModel()
        self.server_tasks_view = QTableView()
        self.server_tasks_view.setModel(self.server_tasks_model)
        self.server_tasks_view.setAlternatingRowColors(True)
        self.server_tasks_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.server_tasks_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.server_tasks_view.setAccessibleName("省平台推送任务列表")
        self.server_tasks_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.server_tasks_view.setMaximumHeight(150)
        self.server_tasks_view.setToolTip("双击任务转为案件（已受理的任务打开其案件）")
        _plain_table(self.server_tasks_view)
        self.accept_task_button = QPushButton("转为案件(&A)")
        self.accept_task_button.setEnabled(False)
        self.accept_task_button.setToolTip(
            "以当前用户为承办人，将选中的线索登记为普通程序案件（线索登记），"
            "附入所附材料并报送省平台（《中华人民共和国行政处罚法》第五十四条）"
        )
        self.server_tasks_notice = QLabel()
        self.server_tasks_notice.setWordWrap(True)
        self.server_tasks_notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.server_tasks_notice.hide()
        heading_row = QHBoxLayout()
        heading_row.addWidget(self.server_tasks_heading, 1)
        heading_row.addWidget(self.accept_task_button)
        at = self.ui.layout.indexOf(self.ui.officersHeading)
        self.ui.layout.insertLayout(at, heading_row)
        self.ui.layout.insertWidget(at + 1, self.server_tasks_view)
        self.ui.layout.insertWidget(at + 2, self.server_tasks_notice)

    def set_server_tasks(self, tasks: tuple[ServerTask, ...]) -> None:
        """Show the tasks and clues the last sync brought (the selected one stays selected)."""
        selected = self.selected_server_task()
        self.server_tasks_model.set_rows(tasks)
        ids = [t.id for t in tasks]
        if selected is not None and selected.id in ids:
            self.server_tasks_view.selectRow(ids.index(selected.id))
        self._update_accept_button()
        waiting = sum(1 for t in tasks if t.status == "open")
        self.server_tasks_heading.setText(
            f"省平台推送任务（{len(tasks)} 个，待处理 {waiting} 个）"
            if tasks
            else "省平台推送任务（暂无；登录省级平台并同步后显示）"
        )

    def _connect_signals(self) -> None:
        self.ui.refreshButton.clicked.connect(self._on_refresh_clicked)
        self.accept_task_button.clicked.connect(self._on_accept_task_clicked)
        self.server_tasks_view.activated.connect(self._on_server_tasks_view_activated)
        self.server_tasks_view.selectionModel().selectionChanged.connect(
            self._on_server_tasks_selection_changed
        )
        self.ui.tasksView.activated.connect(self._on_tasks_view_activated)
        self.ui.dueView.activated.connect(self._on_due_view_activated)

    def _on_tasks_view_activated(self, index: QModelIndex) -> None:
        case_id = self.tasks_model.case_id(index.row())
        if case_id:
            self.case_activated.emit(case_id)

    def _on_due_view_activated(self, index: QModelIndex) -> None:
        case_id = self.due_model.case_id(index.row())
        if case_id:
            self.case_activated.emit(case_id)

    # ------------------------------------------------------------ 转为案件

    def selected_server_task(self) -> ServerTask | None:
        rows = self.server_tasks_view.selectionModel().selectedRows()
        return self.server_tasks_model.row_at(rows[0].row()) if rows else None

    def _update_accept_button(self) -> None:
        task = self.selected_server_task()
        usable = self._sync is not None and not self._accepting and task is not None and task.can_accept
        self.accept_task_button.setEnabled(usable)
        opens = task is not None and task.case_id is not None
        self.accept_task_button.setText("打开案件(&A)" if opens else "转为案件(&A)")

    def _on_server_tasks_selection_changed(
        self, _selected: QItemSelection, _deselected: QItemSelection
    ) -> None:
        self._update_accept_button()

    def _on_server_tasks_view_activated(self, index: QModelIndex) -> None:
        self.server_tasks_view.selectRow(index.row())
        self.accept_selected_task()

    def _on_accept_task_clicked(self) -> None:
        self.accept_selected_task()

    def accept_selected_task(self) -> bool:
        """转为案件 for the selected task on the TaskRunner; False when nothing was started."""
        task = self.selected_server_task()
        sync = self._sync
        if sync is None or task is None or not task.can_accept or self._accepting:
            return False
        self._accepting = True
        self._update_accept_button()
        self.server_tasks_notice.setStyleSheet("")
        self.server_tasks_notice.setText(f"正在将“{task.title}”转为案件…")
        self.server_tasks_notice.show()
        officer_id = self._current_officer()
        service = sync.service
        self._runner.run_io(
            lambda: service.accept_task(task.id, officer_id),
            self._on_accept_done,
            self._on_accept_failed,
            "转为案件",
        )
        return True

    def _on_accept_done(self, result: Result[TaskAccepted]) -> None:
        self._accepting = False
        accepted = result.value
        self.server_tasks_notice.setText(accepted.text)
        self.server_tasks_notice.setStyleSheet("" if accepted.acknowledged else f"color: {_SOON.name()};")
        self._update_accept_button()
        if self._sync is not None:
            self._sync.refresh()
        self.refresh()
        self.task_accepted.emit(accepted)
        self.case_activated.emit(accepted.case_id)

    def _on_accept_failed(self, exc: BaseException) -> None:
        self._accepting = False
        self.server_tasks_notice.hide()
        self._update_accept_button()
        self._errors.report(exc)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.refresh()

    def refresh(self) -> None:
        self.ui.refreshButton.setEnabled(False)
        officer_id = self._current_officer()
        self._runner.run_db(
            lambda: self._office.summary(officer_id), self._on_summary_done, self._on_summary_failed, "工作台"
        )

    def _on_refresh_clicked(self) -> None:
        self.refresh()

    def _on_summary_failed(self, exc: BaseException) -> None:
        self.ui.refreshButton.setEnabled(True)
        self._errors.report(exc)

    def _on_summary_done(self, result: Result[OfficeSummary]) -> None:
        self.ui.refreshButton.setEnabled(True)
        summary = result.value
        names = "、".join(a.name for a in summary.agencies) or "尚未设置"
        self.ui.agencyLabel.setText(f"执法主体：{names}")
        self.ui.officerCountLabel.setText(f"执法人员  {len(summary.officers)}")
        self.ui.partyCountLabel.setText(f"当事人  {summary.party_count}")
        self.ui.itemCountLabel.setText(f"执法事项  {summary.item_count}")
        self.ui.caseCountLabel.setText(f"案件  {summary.case_count}")
        self.officers_model.set_officers(summary.officers, summary.today, summary.warn_days)
        self.ui.tasksHeading.setText(
            f"我的待办（{len(summary.my_tasks)}）"
            if summary.officer_id
            else f"待办案件（未选择当前用户，显示全部在办 {len(summary.my_tasks)} 件）"
        )
        self.tasks_model.set_cases(summary.my_tasks, summary.today)
        self.ui.dueHeading.setText(f"近期到期（{summary.due_days}日内，{len(summary.due_soon)} 件）")
        self.due_model.set_cases(summary.due_soon, summary.today)
        total = sum(c.count for c in summary.stage_counts)
        self.ui.stagesHeading.setText(f"各阶段案件数（共 {total} 件）")
        self.stages_model.set_counts(summary.stage_counts)
        if summary.expiring_certificates:
            lines = [
                f"{o.name}（{o.certificate_no}）执法证"
                f"{o.certificate_status(summary.today, summary.warn_days).label}，"
                f"有效期至{chinese_date(o.certificate_valid_until)}"
                for o in summary.expiring_certificates
            ]
            self.ui.warningLabel.setText(
                "执法证提醒："
                + "；".join(lines)
                + "。执法人员须持有效执法证件方可执法（《行政处罚法》第四十二条）。"
            )
        else:
            self.ui.warningLabel.setText("")
        if not summary.agencies:
            self.ui.emptyHint.setText(
                "数据库中还没有执法主体和执法人员。演示可运行 workstation demo seed 载入示例乡镇。"
            )
        else:
            self.ui.emptyHint.setText("")
        self.summary_loaded.emit()
