"""The 裁量 page over the demo office's sample benchmarks: search, entry, calculator, 同案同罚."""

from __future__ import annotations

import json
import random
import sqlite3
from decimal import Decimal

from PySide6.QtCore import QUrl
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from workstation.app import Core, Gui
from workstation.domain.discretion import Severity
from workstation.ui.fine_histogram import bins_for
from workstation.ui.pages.discretion_page import DiscretionPage
from workstation.ui.pages.statutes_page import StatutesPage

from ..conftest import ARTIFACTS
from ..db.case_rows import insert_cases

PAST_FINES = [Decimal(v) for v in (8000, 12000, 15000, 20000, 20000, 22000, 30000, 45000)]


def type_text(page: DiscretionPage, text: str) -> None:
    """Type as an input method would (QTest key helpers are ASCII-only)."""
    edit = page.ui.searchEdit
    edit.setFocus()
    edit.clear()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)


def add_past_cases(core: Core, item_code: str, fines: list[Decimal]) -> None:
    """Decided cases of ``item_code`` (organisations), and an undecided and a training one that
    must not count."""
    agency = insert_cases(core.database.path, len(fines) + 2, seed=3)
    with sqlite3.connect(core.database.path) as conn:
        (item_id,) = conn.execute("SELECT id FROM enforcement_items WHERE code = ?", (item_code,)).fetchone()
        ids = [r[0] for r in conn.execute("SELECT id FROM cases WHERE agency_id = ? ORDER BY id", (agency,))]
        for case_id, fine in zip(ids, fines, strict=False):
            data = {"fine": str(fine), "party_kind": "organisation", "decided_on": "2025-06-01"}
            conn.execute(
                "UPDATE cases SET item_id = ?, data = ? WHERE id = ?", (item_id, json.dumps(data), case_id)
            )
        undecided, training = ids[len(fines)], ids[len(fines) + 1]
        conn.execute(
            "UPDATE cases SET item_id = ?, data = ? WHERE id = ?",
            (item_id, json.dumps({"fine": "1000", "party_kind": "organisation"}), undecided),
        )
        conn.execute(
            "UPDATE cases SET item_id = ?, is_training = 1, data = ? WHERE id = ?",
            (
                item_id,
                json.dumps({"fine": "1", "party_kind": "organisation", "decided_on": "2025-06-01"}),
                training,
            ),
        )


def severity(page: DiscretionPage) -> Severity:
    assert page.assessment is not None
    return page.assessment.severity


def open_page(gui: Gui, core: Core, qtbot: QtBot) -> DiscretionPage:
    core.office.seed_demo()
    page = gui.window.page("discretion")
    assert isinstance(page, DiscretionPage)
    with qtbot.waitSignal(page.items_loaded, timeout=5000):
        gui.window.show_page("discretion")
    return page


def select(page: DiscretionPage, qtbot: QtBot, code: str) -> None:
    for row in range(page.model.rowCount()):
        if page.model.index(row, 0).data() == code:
            with qtbot.waitSignal(page.assessed, timeout=5000):
                page.ui.itemsView.clicked.emit(page.model.index(row, 1))
            return
    raise AssertionError(f"{code} not listed")


def test_search_by_name_code_and_pinyin_initials(gui: Gui, core: Core, qtbot: QtBot) -> None:
    page = open_page(gui, core, qtbot)
    assert page.model.rowCount() >= 25
    with qtbot.waitSignal(page.items_loaded, timeout=5000):
        type_text(page, "油烟")
    names = [page.model.index(r, 1).data() for r in range(page.model.rowCount())]
    assert names and all("油烟" in n or "餐饮" in n or "烧烤" in n for n in names)
    with qtbot.waitSignal(page.items_loaded, timeout=5000):
        type_text(page, "zdjy")
    assert [page.model.index(r, 0).data() for r in range(page.model.rowCount())] == ["ZB-001"]
    with qtbot.waitSignal(page.items_loaded, timeout=5000):
        type_text(page, "ZB-009")
    assert page.model.rowCount() == 1
    with qtbot.waitSignal(page.items_loaded, timeout=5000):
        type_text(page, "没有这个事项")
    assert page.model.rowCount() == 0 and page.ui.countLabel.text() == "没有找到执法事项"


