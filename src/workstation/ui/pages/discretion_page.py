"""裁量: find an 执法事项, read its benchmark, compute the tier for the circumstances found, and see
how the office fined the same item before (同案同罚).

Every answer comes from DiscretionService (the calculator is domain/discretion.py); the page only
shows it. Citations in the explanation and the entry open the article in 找法.
"""

from __future__ import annotations

import functools
import html
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHeaderView, QListWidgetItem, QWidget

from workstation.domain.discretion import (
    Assessment,
    ItemEntry,
    Severity,
    StatutoryRange,
    TierLevel,
)
from workstation.domain.entities import PartyKind
from workstation.domain.errors import KnownError
from workstation.domain.formatting import yuan
from workstation.domain.guards import as_money
from workstation.domain.vocabulary import circumstance_choices
from workstation.services.changes import Result
from workstation.services.discretion import DiscretionService, FineDistribution, ItemSummary
from workstation.ui.errors import ErrorReporter
from workstation.ui.field_editors import citation_from_link, citation_link
from workstation.ui.fine_histogram import FineHistogram
from workstation.ui.forms.discretion_page_ui import Ui_DiscretionPage
from workstation.ui.models import HeaderedTableModel
from workstation.ui.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex
_SEVERITY_COLOURS = {Severity.OK: "#15803d", Severity.YELLOW: "#b45309", Severity.RED: "#b91c1c"}


