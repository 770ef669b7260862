"""The form of one workflow action: its fields, the documents it issues, what the guards say.

The dialog does not close on 确定: it emits :attr:`ActionDialog.submitted` with the values and
waits. The page runs the action; a refusal (rules with their articles) or a wrong field is shown
here with the field highlighted and nothing typed is lost; success closes the dialog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from workstation.domain.errors import FieldError, KnownError
from workstation.domain.guards import RuleProblem
from workstation.domain.workflow import ActionOption, ActionRefused
from workstation.ui.field_editors import FieldEditors, citation_from_link, problems_html
from workstation.ui.forms.action_dialog_ui import Ui_ActionDialog


class ActionDialog(QDialog):
    submitted = Signal(dict)
    citation_activated = Signal(str)

    def __init__(
        self,
        action: ActionOption,
        today: dt.date,
        stage_label: str,
        documents: Sequence[str] = (),
        parent: QWidget | None = None,
        vocabularies: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_ActionDialog()
        self.ui.setupUi(self)
        self.action = action
        self.setWindowTitle(f"办理：{action.label}")
        self.ui.titleLabel.setText(action.label)
        parts = [f"办理日期：{today.year}年{today.month}月{today.day}日"]
        if action.to_stage:
            parts.append(f"办理后进入“{stage_label}”阶段")
        if documents:
            parts.append("制作文书：" + "、".join(documents))
        self.ui.descriptionLabel.setText("；".join(parts) + "。")
        self.editors = FieldEditors(self.ui.fieldsForm, action.required_fields, today, vocabularies)
        if not self.editors.names():
            self.ui.scrollArea.setVisible(False)
        self._busy = False
        self.show_problems((), action.warnings)
        self.ui.buttonBox.accepted.connect(self._on_button_box_accepted)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.ui.problemsLabel.linkActivated.connect(self._on_problems_label_link_activated)

    def values(self) -> dict[str, Any]:
        return self.editors.values()

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            self.editors.set_value(name, value)

    def show_problems(self, problems: Sequence[RuleProblem], warnings: Sequence[RuleProblem] = ()) -> None:
        label = self.ui.problemsLabel
        text = problems_html(problems, warnings)
        label.setText(text)
        label.setVisible(bool(text))

    def show_error(self, exc: BaseException) -> bool:
        """Show a refusal or a wrong field here; False for errors the dialog cannot explain."""
        self._set_busy(False)
        if isinstance(exc, ActionRefused):
            self.show_problems(exc.problems)
            self.ui.errorLabel.setText(f"未能办理“{self.action.label}”：请按上面列出的规定处理后再提交。")
            return True
        if isinstance(exc, FieldError):
            self.editors.mark_invalid(exc.field)
            self.ui.errorLabel.setText(exc.message + (f"\n{exc.advice}" if exc.advice else ""))
            return True
        if isinstance(exc, KnownError):
            self.ui.errorLabel.setText(exc.message + (f"\n{exc.advice}" if exc.advice else ""))
            return True
        return False

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        ok = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not busy)
        ok.setText("正在办理……" if busy else "确定")

    def _on_button_box_accepted(self) -> None:
        if self._busy:
            return
        self.ui.errorLabel.setText("")
        self.editors.mark_invalid(None)
        self._set_busy(True)
        self.submitted.emit(self.values())

    def _on_problems_label_link_activated(self, link: str) -> None:
        citation = citation_from_link(link)
        if citation:
            self.citation_activated.emit(citation)


__all__ = ["ActionDialog"]
