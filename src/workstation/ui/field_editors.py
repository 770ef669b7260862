"""Editors for the fields a workflow action asks for, built from its :class:`FieldSpec` list.

Workflows are data (resources/workflows/*.json), so the form of each action is made from the
definition: a date picker for ``date``, a check box for ``bool``, a drop-down of Chinese labels
for ``choice``, a checkable list for vocabularies (证据种类, 处罚种类), a table for record lists
(the merged 检查单) and one line per item for other lists. Values go to the case service as
typed; it checks them and names the field when one is wrong (:meth:`FieldEditors.mark_invalid`).
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation.domain.guards import RuleProblem
from workstation.domain.vocabulary import CASE_FILLED, LIST_VOCABULARIES, RECORD_LISTS, option_label
from workstation.domain.workflow import FieldSpec

#: Shown by an optional date picker that holds no date.
NO_DATE = QDate(1900, 1, 1)
CITE_SCHEME = "cite:"


def citation_link(citation: str) -> str:
    """An anchor that opens ``citation`` in 找法 (see :func:`citation_from_link`); plain text for
    what is not a statute (a workflow's own rule)."""
    if "《" not in citation:
        return _escape(citation)
    href = CITE_SCHEME + urllib.parse.quote(citation)
    return f'<a href="{href}">{_escape(citation)}</a>'


def citation_from_link(link: str) -> str | None:
    return urllib.parse.unquote(link[len(CITE_SCHEME) :]) if link.startswith(CITE_SCHEME) else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def problems_html(problems: Iterable[RuleProblem], warnings: Iterable[RuleProblem] = ()) -> str:
    """Each rule with its message and a link to the article it rests on."""
    lines = [f"［{_escape(p.rule)}］{_escape(p.message)}（{citation_link(p.citation)}）" for p in problems]
    lines += [
        f"（提示）［{_escape(p.rule)}］{_escape(p.message)}（{citation_link(p.citation)}）" for p in warnings
    ]
    return "<br>".join(lines)


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


@dataclass
class _Editor:
    spec: FieldSpec
    widget: QWidget
    read: Callable[[], Any]
    write: Callable[[Any], None]


class FieldEditors:
    """The editors of one action's fields, laid out in a QFormLayout."""

    def __init__(
        self,
        form: QFormLayout,
        specs: Sequence[FieldSpec],
        today: dt.date,
        vocabularies: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """``vocabularies`` add per-case item lists (e.g. the 裁量情节 of the case's 执法事项)."""
        self._form = form
        self._today = today
        self._vocabularies = {**LIST_VOCABULARIES, **(vocabularies or {})}
        self._editors: dict[str, _Editor] = {}
        for spec in specs:
            if spec.name in CASE_FILLED:
                note = QLabel("自动带入本案承办执法人员")
                note.setProperty("role", "hintLabel")
                form.addRow(spec.label + "：", note)
                continue
            editor = self._make(spec)
            editor.widget.setObjectName(f"field_{spec.name}")
            editor.widget.setAccessibleName(spec.label)
            label = spec.label + ("（选填）" if spec.optional else "") + "："
            form.addRow(label, editor.widget)
            self._editors[spec.name] = editor

    # ------------------------------------------------------------- access

    def names(self) -> list[str]:
        return list(self._editors)

    def widget(self, name: str) -> QWidget:
        return self._editors[name].widget

    def set_value(self, name: str, value: Any) -> None:
        self._editors[name].write(value)

    def values(self) -> dict[str, Any]:
        """The filled-in values; empty optional fields are left out."""
        out: dict[str, Any] = {}
        for name, editor in self._editors.items():
            value = editor.read()
            if value is None or value == "" or (value == [] and editor.spec.optional):
                continue
            if editor.spec.type == "bool" and value is False and editor.spec.optional:
                continue
            out[name] = value
        return out

    def mark_invalid(self, name: str | None) -> bool:
        """Highlight the editor of ``name`` (clearing others) and focus it; False if not here."""
        found = False
        for field_name, editor in self._editors.items():
            bad = field_name == name
            editor.widget.setProperty("invalid", bad)
            editor.widget.style().unpolish(editor.widget)
            editor.widget.style().polish(editor.widget)
            if bad:
                editor.widget.setFocus()
                found = True
        return found

    # ------------------------------------------------------------- builders

    def _make(self, spec: FieldSpec) -> _Editor:
        if spec.type == "date":
            return self._date(spec)
        if spec.type == "bool":
            box = QCheckBox()
            return _Editor(spec, box, box.isChecked, lambda v: box.setChecked(bool(v)))
        if spec.type == "int":
            spin = QSpinBox()
            spin.setRange(-1 if spec.optional else 0, 3650)
            if spec.optional:
                spin.setSpecialValueText("（未填写）")
                spin.setValue(-1)

            def read_int() -> int | None:
                value = spin.value()
                return None if value < 0 else value

            return _Editor(spec, spin, read_int, lambda v: spin.setValue(int(v)))
        if spec.type == "choice":
            return self._choice(spec)
        if spec.type == "list":
            if spec.name in self._vocabularies:
                return self._checklist(spec)
            if spec.name in RECORD_LISTS:
                return self._records(spec)
            return self._lines(spec)
        if spec.type == "money":
            edit = QLineEdit()
            edit.setPlaceholderText("单位：元，例如 500 或 1,200.50")
            return _Editor(spec, edit, lambda: edit.text().strip(), lambda v: edit.setText(str(v)))
        text = QPlainTextEdit()
        text.setTabChangesFocus(True)
        text.setFixedHeight(64)
        return _Editor(spec, text, lambda: text.toPlainText().strip(), lambda v: text.setPlainText(str(v)))

    def _date(self, spec: FieldSpec) -> _Editor:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy年M月d日")
        if spec.optional:
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText("（未填写）")
            edit.setDate(NO_DATE)
        else:
            edit.setDate(to_qdate(self._today))

        def read() -> str | None:
            day = edit.date()
            return None if day == NO_DATE and spec.optional else from_qdate(day).isoformat()

        def write(value: Any) -> None:
            if value:
                edit.setDate(to_qdate(value if isinstance(value, dt.date) else dt.date.fromisoformat(value)))

        return _Editor(spec, edit, read, write)

    def _choice(self, spec: FieldSpec) -> _Editor:
        combo = QComboBox()
        if spec.optional or len(spec.options) > 1:
            combo.addItem("（请选择）", "")
        for code in spec.options:
            combo.addItem(option_label(spec.name, code), code)

        def write(value: Any) -> None:
            combo.setCurrentIndex(max(0, combo.findData(value)))

        return _Editor(spec, combo, lambda: combo.currentData() or "", write)

    def _checklist(self, spec: FieldSpec) -> _Editor:
        widget = QListWidget()
        widget.setFixedHeight(120)
        for code, label in self._vocabularies[spec.name].items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            widget.addItem(item)

        def items() -> list[QListWidgetItem]:
            return [widget.item(i) for i in range(widget.count())]

        def read() -> list[str]:
            return [
                str(i.data(Qt.ItemDataRole.UserRole))
                for i in items()
                if i.checkState() == Qt.CheckState.Checked
            ]

        def write(value: Any) -> None:
            chosen = set(value or ())
            for i in items():
                checked = i.data(Qt.ItemDataRole.UserRole) in chosen
                i.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

        return _Editor(spec, widget, read, write)

    def _records(self, spec: FieldSpec) -> _Editor:
        columns = RECORD_LISTS[spec.name]
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        table = QTableWidget(0, len(columns))
        table.setObjectName(f"table_{spec.name}")
        table.setHorizontalHeaderLabels([label for _key, label, _type in columns])
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setFixedHeight(140)
        buttons = QHBoxLayout()
        add = QPushButton("添加一行")
        remove = QPushButton("删除所选行")
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addWidget(table)
        layout.addLayout(buttons)

        def cell(kind: str, value: Any) -> QTableWidgetItem:
            if kind == "bool":
                item = QTableWidgetItem()
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
                return item
            return QTableWidgetItem("" if value is None else str(value))

        def add_row(values: dict[str, Any] | None = None) -> None:
            row = table.rowCount()
            table.insertRow(row)
            for c, (key, _label, kind) in enumerate(columns):
                default = True if key == "related" else None
                table.setItem(row, c, cell(kind, (values or {}).get(key, default)))

        def remove_row() -> None:
            if table.currentRow() >= 0:
                table.removeRow(table.currentRow())

        add.clicked.connect(lambda: add_row())
        remove.clicked.connect(remove_row)

        def read() -> list[dict[str, Any]]:
            rows = []
            for r in range(table.rowCount()):
                record: dict[str, Any] = {}
                texts = []
                for c, (key, _label, kind) in enumerate(columns):
                    item = table.item(r, c)
                    if kind == "bool":
                        record[key] = item is not None and item.checkState() == Qt.CheckState.Checked
                    else:
                        record[key] = item.text().strip() if item is not None else ""
                        texts.append(record[key])
                if any(texts):
                    rows.append(record)
            return rows

        def write(value: Any) -> None:
            table.setRowCount(0)
            for record in value or ():
                add_row(dict(record) if isinstance(record, dict) else {"name": str(record)})

        return _Editor(spec, host, read, write)

    def _lines(self, spec: FieldSpec) -> _Editor:
        text = QPlainTextEdit()
        text.setTabChangesFocus(True)
        text.setFixedHeight(80)
        text.setPlaceholderText("每行一项")

        def read() -> list[str]:
            return [line.strip() for line in text.toPlainText().splitlines() if line.strip()]

        def write(value: Any) -> None:
            text.setPlainText("\n".join(str(v) for v in value or ()))

        return _Editor(spec, text, read, write)


__all__ = [
    "FieldEditors",
    "citation_from_link",
    "citation_link",
    "from_qdate",
    "problems_html",
    "to_qdate",
]
