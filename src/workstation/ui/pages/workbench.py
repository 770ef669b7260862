"""工作台: the office at a glance (cases and tasks join it as they are built)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHeaderView, QWidget

from workstation.domain.entities import OfficeSummary
from workstation.domain.formatting import chinese_date
from workstation.services.changes import Result
from workstation.services.office import OfficeService
from workstation.ui.errors import ErrorReporter
from workstation.ui.forms.workbench_page_ui import Ui_WorkbenchPage
from workstation.ui.models import OfficersModel
from workstation.ui.tasks import TaskRunner


class WorkbenchPage(QWidget):
    summary_loaded = Signal()

    def __init__(
        self,
        office: OfficeService,
        runner: TaskRunner,
        errors: ErrorReporter,
        parent: QWidget | None = None,
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
        self._loaded_once = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.ui.refreshButton.clicked.connect(self._on_refresh_clicked)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.refresh()

    def refresh(self) -> None:
        self.ui.refreshButton.setEnabled(False)
        self._runner.run_db(self._office.summary, self._on_summary_done, self._on_summary_failed, "工作台")

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
