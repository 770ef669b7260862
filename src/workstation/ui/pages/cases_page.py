"""案件: the case list (filtered and sorted in SQL) and the workspace of the selected case."""

from __future__ import annotations

import datetime as dt
import functools
import html
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl, Signal, SignalInstance
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QDialog, QHeaderView, QLabel, QPushButton, QTableWidgetItem, QWidget

from workstation.domain.case_list import COLUMNS, CaseListQuery, CaseListRow, CaseSort
from workstation.domain.cases import CaseKind
from workstation.domain.clock import CHINA_TZ
from workstation.domain.discretion import ItemEntry
from workstation.domain.entities import Party
from workstation.domain.errors import KnownError
from workstation.domain.evidence_ports import EvidenceItem
from workstation.domain.formatting import chinese_date
from workstation.domain.record import VerifyReport
from workstation.domain.vocabulary import circumstance_choices
from workstation.domain.workflow import ActionOption, WorkflowDefinition
from workstation.services.case_list import CaseListService
from workstation.services.case_record import CaseRecordService, TimelineEntry
from workstation.services.cases import CaseService, CaseView, NewCaseSpec
from workstation.services.changes import Result, Topic
from workstation.services.discretion import DiscretionService
from workstation.services.evidence import EvidenceService
from workstation.services.intake import IntakeOptions, IntakeService
from workstation.ui.action_dialog import ActionDialog
from workstation.ui.case_list_model import CaseListModel
from workstation.ui.current_user import CurrentUser
from workstation.ui.errors import ErrorReporter
from workstation.ui.evidence_dialog import EvidenceCorrectionDialog, EvidenceDialog, EvidencePanel
from workstation.ui.field_editors import citation_from_link, problems_html
from workstation.ui.forms.case_workspace_ui import Ui_CaseWorkspace
from workstation.ui.forms.cases_page_ui import Ui_CasesPage
from workstation.ui.new_case_wizard import NewCaseWizard
from workstation.ui.tasks import TaskRunner

#: Each workflow's stages in order, as (code, label), by case kind.
Stages = Mapping[CaseKind, Sequence[tuple[str, str]]]
_OVERDUE = QColor("#b91c1c")
_SOON = QColor("#b45309")
#: Days before a deadline at which the workspace shows it in amber.
SOON_DAYS = 3
QDialogCode = QDialog.DialogCode


@dataclass(frozen=True, slots=True)
class CaseServices:
    """What the 案件 page uses: cases, the list, the record, and intake for new cases."""

    cases: CaseService
    case_list: CaseListService
    record: CaseRecordService
    intake: IntakeService
    #: Offers the 裁量情节 of a case's 执法事项 in the forms that ask for circumstances.
    discretion: DiscretionService | None = None
    #: The 证据 tab (list, add, open, correct); without it the tab stays read-only and empty.
    evidence: EvidenceService | None = None


def _discard(form: QWidget | None) -> None:
    """Delete a finished form when the next one of its kind opens: forms are built anew each
    time, and one kept alive per use would pile up (hidden) under the page until it closes."""
    if form is not None:
        form.deleteLater()


def _choices(entry: ItemEntry) -> dict[str, str]:
    return {code: label for code, label, _source in circumstance_choices(entry)}


def stages_of(
    workflows: Mapping[CaseKind, WorkflowDefinition],
) -> dict[CaseKind, tuple[tuple[str, str], ...]]:
    return {kind: tuple((s.code, s.label) for s in d.stages) for kind, d in workflows.items()}


