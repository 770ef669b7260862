"""设置: where the data lives, database health, backups."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from workstation.domain.ports import DatabaseHealth
from workstation.services.changes import Result
from workstation.services.maintenance import MaintenanceService
from workstation.ui.errors import ErrorReporter
from workstation.ui.forms.settings_page_ui import Ui_SettingsPage
from workstation.ui.tasks import TaskRunner


class SettingsPage(QWidget):
    check_finished = Signal(bool)
    backup_finished = Signal(str)

    def __init__(
        self,
        maintenance: MaintenanceService,
        data_dir: Path,
        log_file: Path,
        runner: TaskRunner,
        errors: ErrorReporter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_SettingsPage()
        self.ui.setupUi(self)
        self._maintenance = maintenance
        self._runner = runner
        self._errors = errors
        self.ui.dataDirValue.setText(str(data_dir))
        self.ui.dbValue.setText(str(maintenance.database_path))
        self.ui.logValue.setText(str(log_file))
        self._checked_once = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.ui.checkButton.clicked.connect(self._on_check_clicked)
        self.ui.backupButton.clicked.connect(self._on_backup_clicked)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._refresh_backups()
        if not self._checked_once:
            self._checked_once = True
            self._on_check_clicked()

    def _refresh_backups(self) -> None:
        self._runner.run_io(self._maintenance.list_backups, self._on_backups_listed, self._errors.report)

    def _on_backups_listed(self, result: Result[list[Path]]) -> None:
        self.ui.backupsList.clear()
        for path in result.value:
            self.ui.backupsList.addItem(path.name)
        if not result.value:
            self.ui.backupsList.addItem("（暂无备份）")

    def _on_check_clicked(self) -> None:
        self.ui.checkButton.setEnabled(False)
        self.ui.integrityValue.setText("正在检查……")
        self._runner.run_db(self._maintenance.check, self._on_check_done, self._on_check_failed, "检查数据库")

    def _on_check_failed(self, exc: BaseException) -> None:
        self.ui.checkButton.setEnabled(True)
        self.ui.integrityValue.setText("检查未完成")
        self._errors.report(exc)

    def _on_check_done(self, result: Result[DatabaseHealth]) -> None:
        self.ui.checkButton.setEnabled(True)
        health = result.value
        self.ui.revisionValue.setText(health.revision or "未知")
        if health.ok:
            self.ui.integrityValue.setText(
                f"正常（{health.size_bytes / 1024:,.0f} KB，{health.journal_mode.upper()} 模式）"
            )
        else:
            self.ui.integrityValue.setText("发现问题：" + "；".join(health.integrity[:3]))
        self.check_finished.emit(health.ok)

    def _on_backup_clicked(self) -> None:
        self.backup_now()

    def backup_now(self) -> None:
        self.ui.backupButton.setEnabled(False)
        self._runner.run_db(
            self._maintenance.backup, self._on_backup_done, self._on_backup_failed, "备份数据库"
        )

    def _on_backup_failed(self, exc: BaseException) -> None:
        self.ui.backupButton.setEnabled(True)
        self._errors.report(exc)

    def _on_backup_done(self, result: Result[Path]) -> None:
        self.ui.backupButton.setEnabled(True)
        self._refresh_backups()
        self.backup_finished.emit(str(result.value))