def test_calculator_tiers_deviation_and_same_case_panel(gui: Gui, core: Core, qtbot: QtBot) -> None:
    page = open_page(gui, core, qtbot)
    add_past_cases(core, "ZB-006", PAST_FINES)
    with qtbot.waitSignal(page.items_loaded, timeout=5000):
        type_text(page, "ZB-006")
    with qtbot.waitSignal(page.distribution_shown, timeout=5000):
        select(page, qtbot, "ZB-006")
    ui = page.ui
    assert ui.itemTitleLabel.text().startswith("ZB-006")
    assert "第一百一十八条" in ui.entryView.toHtml()
    page.ui.partyCombo.setCurrentIndex(page.ui.partyCombo.findData("organisation"))
    qtbot.waitUntil(
        lambda: page.distribution is not None and page.distribution.count == len(PAST_FINES), timeout=5000
    )

    # No precondition ticked: no fine may be imposed yet (超标排放 must be proved first).
    with qtbot.waitSignal(page.assessed, timeout=5000):
        page.calculate()
    assert page.assessment is not None and not page.assessment.fine_possible

    with qtbot.waitSignal(page.assessed, timeout=5000):
        page.set_circumstances(["exceeds_standard"])
    assessment = page.assessment
    assert assessment is not None and assessment.tier_yuan is not None
    assert "一般档" in ui.resultView.toPlainText()
    assert assessment.tier_yuan == (Decimal("18500"), Decimal("36500"))  # the county refinement
    assert not assessment.simple_procedure_possible  # > 3,000 yuan (第五十一条)

    # A proposal inside the tier is fine; outside it needs a reason; outside the law is red.
    with qtbot.waitSignal(page.assessed, timeout=5000):
        ui.proposedEdit.setText("30000")
    assert severity(page) is Severity.OK
    with qtbot.waitSignal(page.assessed, timeout=5000):
        ui.proposedEdit.setText("40000")
    assert severity(page) is Severity.YELLOW
    assert "黄色预警" in ui.resultView.toPlainText() and "理由" in ui.resultView.toPlainText()
    with qtbot.waitSignal(page.assessed, timeout=5000):
        ui.proposedEdit.setText("60000")
    assert severity(page) is Severity.RED
    assert "红色预警" in ui.resultView.toPlainText()

    # 首违不罚 and mandatory 不予处罚 (第三十三条).
    with qtbot.waitSignal(page.assessed, timeout=5000):
        page.set_circumstances(["exceeds_standard", "minor", "corrected", "no_harm"])
    assert page.assessment is not None and page.assessment.mandatory_no_penalty
    assert "应当不予行政处罚" in ui.resultView.toPlainText()

    # 同案同罚: the past decided fines (not the undecided or training ones), the proposal marked.
    with qtbot.waitSignal(page.assessed, timeout=5000):
        page.set_circumstances(["exceeds_standard"])
    with qtbot.waitSignal(page.assessed, timeout=5000):
        ui.proposedEdit.setText("25000")
    dist = page.distribution
    assert dist is not None and sorted(dist.fines) == sorted(PAST_FINES)
    assert dist.median == Decimal("20000")
    assert sum(b[2] for b in page.histogram.bars) == len(PAST_FINES)
    assert page.histogram.proposal == 25000.0
    assert page.histogram.tier_range == (18500.0, 36500.0)
    assert "已决案件 8 件" in ui.similarLabel.text()

    # A citation in the explanation opens 找法.
    statutes = gui.window.page("statutes")
    assert isinstance(statutes, StatutesPage)
    html = ui.resultView.toHtml()
    href = html.split('href="')[1].split('"')[0]
    ui.resultView.anchorClicked.emit(QUrl(href))
    assert gui.window.current_page() == "statutes"
    assert statutes.ui.searchEdit.text().startswith("《")
    gui.window.show_page("discretion")

    ui.tabs.setCurrentIndex(2)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    assert gui.window.grab().save(str(ARTIFACTS / "screenshots" / "discretion.png"))
    ui.tabs.setCurrentIndex(0)
    assert gui.window.grab().save(str(ARTIFACTS / "screenshots" / "discretion-calculator.png"))


def test_person_fire_lane_allows_simple_procedure_and_bad_amounts_are_explained(
    gui: Gui, core: Core, qtbot: QtBot
) -> None:
    page = open_page(gui, core, qtbot)
    with qtbot.waitSignal(page.items_loaded, timeout=5000):
        type_text(page, "ZB-009")
    select(page, qtbot, "ZB-009")
    ui = page.ui
    ui.partyCombo.setCurrentIndex(ui.partyCombo.findData("person"))
    with qtbot.waitSignal(page.assessed, timeout=5000):
        ui.proposedEdit.setText("200")
    assert page.assessment is not None and page.assessment.party_kind.value == "person"
    assert page.assessment is not None and page.assessment.simple_procedure_possible
    assert "简易程序：可以适用" in ui.resultView.toPlainText()
    ui.proposedEdit.setText("五百")
    qtbot.waitUntil(lambda: "金额格式不正确" in ui.resultView.toPlainText(), timeout=5000)


def test_bins_cover_every_fine() -> None:
    rnd = random.Random(5)
    fines = [Decimal(rnd.randrange(100, 50000)) for _ in range(200)]
    bars = bins_for(fines)
    assert sum(c for _a, _b, c in bars) == 200
    assert bars[0][0] == float(min(fines)) and bars[-1][1] == float(max(fines))
    assert bins_for([Decimal(500)] * 3) == [(499.5, 500.5, 3)]
    assert bins_for([]) == []
