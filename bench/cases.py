#!/usr/bin/env python3
"""Case list over 100,000 synthetic cases: first paint, filter and sort, against a proxy model.

    .venv/bin/python bench/cases.py [--cases 100000] [--skip-baseline]

The workstation's list asks SQL for the ordered row keys and fetches only the rows on
screen (CaseListModel). The baseline, measured in the same run over the same rows, is the
textbook approach: every row in a Python list model behind a QSortFilterProxyModel.
Goals: first paint <= 100 ms, filter <= 60 ms, sort <= 100 ms.

Each figure is the median over --runs of: the key query, CaseListModel.set_keys and the paint
of the visible rows. "filter" is a two-character query (张王), answered from the trigram index
by the trigrams starting with it; the two lines after it, a longer query (a phrase of trigrams)
and one nothing matches, are for information. Inserting the rows also fills that index (its
triggers), which is most of the set-up time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QApplication, QTableView
from tests.db.case_rows import insert_cases

from workstation.app import build_core
from workstation.domain.case_list import CaseListQuery, CaseListRow, CaseSort
from workstation.paths import prepare_data_dir
from workstation.persistence.case_list import SqlCaseListSource
from workstation.ui.case_list_model import CaseListModel

_Index = QModelIndex | QPersistentModelIndex


class PlainModel(QAbstractTableModel):
    """Every row in memory: what the baseline filters and sorts with a proxy."""

    def __init__(self, rows: list[CaseListRow]) -> None:
        super().__init__()
        self._rows = rows

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 7

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        r = self._rows[index.row()]
        return (
            r.case_number,
            r.title,
            r.party_names,
            r.stage,
            r.lead_officer_name,
            str(r.next_deadline or ""),
            str(r.warning_level),
        )[index.column()]


def timed(fn: Callable[[], object], app: QApplication) -> float:
    start = time.perf_counter()
    fn()
    app.processEvents()  # the paint of the visible rows
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp:
        core = build_core(prepare_data_dir(Path(tmp) / "data"))
        try:
            t = time.perf_counter()
            insert_cases(core.database.path, args.cases)
            print(f"cases              {args.cases:,} inserted in {time.perf_counter() - t:.1f} s")
            source = SqlCaseListSource(core.database.engine)
            view = QTableView()
            view.resize(1200, 700)
            model = CaseListModel(source.rows)
            view.setModel(model)
            view.show()
            app.processEvents()
            first, filt, sort, phrase, nothing = [], [], [], [], []
            for _ in range(args.runs):
                model.set_keys([])
                first.append(timed(lambda: model.set_keys(source.keys(CaseListQuery())), app))
                filt.append(timed(lambda: model.set_keys(source.keys(CaseListQuery(text="张王"))), app))
                sort.append(
                    timed(lambda: model.set_keys(source.keys(CaseListQuery(sort=CaseSort.PARTY))), app)
                )
                # For information, after the three measured as before.
                phrase.append(
                    timed(lambda: model.set_keys(source.keys(CaseListQuery(text="违法建设 张王"))), app)
                )
                nothing.append(timed(lambda: model.set_keys(source.keys(CaseListQuery(text="无此"))), app))
            print(f"first paint        {statistics.median(first):7.1f} ms  (goal <= 100 ms)")
            print(f"filter             {statistics.median(filt):7.1f} ms  (goal <= 60 ms)")
            print(f"  longer text      {statistics.median(phrase):7.1f} ms")
            print(f"  no match         {statistics.median(nothing):7.1f} ms")
            print(f"sort               {statistics.median(sort):7.1f} ms  (goal <= 100 ms)")
            if not args.skip_baseline:
                keys = source.keys(CaseListQuery())
                rows = source.rows(keys)
                plain = PlainModel([rows[k] for k in keys])
                proxy = QSortFilterProxyModel()
                proxy.setSourceModel(plain)
                proxy.setFilterKeyColumn(-1)
                base_view = QTableView()
                base_view.setModel(proxy)
                base_view.show()
                app.processEvents()
                b_filter = timed(lambda: proxy.setFilterFixedString("张王"), app)
                proxy.setFilterFixedString("")
                b_sort = timed(lambda: proxy.sort(2, Qt.SortOrder.AscendingOrder), app)
                ratio = b_filter / statistics.median(filt)
                print(f"proxy filter       {b_filter:7.1f} ms  -> {ratio:.0f}x slower")
                print(
                    f"proxy sort         {b_sort:7.1f} ms  -> {b_sort / statistics.median(sort):.0f}x slower"
                )
        finally:
            core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
