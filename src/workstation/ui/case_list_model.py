"""The case list model: row keys from a SQL query, rows fetched a block at a time.

Filtering and sorting are the query's job (in SQL); the model holds only the ordered keys
and a bounded cache of rows, so 100,000 cases cost one list of integers. Rows are fetched
in blocks of ``BLOCK`` by key — a primary-key lookup well under a millisecond.

A view asks :meth:`data` for every role of every visible cell at each paint, so a row's
cells are worked out once, when its block is fetched, and roles the list does not use are
answered before anything is looked up.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from workstation.domain.case_list import COLUMNS, WARNING_LABELS, CaseListRow
from workstation.domain.formatting import chinese_date
from workstation.domain.vocabulary import case_number_text
from workstation.ui.models import HeaderedTableModel

_Index = QModelIndex | QPersistentModelIndex

RowFetcher = Callable[[Sequence[int]], dict[int, CaseListRow]]

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_USER = int(Qt.ItemDataRole.UserRole)
_ROLES = frozenset({_DISPLAY, _FOREGROUND, _USER})
_WARNING_COLUMN = 6


class _Line(NamedTuple):
    """A fetched row and what its cells show."""

    case: CaseListRow
    texts: tuple[str, ...]
    warning: QBrush | None


class CaseListModel(HeaderedTableModel):
    HEADERS = tuple(title for title, _sort in COLUMNS)
    BLOCK = 100
    CACHE_BLOCKS = 50

    def __init__(self, fetch: RowFetcher, stage_labels: dict[str, str] | None = None) -> None:
        super().__init__()
        self._fetch = fetch
        self._keys: list[int] = []
        self._blocks: OrderedDict[int, dict[int, _Line]] = OrderedDict()
        self._stage_labels = stage_labels or {}
        self._brushes = {level: QBrush(QColor("#b91c1c" if level >= 2 else "#b45309")) for level in (1, 2)}
        # The block the view asked for last: consecutive cells are nearly always in it.
        self._hot = -1
        self._hot_lines: dict[int, _Line] = {}

    def set_keys(self, keys: list[int]) -> None:
        self.beginResetModel()
        self._keys = keys
        self._blocks.clear()
        self._hot = -1
        self._hot_lines = {}
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self._keys)

    def row(self, index: int) -> CaseListRow | None:
        line = self._line(index)
        return None if line is None else line.case

    def _line(self, index: int) -> _Line | None:
        keys = self._keys
        if not 0 <= index < len(keys):
            return None
        block = index // self.BLOCK
        if block == self._hot:
            return self._hot_lines.get(keys[index])
        lines = self._blocks.get(block)
        if lines is None:
            fetched = self._fetch(keys[block * self.BLOCK : (block + 1) * self.BLOCK])
            lines = {key: self._prepare(case) for key, case in fetched.items()}
            self._blocks[block] = lines
            if len(self._blocks) > self.CACHE_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block)
        self._hot = block
        self._hot_lines = lines
        return lines.get(keys[index])

    def _prepare(self, case: CaseListRow) -> _Line:
        labels = self._stage_labels
        stage = labels.get(f"{case.kind}:{case.stage}") or labels.get(case.stage, case.stage)
        texts = (
            case_number_text(case.case_number, case.kind),
            case.title,
            case.party_names,
            stage,
            case.lead_officer_name,
            chinese_date(case.next_deadline) if case.next_deadline else "",
            WARNING_LABELS.get(case.warning_level, ""),
        )
        warning = self._brushes[2 if case.warning_level >= 2 else 1] if case.warning_level else None
        return _Line(case, texts, warning)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        # Asked for every role of every visible row number at each paint: the role first.
        if role != _DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES:
            return None
        line = self._line(index.row())  # -1 for an invalid index
        if line is None:
            return None
        column = index.column()
        if role == _DISPLAY:
            texts = line.texts
            return texts[column] if 0 <= column < len(texts) else None
        if role == _FOREGROUND:
            return line.warning if column == _WARNING_COLUMN else None
        return line.case.case_id
