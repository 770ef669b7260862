"""证据 in the case workspace: the 证据 tab (:class:`EvidencePanel` over
:class:`EvidenceTableModel`), the 添加证据 form (:class:`EvidenceDialog`) and the 更正/作废 form
(:class:`EvidenceCorrectionDialog`).

The forms do not close on 确定: they emit ``submitted`` and wait. The page runs the service; a
wrong field (FieldError) is highlighted here with the service's Chinese message and nothing typed
is lost; success closes the form. The widgets check nothing themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.domain.cases import EvidenceKind
from workstation.domain.clock import CHINA_TZ
from workstation.domain.errors import FieldError, KnownError
from workstation.domain.evidence_ports import EvidenceItem
from workstation.ui.forms.evidence_dialog_ui import Ui_EvidenceDialog

_CORRECTED = QColor("#6b7280")
_VOIDED = QColor("#b91c1c")
#: How many hex digits of the SHA-256 the list shows (the whole hash is in the tooltip).
HASH_PREFIX = 12
#: The widest each column is made when the list is filled (the rest is elided; tooltips tell all).
_WIDEST = {0: 110, 1: 240, 2: 150, 3: 130, 4: 170, 5: 160, 6: 80, 7: 110}

Index = QModelIndex | QPersistentModelIndex


def size_text(size: int) -> str:
    """A file size as people read it: 812 B, 35.2 KB, 4.1 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _when(item: EvidenceItem) -> str:
    if item.collected_at is not None:
        return item.collected_at.strftime("%Y-%m-%d %H:%M")
    return item.collected_on.isoformat() if item.collected_on else "—"


def _set_invalid(widget: QWidget, bad: bool) -> None:
    widget.setProperty("invalid", bad)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class EvidenceTableModel(QAbstractTableModel):
    """The evidence of one case, one row per piece, corrected pieces included (greyed)."""

    HEADERS = ("种类", "名称/说明", "来源（提供人）", "取证时间", "取证人", "文件", "大小", "SHA-256", "状态")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[EvidenceItem] = []

    def set_items(self, items: Sequence[EvidenceItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> EvidenceItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def _text(self, item: EvidenceItem, column: int) -> str:
        if column == 0:
            return item.kind_label
        if column == 1:
            return f"{item.title}：{item.description}" if item.description else item.title
        if column == 2:
            return item.source or "—"
        if column == 3:
            return _when(item)
        if column == 4:
            return "、".join(item.collectors) or "—"
        if column == 5:
            return item.original_name or ("（无文件）" if not item.sha256 else "—")
        if column == 6:
            return size_text(item.size) if item.sha256 else "—"
        if column == 7:
            return item.sha256[:HASH_PREFIX] if item.sha256 else "—"
        correction = item.correction
        return f"{correction.label}：{correction.reason}" if correction else "有效"

    def _tooltip(self, item: EvidenceItem, column: int) -> str:
        if column == 7 and item.sha256:
            return f"SHA-256：{item.sha256}"
        if column == 5 and item.sha256:
            return f"{item.original_name}（{item.media_type}）\n双击打开"
        correction = item.correction
        if correction is not None:
            at = correction.at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
            return f"{correction.label}：{correction.reason}\n{correction.actor_name}，{at}"
        if column == 1 and item.description:
            return item.description
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, column) or None
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        if role == Qt.ItemDataRole.ForegroundRole and item.correction is not None:
            return QBrush(_VOIDED if column == 8 else _CORRECTED)
        if role == Qt.ItemDataRole.FontRole and item.correction is not None and column == 1:
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None


class EvidencePanel(QWidget):
    """The 证据 tab: the case's evidence, 添加证据, double-click to open a file, a context menu
    to open, 更正 or 作废 a piece."""

    add_requested = Signal()
    open_requested = Signal(object)
    correct_requested = Signal(object, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EvidenceTableModel(self)
        self.add_button = QPushButton("添加证据(&A)…")
        self.add_button.setEnabled(False)
        self.count_label = QLabel("")
        hint = QLabel("双击打开证据文件；右键可更正或作废（原证据保留，记入全过程记录）。")
        hint.setStyleSheet("color:#6b7280")
        hint.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("案件证据")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        layout.addWidget(hint)
        self.menu: QMenu | None = None
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.add_requested)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu_requested)

    def set_items(self, items: Sequence[EvidenceItem]) -> None:
        self.model.set_items(items)
        corrected = sum(1 for i in items if i.correction is not None)
        text = f"共 {len(items)} 份"
        self.count_label.setText(text + (f"（其中 {corrected} 份已更正或作废）" if corrected else ""))
        for column, widest in _WIDEST.items():
            self.view.resizeColumnToContents(column)
            self.view.setColumnWidth(column, min(self.view.columnWidth(column), widest))

    def clear(self) -> None:
        self.set_items(())
        self.count_label.setText("")

    def actions_for(self, item: EvidenceItem) -> list[QAction]:
        """The context menu's actions for ``item`` (打开文件, 更正…, 作废…)."""
        open_action = QAction("打开文件(&O)", self)
        open_action.setEnabled(bool(item.sha256))
        open_action.triggered.connect(lambda: self.open_requested.emit(item))
        correct = QAction("更正(&C)…", self)
        void = QAction("作废(&V)…", self)
        for action, is_void in ((correct, False), (void, True)):
            action.setEnabled(item.correction is None)
            action.triggered.connect(lambda _checked=False, v=is_void: self.correct_requested.emit(item, v))
        return [open_action, correct, void]

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item is not None and item.sha256:
            self.open_requested.emit(item)

    def _on_view_context_menu_requested(self, pos: QPoint) -> None:
        item = self.model.item(self.view.indexAt(pos).row())
        if item is None:
            return
        if self.menu is not None:  # the last one has closed: menus and their actions do not pile up
            self.menu.deleteLater()
        menu = QMenu(self)
        for action in self.actions_for(item):
            action.setParent(menu)
            menu.addAction(action)
        self.menu = menu
        menu.popup(self.view.viewport().mapToGlobal(pos))