def days_left_text(due: dt.date, today: dt.date) -> str:
    left = (due - today).days
    if left < 0:
        return f"已超期{-left}日"
    if left == 0:
        return "今日届满"
    return f"还有{left}日"


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
    """One case: 案号, 案由, the stage stepper, the actions open to it (or why not, each rule
    linked to its article), its deadlines with the days left, its 全过程记录 and its 证据."""

    verify_requested = Signal(str)
    action_requested = Signal(str, str)
    citation_activated = Signal(str)

    def __init__(self, stages: Stages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_CaseWorkspace()
        self.ui.setupUi(self)
        self._stages = stages
        self._view: CaseView | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        self.problem_labels: dict[str, QLabel] = {}
        for table, stretch in ((self.ui.deadlinesTable, 4), (self.ui.timelineTable, 3)):
            table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
            table.verticalHeader().setVisible(False)
        self.ui.verifyButton.clicked.connect(self._on_verify_button_clicked)
        self.evidence = EvidencePanel()
        self.evidence_tab = self.ui.tabs.addTab(self.evidence, "证据(&4)")

    @property
    def view(self) -> CaseView | None:
        return self._view

    def show_case(self, view: CaseView, today: dt.date | None = None) -> None:
        if self._view is None or self._view.case.id != view.case.id:
            self.evidence.clear()  # another case: its evidence is loaded next
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
        self._show_deadlines(view, today or dt.date.today())
        ui.verifyButton.setEnabled(True)
        ui.verifyLabel.setText("")

    def _show_deadlines(self, view: CaseView, today: dt.date) -> None:
        table = self.ui.deadlinesTable
        table.setRowCount(len(view.deadlines))
        closed = view.case.closed_on is not None
        for row, deadline in enumerate(view.deadlines):
            left = (deadline.due - today).days
            values = (
                deadline.label,
                chinese_date(deadline.start),
                chinese_date(deadline.due),
                "—" if closed else days_left_text(deadline.due, today),
                deadline.basis,
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if not closed and column == 3 and left <= SOON_DAYS:
                    item.setForeground(QBrush(_OVERDUE if left < 0 else _SOON))
                table.setItem(row, column, item)
        for column in range(4):
            table.resizeColumnToContents(column)
        table.resizeRowsToContents()

    def show_timeline(self, entries: Sequence[TimelineEntry]) -> None:
        table = self.ui.timelineTable
        table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            local = entry.occurred_at.astimezone(CHINA_TZ)
            content = "\n".join([*entry.changes, *(f"（提示）{w}" for w in entry.warnings)])
            values = (
                str(entry.seq),
                f"{local.strftime('%Y-%m-%d %H:%M')}\n{entry.actor}（{entry.role}）",
                entry.action,
                content,
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setToolTip(f"本条记录的哈希值：{entry.hash}")
                table.setItem(row, column, item)
        for column in range(3):
            table.resizeColumnToContents(column)
        table.resizeRowsToContents()

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
            notes = problems_html(action.problems if not action.enabled else (), action.warnings)
            if notes:
                label = QLabel(notes)
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setWordWrap(True)
                label.setStyleSheet("color:#b45309; margin-left:1em")
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
                label.linkActivated.connect(self._on_problem_link_activated)
                button.setToolTip(problems_text(action))
                layout.addWidget(label)
                self.problem_labels[action.code] = label
        layout.addStretch(1)

    def _on_action_clicked(self, code: str) -> None:
        if self._view is not None:
            self.action_requested.emit(self._view.case.id, code)

    def _on_problem_link_activated(self, link: str) -> None:
        citation = citation_from_link(link)
        if citation:
            self.citation_activated.emit(citation)

    def _on_verify_button_clicked(self) -> None:
        if self._view is not None:
            self.ui.verifyLabel.setText("正在核验……")
            self.verify_requested.emit(self._view.case.id)


class CasesPage(QWidget):
    """The 案件 page. Key queries run on the I/O pool; only the newest result is shown.

    Actions are taken as the :class:`CurrentUser`; with nobody chosen the page asks for a user
    first (:attr:`user_needed`). A rule quoted in the workspace or a form opens its article in
    找法 (:attr:`citation_activated`).
    """

    list_loaded = Signal(int)
    case_shown = Signal(str)
    verified = Signal(object)
    timeline_shown = Signal(str)
    action_done = Signal(str, str)
    user_needed = Signal()
    citation_activated = Signal(str)
    evidence_shown = Signal(str)
    evidence_added = Signal(object)
    evidence_corrected = Signal(object)
    evidence_opened = Signal(object)

    DEBOUNCE_MS = 250

    def __init__(
        self,
        services: CaseServices,
        workflows: Mapping[CaseKind, WorkflowDefinition],
        today: Callable[[], dt.date],
        user: CurrentUser,
        runner: TaskRunner,
        errors: ErrorReporter,
        parent: QWidget | None = None,
        *,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_CasesPage()
        self.ui.setupUi(self)
        self._services = services
        self._cases = services.cases
        self._list = services.case_list
        self._workflows = workflows
        stages = stages_of(workflows)
        self._stages = stages
        self._today = today
        self._now = now or (lambda: dt.datetime.now(CHINA_TZ))
        self._user = user
        self._runner = runner
        self._errors = errors
        self._requests = itertools.count(1)
        self._latest = 0
        self._sort = CaseSort.OPENED
        self._descending = True
        # Stage labels by "kind:stage" (the same code means other things in other workflows),
        # with the plain code as a fallback.
        labels: dict[str, str] = {}
        for kind, definition in stages.items():
            for code, label in definition:
                labels[f"{kind.value}:{code}"] = label
                labels.setdefault(code, label)
        self._stage_labels = labels
        self.model = CaseListModel(self._fetch_rows, labels)
        self.workspace = CaseWorkspace(stages)
        self.action_dialog: ActionDialog | None = None
        self.wizard: NewCaseWizard | None = None
        self.evidence_dialog: EvidenceDialog | None = None
        self.correction_dialog: EvidenceCorrectionDialog | None = None
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
        ui.splitter.setSizes([560, 720])
        self._new_case_shortcut = QShortcut(QKeySequence("Ctrl+N"), self)

    def _connect_signals(self) -> None:
        ui = self.ui
        ui.filterEdit.textChanged.connect(self._on_filter_edit_text_changed)
        ui.filterEdit.returnPressed.connect(self._on_filter_edit_return_pressed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        ui.stageCombo.currentIndexChanged.connect(self._on_stage_combo_changed)
        ui.refreshButton.clicked.connect(self._on_refresh_button_clicked)
        ui.newCaseButton.clicked.connect(self.new_case)
        self._new_case_shortcut.activated.connect(self.new_case)
        ui.casesView.horizontalHeader().sectionClicked.connect(self._on_header_section_clicked)
        ui.casesView.clicked.connect(self._on_cases_view_clicked)
        ui.casesView.activated.connect(self._on_cases_view_clicked)
        self.workspace.verify_requested.connect(self._on_verify_requested)
        self.workspace.action_requested.connect(self._on_action_requested)
        self.workspace.citation_activated.connect(self.citation_activated)
        self.workspace.evidence.add_requested.connect(self.add_evidence)
        self.workspace.evidence.open_requested.connect(self.open_evidence)
        self.workspace.evidence.correct_requested.connect(self.correct_evidence)
        self._user.changed.connect(self._on_user_changed)

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
        actor = self._user.officer_id
        self._runner.run_db(
            lambda: self._cases.show(case_id, today, actor),
            self._on_case_loaded,
            self._errors.report,
            "打开案件",
        )
        self._load_timeline(case_id)
        self._load_evidence(case_id)

    def _load_timeline(self, case_id: str) -> None:
        self._runner.run_db(
            lambda: self._services.record.timeline(case_id),
            functools.partial(self._on_timeline_loaded, case_id),
            self._errors.report,
            "全过程记录",
        )

    def _on_case_loaded(self, result: Result[CaseView]) -> None:
        self.workspace.show_case(result.value, self._today())
        self.workspace.evidence.add_button.setEnabled(self._services.evidence is not None)
        self.case_shown.emit(result.value.case.id)

    def _on_timeline_loaded(self, case_id: str, result: Result[list[TimelineEntry]]) -> None:
        view = self.workspace.view
        if view is not None and view.case.id == case_id:
            self.workspace.show_timeline(result.value)
            self.timeline_shown.emit(case_id)

    def _on_user_changed(self) -> None:
        view = self.workspace.view
        if view is not None:
            self.open_case(view.case.id)

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

    # ------------------------------------------------------------- acting

    def _on_action_requested(self, case_id: str, code: str) -> None:
        view = self.workspace.view
        if view is None or view.case.id != case_id:
            return
        if self._user.officer_id is None:
            self.user_needed.emit()
            return
        option = next((a for a in view.actions if a.code == code), None)
        if option is None:
            return
        item_code = view.case.item_code
        discretion = self._services.discretion
        wants = any(f.name == "circumstances" for f in option.required_fields)
        if wants and item_code and discretion is not None:
            self._runner.run_db(
                lambda: discretion.entry(item_code),
                lambda result: self._open_action(view, option, {"circumstances": _choices(result.value)}),
                lambda _exc: self._open_action(view, option, {}),  # no benchmark: a free list
                "裁量情节",
            )
            return
        self._open_action(view, option, {})

    def _open_action(
        self, view: CaseView, option: ActionOption, vocabularies: Mapping[str, Mapping[str, str]]
    ) -> None:
        definition = self._workflows[view.case.kind]
        action = definition.action(option.code)
        today = self._today()
        dialog = ActionDialog(
            option,
            today,
            definition.stage_label(option.to_stage) if option.to_stage else "",
            action.documents if action else (),
            self,
            vocabularies,
        )
        dialog.submitted.connect(
            functools.partial(
                self._on_action_submitted, dialog, view.case.id, option.code, view.case.row_version, today
            )
        )
        dialog.citation_activated.connect(self.citation_activated)
        _discard(self.action_dialog)
        self.action_dialog = dialog
        dialog.open()

    def _on_action_submitted(
        self,
        dialog: ActionDialog,
        case_id: str,
        code: str,
        version: int,
        today: dt.date,
        values: dict[str, Any],
    ) -> None:
        actor = self._user.officer_id or ""
        self._runner.run_db(
            lambda: self._cases.act(case_id, code, values, actor, today, expected_version=version),
            functools.partial(self._on_action_done, dialog, code),
            functools.partial(self._on_action_failed, dialog),
            "办理",
        )

    def _on_action_done(self, dialog: ActionDialog, code: str, result: Result[CaseView]) -> None:
        dialog.done(ActionDialog.DialogCode.Accepted)
        view = result.value
        self.workspace.show_case(view, self._today())
        self._load_timeline(view.case.id)
        self.refresh()
        self.action_done.emit(view.case.id, code)

    def _on_action_failed(self, dialog: ActionDialog, exc: BaseException) -> None:
        if not dialog.show_error(exc):
            dialog.done(ActionDialog.DialogCode.Rejected)
            self._errors.report(exc)

    # ------------------------------------------------------------- evidence

    def _load_evidence(self, case_id: str) -> None:
        service = self._services.evidence
        if service is None:
            return
        self._runner.run_db(
            lambda: service.list(case_id),
            functools.partial(self._on_evidence_loaded, case_id),
            self._errors.report,
            "证据",
        )

    def _on_evidence_loaded(self, case_id: str, result: Result[list[EvidenceItem]]) -> None:
        view = self.workspace.view
        if view is not None and view.case.id == case_id:
            self.workspace.evidence.set_items(result.value)
            self.evidence_shown.emit(case_id)

    def add_evidence(self) -> None:
        """Open 添加证据 for the case shown (the office's officers are loaded first)."""
        view = self.workspace.view
        if view is None or self._services.evidence is None:
            return
        if self._user.officer_id is None:
            self.user_needed.emit()
            return
        self._runner.run_db(
            self._services.intake.options,
            functools.partial(self._on_evidence_officers, view),
            self._errors.report,
            "添加证据",
        )

    def _on_evidence_officers(self, view: CaseView, result: Result[IntakeOptions]) -> None:
        officers = [(c.officer.id, c.officer.name) for c in result.value.officers]
        checked = [o for o in view.case.officer_ids if any(o == i for i, _ in officers)]
        if not checked and self._user.officer_id:
            checked = [self._user.officer_id]
        label = view.case.case_number or view.case.title
        dialog = EvidenceDialog(officers, checked, self._now(), label, self)
        dialog.submitted.connect(functools.partial(self._on_evidence_submitted, dialog, view.case.id))
        _discard(self.evidence_dialog)
        self.evidence_dialog = dialog
        dialog.open()

    def _on_evidence_submitted(self, dialog: EvidenceDialog, case_id: str, values: dict[str, Any]) -> None:
        service = self._services.evidence
        if service is None:
            return
        actor = self._user.officer_id or ""

        def add() -> Result[EvidenceItem]:
            return service.add(
                case_id,
                values["kind"],
                values["title"],
                values["file"],
                actor,
                values["description"],
                source=values["source"],
                collected_at=values["collected_at"],
                collectors=values["collectors"],
            )

        self._runner.run_db(
            add,
            functools.partial(self._on_evidence_done, dialog, self.evidence_added),
            functools.partial(self._on_evidence_failed, dialog),
            "添加证据",
        )

    def _on_evidence_done(
        self,
        dialog: EvidenceDialog | EvidenceCorrectionDialog,
        done: SignalInstance,
        result: Result[EvidenceItem],
    ) -> None:
        dialog.done(QDialogCode.Accepted)
        item = result.value
        if Topic.CASES in result.changes:  # the record grew: the event count and the timeline
            self.open_case(item.case_id)
        else:
            self._load_evidence(item.case_id)
        done.emit(item)

    def _on_evidence_failed(
        self, dialog: EvidenceDialog | EvidenceCorrectionDialog, exc: BaseException
    ) -> None:
        if not dialog.show_error(exc):
            dialog.done(QDialogCode.Rejected)
            self._errors.report(exc)

    def correct_evidence(self, item: EvidenceItem, void: bool = False) -> None:
        """Open 更正/作废 for ``item``."""
        if self._services.evidence is None:
            return
        if self._user.officer_id is None:
            self.user_needed.emit()
            return
        dialog = EvidenceCorrectionDialog(item, void, self)
        dialog.submitted.connect(functools.partial(self._on_correction_submitted, dialog, item))
        _discard(self.correction_dialog)
        self.correction_dialog = dialog
        dialog.open()

    def _on_correction_submitted(
        self, dialog: EvidenceCorrectionDialog, item: EvidenceItem, reason: str, void: bool
    ) -> None:
        service = self._services.evidence
        if service is None:
            return
        actor = self._user.officer_id or ""
        self._runner.run_db(
            lambda: service.correct(item.case_id, item.id, reason, actor, void=void),
            functools.partial(self._on_evidence_done, dialog, self.evidence_corrected),
            functools.partial(self._on_evidence_failed, dialog),
            "更正证据",
        )

    def open_evidence(self, item: EvidenceItem) -> None:
        """Open the evidence file in the system's viewer (a read-only copy under its own name)."""
        service = self._services.evidence
        if service is None:
            return
        self._runner.run_io(
            lambda: service.viewing_copy(item), self._on_evidence_copy, self._errors.report, "打开证据"
        )

    def _on_evidence_copy(self, result: Result[Path]) -> None:
        path = result.value
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            advice = "请确认本机装有能打开此类文件的程序。"
            self._errors.report(KnownError(f"无法打开证据文件：{path.name}", advice))
            return
        self.evidence_opened.emit(path)

    # ------------------------------------------------------------- new case

    def new_case(self) -> None:
        """Open the 新建案件 wizard (the office's officers and items are loaded first)."""
        if self._user.officer_id is None:
            self.user_needed.emit()
            return
        self._runner.run_db(
            self._services.intake.options, self._on_intake_options, self._errors.report, "新建案件"
        )

    def _on_intake_options(self, result: Result[IntakeOptions]) -> None:
        wizard = NewCaseWizard(result.value, self._user.officer_id, self._today(), self)
        wizard.party_search_requested.connect(self._on_party_search_requested)
        wizard.party_add_requested.connect(self._on_party_add_requested)
        wizard.case_requested.connect(self._on_case_requested)
        _discard(self.wizard)
        self.wizard = wizard
        wizard.open()

    def _on_party_search_requested(self, text: str) -> None:
        self._runner.run_db(
            lambda: self._services.intake.find_parties(text),
            self._on_parties_found,
            self._errors.report,
            "查找当事人",
        )

    def _on_parties_found(self, result: Result[list[Party]]) -> None:
        if self.wizard is not None:
            self.wizard.set_parties(result.value)

    def _on_party_add_requested(self, raw: dict[str, Any]) -> None:
        self._runner.run_db(
            lambda: self._services.intake.add_party(raw),
            self._on_party_added,
            self._on_party_failed,
            "登记当事人",
        )

    def _on_party_added(self, result: Result[Party]) -> None:
        if self.wizard is not None:
            self.wizard.party_added(result.value)

    def _on_party_failed(self, exc: BaseException) -> None:
        if self.wizard is None or not self.wizard.show_party_error(exc):
            self._errors.report(exc)

    def _on_case_requested(self, raw: dict[str, Any]) -> None:
        def create() -> Result[CaseView]:
            return self._cases.new_case(NewCaseSpec.from_dict(raw))

        self._runner.run_db(create, self._on_case_created, self._on_case_failed, "登记案件")

    def _on_case_created(self, result: Result[CaseView]) -> None:
        if self.wizard is not None:
            self.wizard.stored()
        view = result.value
        self.workspace.show_case(view, self._today())
        self._load_timeline(view.case.id)
        self.refresh()
        self.case_shown.emit(view.case.id)

    def _on_case_failed(self, exc: BaseException) -> None:
        if self.wizard is None or not self.wizard.show_error(exc):
            self._errors.report(exc)