class ItemsModel(HeaderedTableModel):
    HEADERS = ("编码", "事项名称", "部门", "裁量基准")

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[ItemSummary, ...] = ()

    def set_items(self, items: Sequence[ItemSummary]) -> None:
        self.beginResetModel()
        self._rows = tuple(items)
        self.endResetModel()

    def item(self, row: int) -> ItemSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            sample = "（示例）" if item.sample else ""
            return (item.code, item.name, item.department, f"{item.benchmark_name}{sample}")[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            delegated = "已委托乡镇（街道）行使" if item.delegated else "未委托乡镇（街道），须由县级部门实施"
            return f"{item.name}：{item.level_label}基准，{delegated}"
        if role == Qt.ItemDataRole.UserRole:
            return item.code
        return None


def _e(text: str) -> str:
    return html.escape(text)


def _cite(citation: str) -> str:
    return citation_link(citation) if citation else ""


def _range_text(rng: StatutoryRange) -> str:
    parts = [_e(rng.describe)]
    for tier in rng.tiers:
        if tier.minimum is None or tier.maximum is None:
            span = "不予处罚"
        else:
            span = f"{rng.unit_text(tier.minimum)}至{rng.unit_text(tier.maximum)}"
        conditions = "、".join(tier.conditions)
        parts.append(
            f"&nbsp;&nbsp;{tier.level.label}：{_e(span)}{'（' + _e(conditions) + '）' if conditions else ''}"
        )
    return "<br>".join(parts) + f"<br>依据：{_cite(rng.citation)}"


def entry_html(entry: ItemEntry) -> str:
    """The benchmark entry as rich text, each basis a link into 找法."""
    rows = [
        f"<h3>{_e(entry.item_code)} {_e(entry.name)}{'（示例）' if entry.sample else ''}</h3>",
        f"<p><b>实施部门：</b>{_e(entry.department)}；"
        + (
            f"已委托乡镇（街道）行使（{_e(entry.delegation_document or '委托文件待核实')}）"
            if entry.delegated_to_township
            else "未委托乡镇（街道）：乡镇（街道）不得以自己名义实施"
            f"（{_cite('《中华人民共和国行政处罚法》第二十四条')}）"
        )
        + "</p>",
        "<p><b>违法依据：</b>" + "；".join(_cite(c) for c in entry.violation_basis) + "</p>",
        "<p><b>处罚依据：</b>" + "；".join(_cite(c) for c in entry.penalty_basis) + "</p>",
    ]
    if entry.measures:
        rows.append("<p><b>责令措施：</b>" + _e("；".join(entry.measures)) + "</p>")
    for precondition in entry.preconditions:
        rows.append(f"<p><b>前提条件：</b>{_e(precondition.label)}（{_cite(precondition.source)}）</p>")
    rows.append(
        "<p><b>罚款幅度与裁量档次：</b><br>" + "<br>".join(_range_text(r) for r in entry.ranges) + "</p>"
    )
    for factor in entry.factors:
        rows.append(f"<p><b>{_e(factor.effect.label)}：</b>{_e(factor.label)}（{_cite(factor.source)}）</p>")
    for escalation in entry.escalations:
        rows.append(f"<p><b>加重措施：</b>{_e(escalation.measure)}（{_cite(escalation.source)}）</p>")
    if entry.first_violation is not None:
        fv = entry.first_violation
        days = f"，改正期限{fv.correction_days}日" if fv.correction_days else ""
        source = _cite(fv.source or "《中华人民共和国行政处罚法》第三十三条第一款")
        rows.append(f"<p><b>首违不罚：</b>适用{days}（{source}）</p>")
    if entry.evidence_checklist:
        rows.append("<p><b>证据清单：</b>" + _e("；".join(entry.evidence_checklist)) + "</p>")
    if entry.note:
        rows.append(f"<p style='color:#6b7280'>{_e(entry.note)}</p>")
    return "".join(rows)


def assessment_html(assessment: Assessment) -> str:
    """The calculator's answer: tier and range, procedure, and every reason with its article."""
    lines: list[str] = []
    if assessment.mandatory_no_penalty:
        lines.append("<p style='font-size:13pt;color:#15803d'><b>应当不予行政处罚</b></p>")
    elif assessment.tier is not None and assessment.tier_yuan is not None:
        low, high = assessment.tier_yuan
        level = _e(assessment.tier.level.label)
        lines.append(f"<p style='font-size:13pt'><b>{level}档：{_e(yuan(low))}至{_e(yuan(high))}</b></p>")
    elif assessment.tier is not None and assessment.tier.level is TierLevel.NO_PENALTY:
        lines.append("<p style='font-size:13pt'><b>不予处罚档</b></p>")
    if assessment.statutory_yuan is not None:
        low, high = assessment.statutory_yuan
        lines.append(f"<p>法定幅度：{_e(yuan(low))}至{_e(yuan(high))}</p>")
    if assessment.base_missing is not None:
        lines.append(f"<p style='color:#b45309'>请填写计算基数（{_e(assessment.base_missing.label)}）。</p>")
    facts = [
        ("简易程序", "可以适用" if assessment.simple_procedure_possible else "不能适用，应适用普通程序"),
        ("听证", "应告知听证权利" if assessment.hearing_triggered else "未达听证标准"),
        ("法制审核", "需要" if assessment.review_required else "不需要"),
        ("首违不罚", "可以适用" if assessment.first_violation_eligible else "不适用"),
    ]
    lines.append("<p>" + "；".join(f"{k}：{_e(v)}" for k, v in facts) + "</p>")
    for deviation in assessment.deviations:
        colour = _SEVERITY_COLOURS.get(deviation.severity, "#111827")
        need = "（须书面说明理由）" if deviation.reason_required else ""
        lines.append(
            f"<p style='color:{colour}'><b>{_e(deviation.severity.label)}：</b>{_e(deviation.message)}{need}"
            f"（{_cite(deviation.citation)}）</p>"
        )
    lines.append("<p><b>理由：</b></p><ol>")
    lines.extend(f"<li>{_e(x.text)}（{_cite(x.citation)}）</li>" for x in assessment.explanations)
    lines.append("</ol>")
    return "".join(lines)


class DiscretionPage(QWidget):
    items_loaded = Signal(int)
    entry_shown = Signal(str)
    assessed = Signal(object)
    distribution_shown = Signal(object)
    citation_activated = Signal(str)

    DEBOUNCE_MS = 200

    def __init__(
        self,
        discretion: DiscretionService,
        runner: TaskRunner,
        errors: ErrorReporter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_DiscretionPage()
        self.ui.setupUi(self)
        self._service = discretion
        self._runner = runner
        self._errors = errors
        self._requests = itertools.count(1)
        self._latest = 0
        self._assess_latest = 0
        self.entry: ItemEntry | None = None
        self.assessment: Assessment | None = None
        self.distribution: FineDistribution | None = None
        self.model = ItemsModel()
        self.histogram = FineHistogram()
        self._search = QTimer(self)
        self._search.setSingleShot(True)
        self._search.setInterval(self.DEBOUNCE_MS)
        self._recalc = QTimer(self)
        self._recalc.setSingleShot(True)
        self._recalc.setInterval(self.DEBOUNCE_MS)
        self._loaded_once = False
        self._setup_widgets()
        self._connect_signals()

    def _setup_widgets(self) -> None:
        ui = self.ui
        ui.itemsView.setModel(self.model)
        ui.itemsView.verticalHeader().setVisible(False)
        header = ui.itemsView.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        ui.itemsView.setColumnWidth(0, 90)
        for kind in PartyKind:
            ui.partyCombo.addItem(kind.label, kind.value)
        ui.histogramLayout.addWidget(self.histogram)
        ui.splitter.setSizes([520, 700])
        self._set_inputs_enabled(False)

    def _connect_signals(self) -> None:
        ui = self.ui
        ui.searchEdit.textChanged.connect(lambda _t: self._search.start())
        ui.searchEdit.returnPressed.connect(self.search)
        self._search.timeout.connect(self.search)
        self._recalc.timeout.connect(self.calculate)
        ui.itemsView.clicked.connect(self._on_items_view_clicked)
        ui.itemsView.activated.connect(self._on_items_view_clicked)
        ui.partyCombo.currentIndexChanged.connect(self._on_party_changed)
        ui.baseEdit.textChanged.connect(lambda _t: self._recalc.start())
        ui.proposedEdit.textChanged.connect(lambda _t: self._recalc.start())
        for check in (ui.majorCheck, ui.complexCheck, ui.publicCheck):
            check.toggled.connect(lambda _on: self._recalc.start())
        ui.circumstancesList.itemChanged.connect(lambda _i: self._recalc.start())
        ui.resultView.anchorClicked.connect(self._on_anchor_clicked)
        ui.entryView.anchorClicked.connect(self._on_anchor_clicked)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.search()
            self.ui.searchEdit.setFocus()

    def _set_inputs_enabled(self, on: bool) -> None:
        ui = self.ui
        for widget in (
            ui.partyCombo,
            ui.baseEdit,
            ui.proposedEdit,
            ui.majorCheck,
            ui.complexCheck,
            ui.publicCheck,
            ui.circumstancesList,
        ):
            widget.setEnabled(on)

    # ------------------------------------------------------------- items

    def search(self) -> int:
        self._search.stop()
        request = next(self._requests)
        self._latest = request
        text = self.ui.searchEdit.text().strip()
        self._runner.run_db(
            lambda: self._service.items(text),
            functools.partial(self._on_items, request),
            self._errors.report,
            "查找执法事项",
        )
        return request

    def _on_items(self, request: int, result: Result[list[ItemSummary]]) -> None:
        if request != self._latest:
            return
        self.model.set_items(result.value)
        count = len(result.value)
        self.ui.countLabel.setText(f"共 {count} 项" if count else "没有找到执法事项")
        self.items_loaded.emit(count)

    def _on_items_view_clicked(self, index: QModelIndex) -> None:
        summary = self.model.item(index.row())
        if summary is not None:
            self.open_item(summary.code)

    def open_item(self, code: str) -> None:
        self._runner.run_db(
            lambda: self._service.entry(code), self._on_entry, self._errors.report, "裁量基准"
        )

    def _on_entry(self, result: Result[ItemEntry]) -> None:
        entry = result.value
        self.entry = entry
        ui = self.ui
        ui.itemTitleLabel.setText(f"{entry.item_code} {entry.name}{'（示例）' if entry.sample else ''}")
        ui.entryView.setHtml(entry_html(entry))
        combo = ui.partyCombo
        combo.blockSignals(True)
        for i in range(combo.count()):
            allowed = PartyKind(combo.itemData(i)) in entry.party_kinds
            combo.model().item(i).setEnabled(allowed)
        if PartyKind(combo.currentData()) not in entry.party_kinds:
            first = next(i for i in range(combo.count()) if PartyKind(combo.itemData(i)) in entry.party_kinds)
            combo.setCurrentIndex(first)
        combo.blockSignals(False)
        self._fill_circumstances(entry)
        needs_base = any(r.needs_base for r in entry.ranges)
        ui.baseEdit.setEnabled(needs_base)
        self._set_inputs_enabled(True)
        ui.baseEdit.setEnabled(needs_base)
        self.entry_shown.emit(entry.item_code)
        self.calculate()
        self._load_distribution()

    def _fill_circumstances(self, entry: ItemEntry) -> None:
        view = self.ui.circumstancesList
        view.blockSignals(True)
        view.clear()
        for code, label, source in circumstance_choices(entry):
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setToolTip(f"依据：{source}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            view.addItem(item)
        view.blockSignals(False)

    # ------------------------------------------------------------- the calculator

    def circumstances(self) -> list[str]:
        view = self.ui.circumstancesList
        items = [view.item(i) for i in range(view.count())]
        return [
            str(i.data(Qt.ItemDataRole.UserRole)) for i in items if i.checkState() == Qt.CheckState.Checked
        ]

    def set_circumstances(self, codes: Sequence[str]) -> None:
        view = self.ui.circumstancesList
        wanted = set(codes)
        view.blockSignals(True)
        for i in range(view.count()):
            item = view.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        view.blockSignals(False)
        self._recalc.start()

    def calculate(self) -> int:
        self._recalc.stop()
        entry = self.entry
        if entry is None:
            return 0
        ui = self.ui
        try:
            base = as_money(ui.baseEdit.text()) if ui.baseEdit.isEnabled() else None
            proposed = as_money(ui.proposedEdit.text())
        except KnownError as exc:
            ui.resultView.setHtml(f"<p style='color:#b91c1c'>{_e(exc.user_text())}</p>")
            return 0
        party = PartyKind(ui.partyCombo.currentData())
        circumstances = self.circumstances()
        flags = (ui.majorCheck.isChecked(), ui.complexCheck.isChecked(), ui.publicCheck.isChecked())
        request = next(self._requests)
        self._assess_latest = request
        code = entry.item_code
        self._runner.run_db(
            lambda: self._service.calculate(
                code,
                party,
                circumstances,
                base,
                proposed,
                major=flags[0],
                complex_case=flags[1],
                public_interest=flags[2],
            ),
            functools.partial(self._on_assessed, request),
            self._on_assess_failed,
            "裁量计算",
        )
        return request

    def _on_assessed(self, request: int, result: Result[Assessment]) -> None:
        if request != self._assess_latest:
            return
        self.assessment = result.value
        self.ui.resultView.setHtml(assessment_html(result.value))
        self._show_histogram()
        self.assessed.emit(result.value)

    def _on_assess_failed(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            self.ui.resultView.setHtml(f"<p style='color:#b91c1c'>{_e(exc.user_text())}</p>")
            return
        self._errors.report(exc)

    def _on_party_changed(self, _index: int) -> None:
        self.calculate()
        self._load_distribution()

    # ------------------------------------------------------------- 同案同罚

    def _load_distribution(self) -> None:
        if self.entry is None:
            return
        code = self.entry.item_code
        party = PartyKind(self.ui.partyCombo.currentData())
        self._runner.run_db(
            lambda: self._service.distribution(code, party),
            self._on_distribution,
            self._errors.report,
            "同案同罚",
        )

    def _on_distribution(self, result: Result[FineDistribution]) -> None:
        self.distribution = result.value
        self._show_histogram()
        self.distribution_shown.emit(result.value)

    def _show_histogram(self) -> None:
        dist = self.distribution
        if dist is None or self.entry is None or dist.item_code != self.entry.item_code:
            return
        assessment = self.assessment
        try:
            proposal = as_money(self.ui.proposedEdit.text())
        except KnownError:
            proposal = None
        tier = assessment.tier_yuan if assessment is not None else None
        self.histogram.show_fines(dist.fines, proposal, tier)
        if dist.count == 0:
            text = "本单位尚无该事项的已决案件可供参考。"
        else:
            text = (
                f"本单位该事项已决案件 {dist.count} 件，罚款中位数 {yuan(dist.median or Decimal(0))}"
                f"（四分位 {yuan(dist.p25 or Decimal(0))}至{yuan(dist.p75 or Decimal(0))}）。"
            )
        if proposal is not None:
            text += f" 红线为拟罚款 {yuan(proposal)}；绿色区域为适用的裁量档次。"
        self.ui.similarLabel.setText(text)

    def _on_anchor_clicked(self, url: QUrl) -> None:
        citation = citation_from_link(url.toString())
        if citation:
            self.citation_activated.emit(citation)


__all__ = ["DiscretionPage", "ItemsModel", "assessment_html", "entry_html"]
