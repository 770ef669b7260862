"""案件: the case list (filtered and sorted in SQL) and the workspace of the selected case."""

from __future__ import annotations

import datetime as dt
import functools
import html
import itertools
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QTableWidgetItem, QWidget

from workstation.domain.case_list import COLUMNS, CaseListQuery, CaseListRow, CaseSort
from workstation.domain.cases import CaseKind
from workstation.domain.formatting import chinese_date
from workstation.domain.record import VerifyReport
from workstation.domain.workflow import ActionOption
from workstation.services.case_list import CaseListService
from workstation.services.cases import CaseService, CaseView
from workstation.services.changes import Result
from workstation.ui.case_list_model import CaseListModel
from workstation.ui.errors import ErrorReporter
from workstation.ui.forms.case_workspace_ui import Ui_CaseWorkspace
from workstation.ui.forms.cases_page_ui import Ui_CasesPage
from workstation.ui.tasks import TaskRunner

#: Each workflow's stages in order, as (code, label), by case kind.
Stages = Mapping[CaseKind, Sequence[tuple[str, str]]]


def stepper_html(stages: Sequence[tuple[str, str]], current: str) -> str:
    """The stages in order, the current one highlighted, the passed ones greyed."""
    codes = [code for code, _label in stages]
    at = codes.index(current) if current in codes else -1
    parts = []
    for i, (code, label) in enumerate(stages):
        text = html.escape(label)
        if code == current:
            parts.append(
                f'<span style="background:#1d4ed8;color:#ffffff;font-weight:bold">&nbsp;{text}&nbsp;</span>'
            )
        elif i < at:
            parts.append(f'<span style="color:#6b7280">{text}</span>')
        else:
            parts.append(f'<span style="color:#111827">{text}</span>')
    return " → ".join(parts)


def problems_text(action: ActionOption) -> str:
    """Why an action is not open: each rule, its message and the article it rests on."""
    lines = [
        f"［{p.rule}］{p.message}（{p.citation}）" if p.citation else f"［{p.rule}］{p.message}"
        for p in action.problems
    ]
    return "\n".join(lines)


