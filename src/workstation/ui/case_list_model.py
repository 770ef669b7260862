"""The case list model: row keys from a SQL query, rows fetched a block at a time.

Filtering and sorting are the query's job (in SQL); the model holds only the ordered keys
and a bounded cache of rows, so 100,000 cases cost one list of integers. Rows are fetched
in blocks of ``BLOCK`` by key — a primary-key lookup well under a millisecond.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from workstation.domain.case_list import COLUMNS, WARNING_LABELS, CaseListRow
from workstation.domain.formatting import chinese_date
from workstation.ui.models import HeaderedTableModel

_Index = QModelIndex | QPersistentModelIndex

RowFetcher = Callable[[Sequence[int]], dict[int, CaseListRow]]


class CaseListModel(HeaderedTableModel):
    HEADERS = tuple(title for title, _sort in COLUMNS)
    BLOCK = 100
    CACHE_BLOCKS = 50

    def __init__(self, fetch: RowFetcher, stage_labels: dict[str, str] | None = None) -> None:
        super().__init__()
        self._fetch = fetch
        self._keys: list[int] = []
        self._blocks: OrderedDict[int, dict[int, CaseListRow]] = OrderedDict()
        self._stage_labels = stage_labels or {}

    def set_keys(self, keys: list[int]) -> None:
        self.beginResetModel()
        self._keys = keys
        self._blocks.clear()
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self._keys)

    def row(self, index: int) -> CaseListRow | None:
        if not 0 <= index < len(self._keys):
            return None
        block = index // self.BLOCK
        rows = self._blocks.get(block)
        if rows is None:
            keys = self._keys[block * self.BLOCK : (block + 1) * self.BLOCK]
            rows = self._fetch(keys)
            self._blocks[block] = rows
            if len(self._blocks) > self.CACHE_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block)
        return rows.get(self._keys[index])

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        case = self.row(index.row())
        if case is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                case.case_number or "（未立案）",
                case.title,
                case.party_names,
                self._stage_labels.get(case.stage, case.stage),
                case.lead_officer_name,
                chinese_date(case.next_deadline) if case.next_deadline else "",
                WARNING_LABELS.get(case.warning_level, ""),
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 6 and case.warning_level:
            return QBrush(QColor("#b91c1c" if case.warning_level >= 2 else "#b45309"))
        if role == Qt.ItemDataRole.UserRole:
            return case.case_id
        return None
