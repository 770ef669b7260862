"""新建案件: kind and source, parties (chosen or registered), officers, confirmation.

The wizard asks; the page answers. It emits :attr:`party_search_requested`,
:attr:`party_add_requested` and, on 完成, :attr:`case_requested` with the JSON of
``workstation case new``; the page runs them on its workers and calls back
:meth:`set_parties`, :meth:`party_added`, :meth:`show_party_error` or :meth:`show_error`.
The wizard stays open until the case is stored, so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QListWidgetItem, QWidget, QWizard

from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.entities import Party, PartyKind
from workstation.domain.errors import FieldError, KnownError
from workstation.services.intake import IntakeOptions
from workstation.ui.field_editors import from_qdate, to_qdate
from workstation.ui.forms.new_case_wizard_ui import Ui_NewCaseWizard

_KIND_HINTS = {
    CaseKind.ORDINARY: "普通程序：先登记线索，立案后编号（《中华人民共和国行政处罚法》第五十四条）。",
    CaseKind.SIMPLE: "简易程序：违法事实确凿并有法定依据，对公民处二百元以下、对法人或者其他组织处三千元以下"
    "罚款或者警告的，可以当场作出决定（《中华人民共和国行政处罚法》第五十一条）。登记即编号。",
    CaseKind.INSPECTION: "行政检查：可多部门“综合查一次”，使用合并检查单。",
    CaseKind.COERCIVE: "行政强制措施（查封、扣押）：实施前须报行政机关负责人批准"
    "（《中华人民共和国行政强制法》第十八条）。",
}

_ID_LABELS = {
    PartyKind.PERSON: "公民身份号码：",
    PartyKind.ORGANISATION: "统一社会信用代码：",
    PartyKind.OTHER: "统一社会信用代码（如有）：",
}


def party_text(party: Party) -> str:
    identifier = party.id_number or party.credit_code or "无证照号码"
    return f"{party.name}（{party.kind.label}，{identifier}）"


class NewCaseWizard(QWizard):
    party_search_requested = Signal(str)
    party_add_requested = Signal(dict)
    case_requested = Signal(dict)

    PARTY_PAGE = 1
    OFFICERS_PAGE = 2

    def __init__(
        self, options: IntakeOptions, actor_id: str | None, today: dt.date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_NewCaseWizard()
        self.ui.setupUi(self)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步(&N) >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步(&B)")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成(&F)")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self._options = options
        self._actor_id = actor_id
        self._today = today
        self._busy = False
        self._chosen_parties: dict[str, Party] = {}
        self._listed: dict[str, Party] = {}
        self._search = QTimer(self)
        self._search.setSingleShot(True)
        self._search.setInterval(250)
        self._fill()
        self._connect_signals()

    # ------------------------------------------------------------- set-up

    def _fill(self) -> None:
        ui = self.ui
        for case_kind in (CaseKind.ORDINARY, CaseKind.SIMPLE, CaseKind.INSPECTION, CaseKind.COERCIVE):
            ui.kindCombo.addItem(case_kind.label, case_kind.value)
        for source in CaseSource:
            ui.sourceCombo.addItem(source.label, source.value)
        ui.openedDate.setDate(to_qdate(self._today))
        ui.itemCombo.addItem("（暂不选择）", "")
        for entry in self._options.items:
            ui.itemCombo.addItem(f"{entry.code} {entry.name}", entry.code)
        for kind in PartyKind:
            ui.partyKindCombo.addItem(kind.label, kind.value)
        self._on_kind_changed()
        self._on_party_kind_changed()
        for choice in self._options.officers:
            officer = choice.officer
            until = officer.certificate_valid_until
            text = (
                f"{officer.name}　执法证 {officer.certificate_no}，"
                f"有效期至{until.year}年{until.month}月{until.day}日"
            )
            if not choice.may_act:
                text += f"（{choice.status.label}，不能承办）"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, officer.id)
            flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
            if not choice.may_act:
                flags &= ~Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags)
            item.setCheckState(
                Qt.CheckState.Checked if officer.id == self._actor_id else Qt.CheckState.Unchecked
            )
            ui.officerList.addItem(item)

    def _connect_signals(self) -> None:
        ui = self.ui
        ui.kindCombo.currentIndexChanged.connect(self._on_kind_changed)
        ui.partyKindCombo.currentIndexChanged.connect(self._on_party_kind_changed)
        ui.partySearchEdit.textChanged.connect(lambda _t: self._search.start())
        self._search.timeout.connect(self._on_search_timeout)
        ui.addPartyButton.clicked.connect(self._on_add_party_clicked)
        ui.partyList.itemChanged.connect(self._on_party_item_changed)
        self.currentIdChanged.connect(self._on_current_id_changed)

    # ------------------------------------------------------------- answers from the page

    def set_parties(self, parties: Sequence[Party]) -> None:
        """Show search results; parties already chosen stay listed and checked."""
        view = self.ui.partyList
        view.blockSignals(True)
        view.clear()
        shown = {p.id: p for p in parties}
        for party in [
            *self._chosen_parties.values(),
            *(p for p in parties if p.id not in self._chosen_parties),
        ]:
            item = QListWidgetItem(party_text(party))
            item.setData(Qt.ItemDataRole.UserRole, party.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = party.id in self._chosen_parties
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            view.addItem(item)
        self._listed = {**shown, **self._chosen_parties}
        view.blockSignals(False)

    def party_added(self, party: Party) -> None:
        ui = self.ui
        self._chosen_parties[party.id] = party
        ui.partyErrorLabel.setText(f"已登记并选中：{party_text(party)}")
        ui.partyErrorLabel.setProperty("role", "hintLabel")
        for edit in (ui.partyNameEdit, ui.partyIdEdit, ui.partyRepEdit, ui.partyAddressEdit):
            edit.clear()
            self._mark(edit, False)
        self.set_parties(list(self._listed.values()))

    def show_party_error(self, exc: BaseException) -> bool:
        if not isinstance(exc, KnownError):
            return False
        ui = self.ui
        ui.partyErrorLabel.setProperty("role", "errorLabel")
        ui.partyErrorLabel.setText(exc.user_text())
        field = exc.field if isinstance(exc, FieldError) else ""
        edits = {"name": ui.partyNameEdit, "id_number": ui.partyIdEdit, "credit_code": ui.partyIdEdit}
        bad = edits.get(field)
        for edit in (ui.partyNameEdit, ui.partyIdEdit):
            self._mark(edit, edit is bad)
        if bad is not None:
            bad.setFocus()
        return True

    def show_error(self, exc: BaseException) -> bool:
        self._busy = False
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        if not isinstance(exc, KnownError):
            return False
        self.ui.errorLabel.setText(exc.user_text())
        return True

    # ------------------------------------------------------------- what the wizard holds

    def kind(self) -> CaseKind:
        return CaseKind(self.ui.kindCombo.currentData())

    def party_ids(self) -> list[str]:
        return list(self._chosen_parties)

    def officer_ids(self) -> list[str]:
        view = self.ui.officerList
        checked = [
            view.item(i) for i in range(view.count()) if view.item(i).checkState() == Qt.CheckState.Checked
        ]
        ids = [str(i.data(Qt.ItemDataRole.UserRole)) for i in checked]
        if self._actor_id in ids:  # the person opening the case leads it
            ids.remove(self._actor_id)
            ids.insert(0, self._actor_id)
        return ids

    def spec(self) -> dict[str, Any]:
        """The JSON of ``workstation case new`` (docs/CLI.md)."""
        ui = self.ui
        officers = self.officer_ids()
        return {
            "kind": self.kind().value,
            "title": ui.titleEdit.text().strip(),
            "source": ui.sourceCombo.currentData(),
            "opened_on": from_qdate(ui.openedDate.date()).isoformat(),
            "actor_id": self._actor_id or (officers[0] if officers else ""),
            "party_ids": self.party_ids(),
            "officer_ids": officers,
            "item_code": ui.itemCombo.currentData() or None,
        }

    # ------------------------------------------------------------- page checks

    def validateCurrentPage(self) -> bool:  # noqa: N802
        """Each page says what is missing before moving on (the service checks again)."""
        ui = self.ui
        page = self.currentId()
        if page == 0 and not ui.titleEdit.text().strip():
            self._mark(ui.titleEdit, True)
            ui.kindHint.setText("请填写案由，例如：某某涉嫌占道经营案。")
            ui.titleEdit.setFocus()
            return False
        if page == self.PARTY_PAGE and not self._chosen_parties and self.kind() is not CaseKind.INSPECTION:
            ui.partyErrorLabel.setProperty("role", "errorLabel")
            ui.partyErrorLabel.setText("请至少选择或登记一名当事人。")
            return False
        if page == self.OFFICERS_PAGE and len(self.officer_ids()) < 2:
            self.ui.officersPage.setSubTitle(
                "请至少勾选两名持有效执法证的执法人员（《中华人民共和国行政处罚法》第四十二条）。"
            )
            return False
        return super().validateCurrentPage()

    def accept(self) -> None:
        """完成: ask the page to store the case; the wizard closes when it has been stored."""
        if self._busy:
            return
        self._busy = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.ui.errorLabel.setText("正在登记……")
        self.case_requested.emit(self.spec())

    def stored(self) -> None:
        self._busy = False
        super().accept()

    # ------------------------------------------------------------- reactions

    @staticmethod
    def _mark(widget: QWidget, bad: bool) -> None:
        widget.setProperty("invalid", bad)
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _on_kind_changed(self, _index: int = 0) -> None:
        self.ui.kindHint.setText(_KIND_HINTS[self.kind()])

    def _on_party_kind_changed(self, _index: int = 0) -> None:
        kind = PartyKind(self.ui.partyKindCombo.currentData())
        self.ui.partyIdLabel.setText(_ID_LABELS[kind])
        self.ui.partyRepLabel.setEnabled(kind is not PartyKind.PERSON)
        self.ui.partyRepEdit.setEnabled(kind is not PartyKind.PERSON)

    def _on_search_timeout(self) -> None:
        self.party_search_requested.emit(self.ui.partySearchEdit.text().strip())

    def _on_add_party_clicked(self) -> None:
        ui = self.ui
        kind = PartyKind(ui.partyKindCombo.currentData())
        identifier = ui.partyIdEdit.text()
        self.party_add_requested.emit(
            {
                "kind": kind.value,
                "name": ui.partyNameEdit.text(),
                "id_number" if kind is PartyKind.PERSON else "credit_code": identifier,
                "legal_representative": ui.partyRepEdit.text(),
                "address": ui.partyAddressEdit.text(),
            }
        )

    def _on_party_item_changed(self, item: QListWidgetItem) -> None:
        party_id = str(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked:
            party = self._listed.get(party_id)
            if party is not None:
                self._chosen_parties[party_id] = party
        else:
            self._chosen_parties.pop(party_id, None)

    def _on_current_id_changed(self, page: int) -> None:
        if page == self.PARTY_PAGE and self.ui.partyList.count() == 0:
            self.party_search_requested.emit("")
        if page == 3:
            self.ui.summaryLabel.setText(self._summary_html())

    def _summary_html(self) -> str:
        ui = self.ui
        officers = {c.officer.id: c.officer.name for c in self._options.officers}
        rows = [
            ("案件类型", ui.kindCombo.currentText()),
            ("案件来源", ui.sourceCombo.currentText()),
            ("案由", ui.titleEdit.text().strip()),
            ("登记日期", ui.openedDate.text()),
            ("执法事项", ui.itemCombo.currentText()),
            ("当事人", "、".join(party_text(p) for p in self._chosen_parties.values()) or "（无）"),
            ("承办人员", "、".join(officers.get(i, i) for i in self.officer_ids())),
        ]
        body = "".join(
            f"<tr><td style='color:#6b7280;padding-right:12px'>{html.escape(k)}</td>"
            f"<td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table>{body}</table>"


__all__ = ["NewCaseWizard", "party_text"]