class EvidenceDialog(QDialog):
    """添加证据: kind, name, description, source, time, collecting officers, file (optional)."""

    #: {"kind", "title", "description", "source", "collected_at": datetime, "collectors": [id],
    #:  "file": Path | None}
    submitted = Signal(dict)

    FILE_FILTER = (
        "证据文件 (*.jpg *.jpeg *.png *.heic *.pdf *.mp3 *.m4a *.wav *.amr *.mp4 *.mov *.avi *.3gp);;"
        "图片 (*.jpg *.jpeg *.png *.heic);;PDF (*.pdf);;"
        "音频、视频 (*.mp3 *.m4a *.wav *.amr *.mp4 *.mov *.avi *.3gp);;所有文件 (*)"
    )

    def __init__(
        self,
        officers: Sequence[tuple[str, str]],
        checked: Sequence[str],
        now: dt.datetime,
        case_label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_EvidenceDialog()
        self.ui.setupUi(self)
        if case_label:
            self.ui.headingLabel.setText(f"添加证据：{case_label}")
        for kind in EvidenceKind:
            self.ui.kindCombo.addItem(kind.label, kind.value)
        self.ui.collectedEdit.setDateTime(_qdatetime(now))
        for officer_id, name in officers:
            entry = QListWidgetItem(name)
            entry.setData(Qt.ItemDataRole.UserRole, officer_id)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked if officer_id in checked else Qt.CheckState.Unchecked)
            self.ui.collectorsList.addItem(entry)
        self._file: Path | None = None
        self._file_dialog: QFileDialog | None = None
        self._busy = False
        self._fields: dict[str, QWidget] = {
            "kind": self.ui.kindCombo,
            "title": self.ui.titleEdit,
            "description": self.ui.descriptionEdit,
            "source": self.ui.sourceEdit,
            "collected_at": self.ui.collectedEdit,
            "collectors": self.ui.collectorsList,
            "file": self.ui.fileEdit,
        }
        self._connect_signals()
        self.ui.titleEdit.setFocus()

    def _connect_signals(self) -> None:
        self.ui.buttonBox.accepted.connect(self._on_button_box_accepted)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.ui.fileButton.clicked.connect(self.choose_file)
        self.ui.clearFileButton.clicked.connect(self._on_clear_file_button_clicked)

    # ------------------------------------------------------------------ values

    def values(self) -> dict[str, Any]:
        ui = self.ui
        collectors = []
        for row in range(ui.collectorsList.count()):
            entry = ui.collectorsList.item(row)
            if entry.checkState() == Qt.CheckState.Checked:
                collectors.append(str(entry.data(Qt.ItemDataRole.UserRole)))
        return {
            "kind": str(ui.kindCombo.currentData()),
            "title": ui.titleEdit.text(),
            "description": ui.descriptionEdit.toPlainText(),
            "source": ui.sourceEdit.text(),
            "collected_at": ui.collectedEdit.dateTime().toPython(),
            "collectors": collectors,
            "file": self._file,
        }

    def set_kind(self, kind: str) -> None:
        index = self.ui.kindCombo.findData(kind)
        if index >= 0:
            self.ui.kindCombo.setCurrentIndex(index)

    def set_collected_at(self, when: dt.datetime) -> None:
        self.ui.collectedEdit.setDateTime(_qdatetime(when))

    def set_file(self, path: str | Path | None) -> None:
        self._file = Path(path) if path else None
        self.ui.fileEdit.setText(str(self._file) if self._file else "")
        _set_invalid(self.ui.fileEdit, False)

    def choose_file(self) -> None:
        """选择文件: a non-modal QFileDialog (``open()``)."""
        if self._file_dialog is None:
            dialog = QFileDialog(self, "选择证据文件")
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            dialog.setNameFilter(self.FILE_FILTER)
            dialog.fileSelected.connect(self.set_file)
            self._file_dialog = dialog
        self._file_dialog.open()

    # ------------------------------------------------------------------ outcome

    def show_error(self, exc: BaseException) -> bool:
        """Show a refusal here (the field highlighted); False for errors the form cannot explain."""
        self._set_busy(False)
        if not isinstance(exc, KnownError):
            return False
        self.mark_invalid(exc.field if isinstance(exc, FieldError) else None)
        self.ui.errorLabel.setText(exc.message + (f"\n{exc.advice}" if exc.advice else ""))
        return True

    def mark_invalid(self, name: str | None) -> bool:
        """Highlight the widget of field ``name`` (clearing the others) and focus it."""
        found = False
        for field, widget in self._fields.items():
            bad = field == name
            _set_invalid(widget, bad)
            if bad:
                widget.setFocus()
                found = True
        return found

    def invalid_fields(self) -> list[str]:
        return [name for name, widget in self._fields.items() if widget.property("invalid") is True]

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        ok = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not busy)
        ok.setText("正在保存……" if busy else "添加")

    def _on_button_box_accepted(self) -> None:
        if self._busy:
            return
        self.ui.errorLabel.setText("")
        self.mark_invalid(None)
        self._set_busy(True)
        self.submitted.emit(self.values())

    def _on_clear_file_button_clicked(self) -> None:
        self.set_file(None)


