from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush

from workstation.app import Core
from workstation.domain.case_list import CaseListQuery, CaseListRow, CaseSort
from workstation.persistence.case_list import SqlCaseListSource
from workstation.ui.case_list_model import CaseListModel

from ..db.case_rows import insert_cases


def test_case_list_model_passes_the_model_tester(core: Core, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    insert_cases(core.database.path, 350)
    source = SqlCaseListSource(core.database.engine)
    model = CaseListModel(source.rows, {"decided": "已决定"})
    model.set_keys(source.keys(CaseListQuery(sort=CaseSort.WARNING)))
    qtmodeltester.check(model)
    assert model.rowCount() == 350
    assert model.headerData(0, Qt.Orientation.Horizontal) == "案号"
    warnings = [model.index(r, 6).data() for r in range(model.rowCount())]
    assert warnings[0] == "红色预警"
    stages = {model.index(r, 3).data() for r in range(model.rowCount())}
    assert "已决定" in stages
    # only a bounded number of blocks is kept
    assert len(model._blocks) <= model.CACHE_BLOCKS


def test_cells_roles_and_blocks(core: Core) -> None:
    insert_cases(core.database.path, 250)
    source = SqlCaseListSource(core.database.engine)
    fetched: list[int] = []

    def fetch(keys: Sequence[int]) -> dict[int, CaseListRow]:
        fetched.append(len(keys))
        return source.rows(keys)

    model = CaseListModel(fetch, {"decided": "已决定"})
    keys = source.keys(CaseListQuery(sort=CaseSort.WARNING))
    model.set_keys(keys)
    rows = source.rows(keys)
    first = rows[keys[0]]
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole) == first.case_id
    assert model.index(0, 2).data() == first.party_names
    assert model.index(0, 6).data() == "红色预警"
    brush = model.index(0, 6).data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush)
    assert brush.color().name() == "#b91c1c"
    assert model.index(0, 5).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(QModelIndex()) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.headerData(6, Qt.Orientation.Horizontal) == "预警"
    assert model.headerData(7, Qt.Orientation.Horizontal) is None
    quiet = next(i for i, k in enumerate(keys) if rows[k].warning_level == 0)
    assert model.index(quiet, 6).data(Qt.ItemDataRole.ForegroundRole) is None
    unnumbered = next(i for i, k in enumerate(keys) if not rows[k].case_number)
    assert model.index(unnumbered, 0).data() == "（未立案）"
    decided = next(i for i, k in enumerate(keys) if rows[k].stage == "decided")
    assert model.index(decided, 3).data() == "已决定"
    assert model.row(len(keys)) is None
    assert model.row(-1) is None

    # Every cell of the first block, twice, then the last block: two fetches of a block each.
    model.set_keys(keys)
    fetched.clear()
    for _ in range(2):
        for r in range(model.BLOCK):
            for c in range(model.columnCount()):
                model.index(r, c).data()
    model.index(len(keys) - 1, 0).data()
    assert fetched == [model.BLOCK, len(keys) % model.BLOCK or model.BLOCK]

    # New keys: nothing cached is shown for them.
    model.set_keys(keys[::-1])
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole) == rows[keys[-1]].case_id
    model.set_keys([])
    assert model.rowCount() == 0
    assert model.index(0, 0).data() is None


def test_unnumbered_cases_and_stages_are_shown_by_their_kind() -> None:
    """A coercive measure or an inspection has no 案号 and is not “未立案”; the same stage code
    reads as its own workflow names it."""

    def row(key: int, kind: str, stage: str, number: str = "") -> CaseListRow:
        return CaseListRow(key, f"c{key}", number, "案由", "当事人", stage, "林", None, 0, kind=kind)

    rows = {
        1: row(1, "coercive", "closed"),
        2: row(2, "inspection", "rectify"),
        3: row(3, "ordinary", "clue"),
        4: row(4, "simple", "decided", "榕溪镇罚立字〔2026〕第5号"),
        5: row(5, "ordinary", "decided", "榕溪镇罚立字〔2026〕第6号"),
    }
    labels = {"simple:decided": "当场决定", "ordinary:decided": "决定", "decided": "当场决定"}
    model = CaseListModel(lambda keys: {k: rows[k] for k in keys}, labels)
    model.set_keys([1, 2, 3, 4, 5])
    numbers = [model.index(r, 0).data() for r in range(5)]
    assert numbers == ["（强制措施）", "（行政检查）", "（未立案）", rows[4].case_number, rows[5].case_number]
    assert [model.index(r, 3).data() for r in (3, 4)] == ["当场决定", "决定"]
