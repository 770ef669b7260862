"""Table models for the UI (lists of frozen domain records)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from workstation.domain.entities import CertificateStatus, Officer
from workstation.domain.formatting import chinese_date

_Index = QModelIndex | QPersistentModelIndex
_Row = TypeVar("_Row")


class HeaderedTableModel(QAbstractTableModel):
    """A flat table with fixed column headers; subclasses say how many rows and what is in them."""

    HEADERS: tuple[str, ...] = ()

    def _row_count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None


class RowsModel(HeaderedTableModel, Generic[_Row]):
    """A flat table over view rows: :meth:`_values` gives a row's texts (shown and as tooltips),
    :meth:`_styled` anything else a role asks (colour, alignment)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[_Row, ...] = ()

    def set_rows(self, rows: Sequence[_Row]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def row_at(self, row: int) -> _Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _row_count(self) -> int:
        return len(self._rows)

    def _values(self, row: _Row) -> tuple[str, ...]:
        raise NotImplementedError

    def _styled(self, row: _Row, column: int, role: int) -> Any:
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = self._values(row)
            return values[index.column()] if 0 <= index.column() < len(values) else None
        return self._styled(row, index.column(), role)


class OfficersModel(HeaderedTableModel):
    """执法人员 with the state of their 执法证."""

    HEADERS = ("姓名", "执法证号", "有效期自", "有效期至", "角色", "执法证状态")

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[Officer, ...] = ()
        self._today = dt.date.today()
        self._warn_days = 60

    def set_officers(self, officers: tuple[Officer, ...], today: dt.date, warn_days: int) -> None:
        self.beginResetModel()
        self._rows = officers
        self._today = today
        self._warn_days = warn_days
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        officer = self._rows[index.row()]
        status = officer.certificate_status(self._today, self._warn_days)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                officer.name,
                officer.certificate_no,
                chinese_date(officer.certificate_valid_from),
                chinese_date(officer.certificate_valid_until),
                "、".join(r.label for r in officer.roles),
                status.label,
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 5:
            if status is CertificateStatus.EXPIRED or status is CertificateStatus.NOT_YET_VALID:
                return QBrush(QColor("#b91c1c"))
            if status is CertificateStatus.EXPIRING:
                return QBrush(QColor("#b45309"))
        return None