class CaseWorkspace(QWidget):
    """One case: 案号, 案由, the stage stepper, the actions open to it (or why not), its deadlines."""

    verify_requested = Signal(str)
    action_requested = Signal(str, str)

    def __init__(self, stages: Stages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_CaseWorkspace()
        self.ui.setupUi(self)
        self._stages = stages
        self._view: CaseView | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        self.problem_labels: dict[str, QLabel] = {}
        header = self.ui.deadlinesTable.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.ui.deadlinesTable.verticalHeader().setVisible(False)
        self.ui.verifyButton.clicked.connect(self._on_verify_button_clicked)

    @property
    def view(self) -> CaseView | None:
        return self._view

    def show_case(self, view: CaseView) -> None:
        self._view = view
        case = view.case
        ui = self.ui
        ui.numberLabel.setText(case.case_number or "（未立案，尚无案号）")
        ui.caseTitleLabel.setText(
            f"案由：{case.title}　　{view.kind_label}　登记于 {chinese_date(case.opened_on)}"
        )
        ui.stageLabel.setText(f"当前阶段：{view.stage_label}　　全过程记录 {view.event_count} 条")
        ui.stepperLabel.setText(stepper_html(self._stages.get(case.kind, ()), case.stage))
        self._show_actions(view.actions)
        table = ui.deadlinesTable
        table.setRowCount(len(view.deadlines))
        for row, deadline in enumerate(view.deadlines):
            values = (
                deadline.label,
                chinese_date(deadline.start),
                chinese_date(deadline.due),
                deadline.basis,
            )
            for column, text in enumerate(values):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        ui.verifyButton.setEnabled(True)
        ui.verifyLabel.setText("")

    def show_report(self, report: VerifyReport) -> None:
        self.ui.verifyLabel.setText(("✔ " if report.ok else "✘ ") + report.summary())
        self.ui.verifyLabel.setStyleSheet("color:#15803d" if report.ok else "color:#b91c1c")

    def _show_actions(self, actions: Sequence[ActionOption]) -> None:
        layout = self.ui.actionsLayout
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.action_buttons = {}
        self.problem_labels = {}
        if not actions:
            layout.addWidget(QLabel("此阶段没有可办理的操作。"))
        for action in actions:
            button = QPushButton(action.label)
            button.setEnabled(action.enabled)
            button.clicked.connect(functools.partial(self._on_action_clicked, action.code))
            layout.addWidget(button)
            self.action_buttons[action.code] = button
            notes = problems_text(action) if not action.enabled else ""
            if action.warnings:
                notes = "\n".join(
                    [notes, *(f"（提示）［{p.rule}］{p.message}（{p.citation}）" for p in action.warnings)]
                ).strip()
            if notes:
                label = QLabel(notes)
                label.setWordWrap(True)
                label.setStyleSheet("color:#b45309; margin-left:1em")
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                button.setToolTip(notes)
                layout.addWidget(label)
                self.problem_labels[action.code] = label

    def _on_action_clicked(self, code: str) -> None:
        if self._view is not None:
            self.action_requested.emit(self._view.case.id, code)

    def _on_verify_button_clicked(self) -> None:
        if self._view is not None:
            self.ui.verifyLabel.setText("正在核验……")
            self.verify_requested.emit(self._view.case.id)


class CasesPage(QWidget):
    """The 案件 page. Key queries run on the I/O pool; only the newest result is shown."""

    list_loaded = Signal(int)
    case_shown = Signal(str)
    verified = Signal(object)

    DEBOUNCE_MS = 250

    def __init__(
        self,
        cases: CaseService,
        case_list: CaseListService,
        stages: Stages,
        today: Callable[[], dt.date],
        runner: TaskRunner,
        errors: ErrorReporter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_CasesPage()
        self.ui.setupUi(self)
        self._cases = cases
        self._list = case_list
        self._stages = stages
        self._today = today
        self._runner = runner
        self._errors = errors
        self._requests = itertools.count(1)
        self._latest = 0
        self._sort = CaseSort.OPENED
        self._descending = True
        labels: dict[str, str] = {}
        for definition in stages.values():
            for code, label in definition:
                labels.setdefault(code, label)
        self._stage_labels = labels
        self.model = CaseListModel(self._fetch_rows, labels)
        self.workspace = CaseWorkspace(stages)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.DEBOUNCE_MS)
        self._loaded_once = False
        self._setup_widgets()
        self._connect_signals()

    def _fetch_rows(self, keys: Sequence[int]) -> dict[int, CaseListRow]:
        return self._list.rows(keys).value

    def _setup_widgets(self) -> None:
        ui = self.ui
        ui.stageCombo.addItem("全部阶段", "")
        for code, label in self._stage_labels.items():
            ui.stageCombo.addItem(label, code)
        ui.casesView.setModel(self.model)
        ui.casesView.verticalHeader().setVisible(False)
        ui.casesView.setWordWrap(False)
        header = ui.casesView.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        ui.casesView.setColumnWidth(0, 190)
        ui.workspaceLayout.addWidget(self.workspace)
        ui.splitter.setSizes([700, 520])

    def _connect_signals(self) -> None:
        ui = self.ui
        ui.filterEdit.textChanged.connect(self._on_filter_edit_text_changed)
        ui.filterEdit.returnPressed.connect(self._on_filter_edit_return_pressed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        ui.stageCombo.currentIndexChanged.connect(self._on_stage_combo_changed)
        ui.refreshButton.clicked.connect(self._on_refresh_button_clicked)
        ui.casesView.horizontalHeader().sectionClicked.connect(self._on_header_section_clicked)
        ui.casesView.clicked.connect(self._on_cases_view_clicked)
        ui.casesView.activated.connect(self._on_cases_view_clicked)
        self.workspace.verify_requested.connect(self._on_verify_requested)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.refresh()
            self.ui.filterEdit.setFocus()

    # ------------------------------------------------------------- the list

    def query(self) -> CaseListQuery:
        return CaseListQuery(
            text=self.ui.filterEdit.text().strip(),
            stage=self.ui.stageCombo.currentData() or "",
            sort=self._sort,
            descending=self._descending,
        )

    def refresh(self) -> int:
        """Run the key query for the current filter and sort; returns its request number."""
        self._debounce.stop()
        request = next(self._requests)
        self._latest = request
        query = self.query()
        self._runner.run_io(
            lambda: self._list.keys(query),
            functools.partial(self._on_keys_done, request),
            self._errors.report,
            "案件列表",
        )
        return request

    def sort_by(self, column: int) -> None:
        """Sort by a column (in SQL); the same column again reverses the order."""
        if not 0 <= column < len(COLUMNS):
            return
        sort = COLUMNS[column][1]
        self._descending = not self._descending if sort == self._sort else False
        self._sort = sort
        order = Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder
        self.ui.casesView.horizontalHeader().setSortIndicator(column, order)
        self.refresh()

    def _on_keys_done(self, request: int, result: Result[list[int]]) -> None:
        if request != self._latest:
            return  # a newer query has started: drop this stale result
        self.model.set_keys(result.value)
        self.ui.countLabel.setText(f"共 {len(result.value)} 件")
        self.list_loaded.emit(request)

    def _on_filter_edit_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_filter_edit_return_pressed(self) -> None:
        self.refresh()

    def _on_debounce_timeout(self) -> None:
        self.refresh()

    def _on_stage_combo_changed(self, _index: int) -> None:
        self.refresh()

    def _on_refresh_button_clicked(self) -> None:
        self.refresh()

    def _on_header_section_clicked(self, column: int) -> None:
        self.sort_by(column)

    # ------------------------------------------------------------- the workspace

    def _on_cases_view_clicked(self, index: QModelIndex) -> None:
        case_id = self.model.data(index.siblingAtColumn(0), Qt.ItemDataRole.UserRole)
        if isinstance(case_id, str):
            self.open_case(case_id)

    def open_case(self, case_id: str) -> None:
        today = self._today()
        self._runner.run_db(
            lambda: self._cases.show(case_id, today),
            self._on_case_loaded,
            self._errors.report,
            "打开案件",
        )

    def _on_case_loaded(self, result: Result[CaseView]) -> None:
        self.workspace.show_case(result.value)
        self.case_shown.emit(result.value.case.id)

    def _on_verify_requested(self, case_id: str) -> None:
        self._runner.run_db(
            lambda: self._cases.verify_log(case_id),
            self._on_verified,
            self._errors.report,
            "核验全过程记录",
        )

    def _on_verified(self, result: Result[VerifyReport]) -> None:
        self.workspace.show_report(result.value)
        self.verified.emit(result.value)
