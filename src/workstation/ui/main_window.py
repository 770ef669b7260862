"""The main window: navigation on the left, pages on the right, status bar below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation import APP_DISPLAY_NAME, __version__
from workstation.ui.forms.main_window_ui import Ui_MainWindow
from workstation.ui.forms.shortcuts_dialog_ui import Ui_ShortcutsDialog
from workstation.ui.pages.placeholder import PlaceholderPage
from workstation.ui.pages.registry import PAGES, PageSpec
from workstation.ui.sync_status import SyncStatusWidget
from workstation.ui.theme import icon


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What the status bar always shows."""

    user: str = "未登录"
    training: bool = False
    online: bool = False
    sync: str = "未配置省级平台，单机工作"


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_ShortcutsDialog()
        self.ui.setupUi(self)
        table = self.ui.shortcutTable
        table.setRowCount(len(rows))
        for r, (action, keys) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(action))
            table.setItem(r, 1, QTableWidgetItem(keys))
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().setVisible(False)
        table.resizeColumnsToContents()
        self.ui.buttonBox.rejected.connect(self.reject)


class MainWindow(QMainWindow):
    page_changed = Signal(str)
    backup_requested = Signal()
    user_switch_requested = Signal()
    #: The window has closed: background work tied to it (the sync timer) stops.
    closed = Signal()

    def __init__(
        self,
        page_factories: dict[str, Callable[[], QWidget]],
        status: StatusInfo,
        ui_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        """``page_factories`` build the pages that exist; each is called when its page is first shown."""
        super().__init__(parent)
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        self.setWindowTitle(f"{APP_DISPLAY_NAME} {__version__}")
        self._ui_state = ui_state
        self._keys: list[str] = []
        self._factories = page_factories
        self._built: dict[str, QWidget] = {}
        for spec in PAGES:
            self._add_page(spec)
        self._build_status_bar(status)
        self._connect_signals()
        self._restore_state()
        self.ui.navList.setCurrentRow(0)

    def _add_page(self, spec: PageSpec) -> None:
        item = QListWidgetItem(icon(spec.icon), spec.title)
        item.setToolTip(f"{spec.title}（{spec.shortcut}）")
        item.setData(Qt.ItemDataRole.UserRole, spec.key)
        self.ui.navList.addItem(item)
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        self.ui.pageStack.addWidget(holder)
        self._keys.append(spec.key)
        shortcut = QShortcut(QKeySequence(spec.shortcut), self)
        shortcut.activated.connect(lambda key=spec.key: self.show_page(key))

    def _build_status_bar(self, status: StatusInfo) -> None:
        bar = self.ui.statusBar
        self.user_label = QPushButton(f"用户：{status.user}")
        self.user_label.setFlat(True)
        self.user_label.setToolTip("切换当前用户：以哪位执法人员的身份办理")
        self.user_label.setAccessibleName("当前用户")
        self.user_label.clicked.connect(self.user_switch_requested)
        self.mode_label = QLabel()
        if status.training:
            self.mode_label.setObjectName("trainingBadge")
            self.mode_label.setText("培训模式（不影响正式数据）")
        else:
            self.mode_label.setText("正式环境")
        self.sync_status = SyncStatusWidget()
        self.network_label = self.sync_status.network_label
        self.sync_label = self.sync_status.sync_label
        self.network_label.setText("在线" if status.online else "离线")
        self.sync_label.setText(f"同步：{status.sync}")
        self.sync_status.clicked.connect(lambda: self.show_page("sync"))
        for widget in (self.user_label, self.mode_label, self.sync_status):
            bar.addPermanentWidget(widget)

    def _connect_signals(self) -> None:
        self.ui.navList.currentRowChanged.connect(self._on_nav_row_changed)
        self.ui.actionQuit.triggered.connect(self.close)
        self.ui.actionShortcuts.triggered.connect(self._on_shortcuts_triggered)
        self.ui.actionAbout.triggered.connect(self._on_about_triggered)
        self.ui.actionBackup.triggered.connect(self.backup_requested)

    def set_user(self, text: str) -> None:
        self.user_label.setText(f"用户：{text}")

    def page(self, key: str) -> QWidget:
        """The page widget for ``key``, built now if it has not been shown yet."""
        built = self._built.get(key)
        if built is None:
            index = self._keys.index(key)
            spec = PAGES[index]
            factory = self._factories.get(key)
            built = factory() if factory is not None else PlaceholderPage(spec)
            holder = self.ui.pageStack.widget(index)
            holder.layout().addWidget(built)
            self._built[key] = built
        return built

    def show_page(self, key: str) -> None:
        self.ui.navList.setCurrentRow(self._keys.index(key))

    def current_page(self) -> str:
        return self._keys[int(self.ui.pageStack.currentIndex())]

    def _on_nav_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._keys):
            self.page(self._keys[row])
            self.ui.pageStack.setCurrentIndex(row)
            self.page_changed.emit(self._keys[row])

    def shortcut_rows(self) -> list[tuple[str, str]]:
        rows = [(f"打开“{spec.title}”", spec.shortcut) for spec in PAGES]
        for action in (self.ui.actionBackup, self.ui.actionShortcuts, self.ui.actionQuit):
            rows.append((action.text().split("(")[0], action.shortcut().toString()))
        rows.append(("刷新工作台", "F5"))
        return rows

    def _on_shortcuts_triggered(self) -> None:
        dialog = ShortcutsDialog(self.shortcut_rows(), self)
        dialog.open()

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            "关于工作站",
            f"<b>{APP_DISPLAY_NAME}</b> {__version__}<br>"
            "供乡镇（街道）综合行政执法机构使用：行政检查、行政处罚、行政强制措施，"
            "在线找法、裁量基准、执法文书与全过程记录。",
        )

    def _restore_state(self) -> None:
        geometry = self._ui_state.value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._ui_state.setValue("main_window/geometry", self.saveGeometry())
        self._ui_state.sync()
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
