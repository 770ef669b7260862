from __future__ import annotations

from PySide6.QtCore import Qt

from workstation.app import Core
from workstation.domain.case_list import CaseListQuery, CaseSort
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
