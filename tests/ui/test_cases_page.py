"""The 案件 page over a real database: demo data, cases opened through CaseService, synthetic rows."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from workstation.app import Core, Gui, build_core
from workstation.domain.cases import CaseKind, CaseSource
from workstation.domain.clock import FixedClock
from workstation.paths import DataPaths
from workstation.services.cases import NewCaseSpec
from workstation.ui.pages.cases_page import CasesPage, stepper_html

from ..conftest import ARTIFACTS
from ..db.case_rows import insert_cases

D = dt.date
LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
REVIEWER = "14b192db-916d-58a7-86a9-b2fcb2a0598b"  # 郑雅琴（示例）
RESTAURANT = "fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b"  # 榕溪镇某某餐饮店（示例）
SYNTHETIC = 40


@pytest.fixture
def core(data_paths: DataPaths) -> Iterator[Core]:
    """The case services see 2026-03-25: the 陈述申辩 period of the notified case is still open."""
    opened = build_core(data_paths, FixedClock(dt.datetime(2026, 3, 25, 9, 0)))
    yield opened
    opened.close()


def _spec(title: str) -> NewCaseSpec:
    return NewCaseSpec(
        kind=CaseKind.ORDINARY,
        title=title,
        source=CaseSource.PATROL,
        opened_on=D(2026, 3, 2),
        actor_id=LEAD,
        party_ids=(RESTAURANT,),
        officer_ids=(LEAD, SECOND),
        data={"clue_received_on": "2026-03-02"},
    )


@pytest.fixture
def notified(gui: Gui, core: Core) -> str:
    """An ordinary case taken to 事先告知 (so 作出决定 is refused, citing the law)."""
    case_id = core.cases.new_case(_spec("餐饮油烟直排")).value.case.id
    steps: list[tuple[str, dict[str, object], str, dt.date]] = [
        ("file", {"act_date": "2026-02-25"}, LEAD, D(2026, 3, 5)),
        ("collect_evidence", {"evidence_kinds": ["documentary", "record"]}, LEAD, D(2026, 3, 9)),
        ("conclude", {"outcome": "penalty", "penalty_types": ["fine"], "fine": "2000"}, LEAD, D(2026, 3, 20)),
        ("legal_review", {"review_opinion": "同意"}, REVIEWER, D(2026, 3, 23)),
        ("notify", {"hearing_right_notified": True}, LEAD, D(2026, 3, 24)),
    ]
    for action, inputs, actor, day in steps:
        core.cases.act(case_id, action, inputs, actor, day)
    core.cases.new_case(_spec("擅自搭建遮阳棚"))
    return case_id


@pytest.fixture
def page(gui: Gui, core: Core, notified: str, qtbot: QtBot) -> CasesPage:
    insert_cases(core.database.path, SYNTHETIC)
    widget = gui.window.page("cases")
    assert isinstance(widget, CasesPage)
    with qtbot.waitSignal(widget.list_loaded, timeout=5000):
        gui.window.show_page("cases")
    return widget


def type_text(page: CasesPage, text: str) -> None:
    """Type Chinese as an input method would (QTest key helpers are ASCII-only)."""
    edit = page.ui.filterEdit
    edit.setFocus()
    edit.clear()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)
    assert edit.text() == text


def _titles(page: CasesPage) -> list[str]:
    model = page.model
    return [model.index(r, 1).data() for r in range(model.rowCount())]


def _row_of(page: CasesPage, case_id: str) -> int:
    model = page.model
    for r in range(model.rowCount()):
        if model.index(r, 0).data(Qt.ItemDataRole.UserRole) == case_id:
            return r
    raise AssertionError(case_id)


def test_the_list_shows_every_case(page: CasesPage, core: Core) -> None:
    with sqlite3.connect(core.database.path) as conn:
        (total,) = conn.execute("SELECT count(*) FROM cases WHERE NOT is_training").fetchone()
    assert total >= SYNTHETIC + 2
    assert page.model.rowCount() == total
    assert f"共 {total} 件" in page.ui.countLabel.text()
    assert "餐饮油烟直排" in _titles(page)


def test_typed_chinese_narrows_the_list(page: CasesPage, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        type_text(page, "搭建遮阳棚")
    assert _titles(page) == ["擅自搭建遮阳棚"]
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        type_text(page, "某某餐饮店")
    titles = _titles(page)
    assert {"擅自搭建遮阳棚", "餐饮油烟直排"} <= set(titles)
    assert len(titles) < SYNTHETIC


def test_stage_filter(page: CasesPage, qtbot: QtBot) -> None:
    combo = page.ui.stageCombo
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        combo.setCurrentIndex(combo.findData("notified"))
    stages = {page.model.row(r).stage for r in range(page.model.rowCount())}  # type: ignore[union-attr]
    assert stages == {"notified"}


def test_header_click_sorts_in_sql_and_toggles(page: CasesPage, qtbot: QtBot) -> None:
    header = page.ui.casesView.horizontalHeader()
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        header.sectionClicked.emit(1)
    titles = _titles(page)
    assert titles == sorted(titles)
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        header.sectionClicked.emit(1)
    assert _titles(page) == sorted(titles, reverse=True)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_selecting_a_case_fills_the_workspace(page: CasesPage, gui: Gui, notified: str, qtbot: QtBot) -> None:
    view = page.ui.casesView
    index = page.model.index(_row_of(page, notified), 1)
    with qtbot.waitSignal(page.case_shown, timeout=5000):
        view.clicked.emit(index)
    ws = page.workspace.ui
    assert ws.numberLabel.text().startswith("榕溪镇罚立字〔2026〕第")
    assert "餐饮油烟直排" in ws.caseTitleLabel.text()
    assert "事先告知" in ws.stageLabel.text() or "告知" in ws.stageLabel.text()
    assert "background:#1d4ed8" in ws.stepperLabel.text()
    assert ws.deadlinesTable.rowCount() == 3

    # A refused action is disabled and says why: rule, message and the article it rests on.
    decide = page.workspace.action_buttons["decide"]
    assert not decide.isEnabled()
    problems = page.workspace.problem_labels["decide"].text()
    assert "行政处罚法" in problems
    assert "［" in problems

    with qtbot.waitSignal(page.verified, timeout=5000):
        ws.verifyButton.click()
    assert "全过程记录完整" in ws.verifyLabel.text()

    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    assert gui.window.grab().save(str(ARTIFACTS / "screenshots" / "cases.png"))


def test_stepper_highlights_the_current_stage() -> None:
    text = stepper_html((("clue", "线索"), ("filed", "立案"), ("closed", "结案")), "filed")
    assert text.index("线索") < text.index("立案") < text.index("结案")
    assert 'font-weight:bold">&nbsp;立案' in text
