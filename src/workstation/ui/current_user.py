"""Who is working at this desk: the officer every action is recorded against.

The choice is kept in the settings (id and name, so the status bar needs no database at
start-up). :class:`UserSwitcher` offers the office's officers whose 执法证 is valid, and
reviewers, and stores the choice.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QWidget

from workstation.domain.entities import Officer
from workstation.domain.errors import KnownError
from workstation.services.changes import Result
from workstation.services.intake import IntakeOptions, IntakeService
from workstation.ui.errors import ErrorReporter
from workstation.ui.tasks import TaskRunner


class CurrentUser(QObject):
    changed = Signal()

    def __init__(
        self,
        officer_id: str = "",
        name: str = "",
        save: Callable[[str, str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._id = officer_id
        self._name = name
        self._save = save

    @property
    def officer_id(self) -> str | None:
        return self._id or None

    @property
    def name(self) -> str:
        return self._name

    def text(self) -> str:
        return self._name if self._id else "未选择"

    def set(self, officer_id: str, name: str) -> None:
        if (officer_id, name) == (self._id, self._name):
            return
        self._id, self._name = officer_id, name
        if self._save is not None:
            self._save(officer_id, name)
        self.changed.emit()


class UserSwitcher(QObject):
    """Asks which officer is working now (from the office's officers) and sets :class:`CurrentUser`."""

    def __init__(
        self,
        current: CurrentUser,
        intake: IntakeService,
        runner: TaskRunner,
        errors: ErrorReporter,
        parent_widget: Callable[[], QWidget | None],
    ) -> None:
        super().__init__()
        self._current = current
        self._intake = intake
        self._runner = runner
        self._errors = errors
        self._parent = parent_widget
        self.dialog: QInputDialog | None = None

    def choose(self) -> None:
        self._runner.run_db(self._intake.options, self._on_options, self._errors.report, "执法人员")

    def _on_options(self, result: Result[IntakeOptions]) -> None:
        choices = [c for c in result.value.officers if c.may_act or c.is_reviewer]
        if not choices:
            self._errors.show_known(
                KnownError(
                    "本单位还没有可以办案的执法人员。",
                    "请先导入或同步执法人员名单（workstation demo seed 可载入示例）。",
                )
            )
            return
        labels = [f"{c.officer.name}（{'、'.join(r.label for r in c.officer.roles)}）" for c in choices]
        current = next((i for i, c in enumerate(choices) if c.officer.id == self._current.officer_id), 0)
        dialog = QInputDialog(self._parent())
        dialog.setWindowTitle("切换当前用户")
        dialog.setLabelText("以哪位人员的身份办理：")
        dialog.setComboBoxItems(labels)
        dialog.setComboBoxEditable(False)
        dialog.setTextValue(labels[current])
        dialog.setOkButtonText("确定")
        dialog.setCancelButtonText("取消")
        dialog.textValueSelected.connect(
            lambda label: self._pick(choices[labels.index(label)].officer) if label in labels else None
        )
        self.dialog = dialog
        dialog.open()

    def _pick(self, officer: Officer) -> None:
        self._current.set(officer.id, officer.name)


__all__ = ["CurrentUser", "UserSwitcher"]