class EvidenceCorrectionDialog(QDialog):
    """更正 or 作废 a piece of evidence, with the reason; the original is kept."""

    #: (reason, void)
    submitted = Signal(str, bool)

    def __init__(self, item: EvidenceItem, void: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setWindowTitle("更正或作废证据")
        self.resize(520, 320)
        heading = QLabel(f"{item.title}（{item.kind_label}）")
        heading.setProperty("role", "titleLabel")
        note = QLabel(
            "证据不能删除或修改。更正、作废后原证据仍保留在证据列表和卷宗中，并注明理由；"
            "本操作记入全过程记录。"
        )
        note.setWordWrap(True)
        self.correct_radio = QRadioButton("更正(&C)：证据有错漏，已另行补正")
        self.void_radio = QRadioButton("作废(&V)：证据不予采用")
        group = QButtonGroup(self)
        group.addButton(self.correct_radio)
        group.addButton(self.void_radio)
        (self.void_radio if void else self.correct_radio).setChecked(True)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setPlaceholderText("例如：照片拍摄对象有误，已重新拍摄并添加")
        self.reason_edit.setAccessibleName("更正或作废理由")
        self.error_label = QLabel("")
        self.error_label.setProperty("role", "errorLabel")
        self.error_label.setWordWrap(True)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout()
        form.addRow("处理方式", self.correct_radio)
        form.addRow("", self.void_radio)
        form.addRow("理由(&R)", self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.button_box)
        self._busy = False
        self.button_box.accepted.connect(self._on_button_box_accepted)
        self.button_box.rejected.connect(self.reject)
        self.reason_edit.setFocus()

    def is_void(self) -> bool:
        return self.void_radio.isChecked()

    def show_error(self, exc: BaseException) -> bool:
        """Show a refusal here (the reason highlighted when it is wrong); False otherwise."""
        self._set_busy(False)
        if not isinstance(exc, KnownError):
            return False
        bad = isinstance(exc, FieldError) and exc.field == "reason"
        _set_invalid(self.reason_edit, bad)
        if bad:
            self.reason_edit.setFocus()
        self.error_label.setText(exc.message + (f"\n{exc.advice}" if exc.advice else ""))
        return True

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)

    def _on_button_box_accepted(self) -> None:
        if self._busy:
            return
        self.error_label.setText("")
        _set_invalid(self.reason_edit, False)
        self._set_busy(True)
        self.submitted.emit(self.reason_edit.toPlainText(), self.is_void())


def _qdatetime(when: dt.datetime) -> QDateTime:
    local = when.astimezone(CHINA_TZ) if when.tzinfo is not None else when
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


__all__ = [
    "EvidenceCorrectionDialog",
    "EvidenceDialog",
    "EvidencePanel",
    "EvidenceTableModel",
    "size_text",
]
