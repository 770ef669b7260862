"""One ordinary-procedure case handled from clue to archive through the real UI (pytest-qt).

The officer picks who they are in the status bar, opens the case with the 新建案件 wizard
(registering a party whose ID number needs normalising, after a wrong one is refused with the
field highlighted), takes every action through its form, meets a refusal that cites the law
and follows the citation into 找法, hands the case to a reviewer for 法制审核, and finally
checks the 全过程记录 in the workspace. Days pass with the case (around the 2025 National Day
holiday and its 调休), so every deadline is real.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QListWidget, QWidget, QWizard
from pytestqt.qtbot import QtBot

from workstation.app import Core, Gui, build_core
from workstation.domain.clock import FixedClock
from workstation.domain.identifiers import resident_id_check_char
from workstation.domain.workflow import FieldSpec
from workstation.paths import DataPaths
from workstation.ui.action_dialog import ActionDialog
from workstation.ui.pages.cases_page import CasesPage
from workstation.ui.pages.statutes_page import StatutesPage

from ..conftest import ARTIFACTS

D = dt.date
LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
REVIEWER = "14b192db-916d-58a7-86a9-b2fcb2a0598b"  # 郑雅琴（示例）
LEGACY_ID = "350102800101123"  # 15-digit 公民身份号码 of 1980-01-01


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2025, 9, 22, 9, 0))


@pytest.fixture
def core(data_paths: DataPaths, clock: FixedClock) -> Iterator[Core]:
    opened = build_core(data_paths, clock)
    yield opened
    opened.close()


def commit_text(widget: QWidget, text: str) -> None:
    """Type Chinese as an input method would (QTest key helpers are ASCII-only)."""
    widget.setFocus()
    if isinstance(widget, QLineEdit):
        widget.clear()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def choose_user(gui: Gui, qtbot: QtBot, name: str) -> None:
    """Switch the current user through the status bar, as an officer would."""
    qtbot.mouseClick(gui.window.user_label, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gui.switcher.dialog is not None and gui.switcher.dialog.isVisible(), timeout=5000)
    dialog = gui.switcher.dialog
    assert dialog is not None
    label = next(item for item in dialog.comboBoxItems() if item.startswith(name))
    dialog.setTextValue(label)
    with qtbot.waitSignal(gui.user.changed, timeout=5000):
        dialog.accept()
    gui.switcher.dialog = None
    assert gui.window.user_label.text().startswith(f"用户：{name}")


def _default(spec: FieldSpec) -> Any:
    """A plausible value for a field the test does not care about (so new fields do not break it)."""
    if spec.type == "text":
        return "经查属实"
    if spec.type == "money":
        return "2000"
    if spec.type == "bool":
        return True
    if spec.type == "choice":
        return spec.options[0]
    if spec.type == "list":
        return ["物品一"]
    return None


def open_action(page: CasesPage, qtbot: QtBot, code: str) -> ActionDialog:
    button = page.workspace.action_buttons[code]
    assert button.isEnabled(), page.workspace.problem_labels.get(code, button).text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.action_dialog is not None and page.action_dialog.isVisible(), timeout=5000)
    dialog = page.action_dialog
    assert dialog is not None and dialog.action.code == code
    return dialog


def submit(dialog: ActionDialog, qtbot: QtBot) -> None:
    ok = dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def act(page: CasesPage, qtbot: QtBot, code: str, **values: Any) -> ActionDialog:
    """Fill the form of ``code`` (required fields not given get plausible values) and submit it."""
    dialog = open_action(page, qtbot, code)
    for spec in dialog.action.required_fields:
        if spec.name in dialog.editors.names() and spec.name not in values and not spec.optional:
            default = _default(spec)
            if default is not None:
                dialog.editors.set_value(spec.name, default)
    for name, value in values.items():
        widget = dialog.editors.widget(name)
        if (
            isinstance(value, str)
            and isinstance(widget, QLineEdit) is False
            and name.endswith(("opinion", "points"))
        ):
            commit_text(widget, value)
        else:
            dialog.editors.set_value(name, value)
    with qtbot.waitSignal(page.action_done, timeout=10000):
        submit(dialog, qtbot)
    assert not dialog.isVisible()
    return dialog


def test_an_ordinary_case_from_clue_to_archive_through_the_ui(
    gui: Gui, core: Core, clock: FixedClock, qtbot: QtBot
) -> None:
    window = gui.window
    page = window.page("cases")
    assert isinstance(page, CasesPage)
    with qtbot.waitSignal(page.list_loaded, timeout=5000):
        window.show_page("cases")

    # Nobody is chosen yet: 新建案件 asks who is working first.
    with qtbot.waitSignal(page.user_needed, timeout=2000):
        qtbot.mouseClick(page.ui.newCaseButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gui.switcher.dialog is not None, timeout=5000)
    assert gui.switcher.dialog is not None
    gui.switcher.dialog.reject()
    gui.switcher.dialog = None
    choose_user(gui, qtbot, "林建华")

    # ------------------------------------------------------------------ the wizard
    qtbot.mouseClick(page.ui.newCaseButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.wizard is not None and page.wizard.isVisible(), timeout=5000)
    wizard = page.wizard
    assert wizard is not None
    wui = wizard.ui
    assert wui.kindCombo.currentText() == "普通程序"
    wui.sourceCombo.setCurrentIndex(wui.sourceCombo.findData("hotline_12345"))
    wui.itemCombo.setCurrentIndex(wui.itemCombo.findData("ZB-001"))  # 占道经营, with a 裁量基准
    assert wui.itemCombo.currentIndex() > 0
    wizard.next()
    assert wizard.currentId() == 0, "a case needs its 案由 before going on"
    assert wui.titleEdit.property("invalid") is True
    commit_text(wui.titleEdit, "王某某占道经营案")
    wizard.next()
    assert wizard.currentId() == NewCaseWizardPages.PARTY

    # A wrong check digit is refused with the field highlighted; nothing typed is lost.
    correct = "35010219800101123" + resident_id_check_char("35010219800101123")
    wrong = correct[:-1] + ("0" if correct[-1] != "0" else "1")
    commit_text(wui.partyNameEdit, "王某某")
    wui.partyIdEdit.setText(wrong)
    qtbot.mouseClick(wui.addPartyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wui.partyIdEdit.property("invalid") is True, timeout=5000)
    assert "校验" in wui.partyErrorLabel.text() or "身份" in wui.partyErrorLabel.text()
    assert wui.partyNameEdit.text() == "王某某"
    # The 15-digit legacy number is upgraded to 18 digits.
    wui.partyIdEdit.setText(f" {LEGACY_ID} ")
    commit_text(wui.partyAddressEdit, "榕溪镇新街12号")
    qtbot.mouseClick(wui.addPartyButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(wizard.party_ids()), timeout=5000)
    assert correct in wui.partyList.item(0).text()
    wizard.next()
    assert wizard.currentId() == NewCaseWizardPages.OFFICERS
    wizard.next()
    assert wizard.currentId() == NewCaseWizardPages.OFFICERS, "one officer is not enough (第四十二条)"
    officers = wui.officerList
    for row in range(officers.count()):
        if officers.item(row).text().startswith("陈晓敏"):
            officers.item(row).setCheckState(Qt.CheckState.Checked)
    wizard.next()
    assert "王某某占道经营案" in wui.summaryLabel.text()
    with qtbot.waitSignal(page.case_shown, timeout=10000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert not wizard.isVisible()
    view = page.workspace.view
    assert view is not None
    case_id = view.case.id
    assert view.case.stage == "clue"
    assert view.case.party_ids and view.case.officer_ids == (LEAD, SECOND)

    # ------------------------------------------------------------------ the actions
    act(page, qtbot, "file", act_date=D(2025, 9, 20))
    assert page.workspace.ui.numberLabel.text().startswith("榕溪镇罚立字〔2025〕第")
    clock.move_to(D(2025, 9, 26))
    act(page, qtbot, "collect_evidence", evidence_kinds=["party_statement", "record", "audiovisual"])
    clock.move_to(D(2025, 9, 30))
    # 调查终结 offers the item's 裁量情节 and runs the proposal through the benchmark.
    dialog = open_action(page, qtbot, "conclude")
    circumstances = dialog.editors.widget("circumstances")
    assert isinstance(circumstances, QListWidget)
    labels = [circumstances.item(i).text() for i in range(circumstances.count())]
    assert any("初次违法" in label for label in labels)
    dialog.reject()
    act(page, qtbot, "conclude", outcome="penalty", penalty_types=["fine"], fine="8000")
    discretion = page.workspace.view.case.data["discretion"] if page.workspace.view else {}
    assert discretion["status"] == "assessed" and discretion["tier"]["label"] == "一般"

    # 法制审核 is the reviewer's: the officer sees it closed, with the reason.
    assert not page.workspace.action_buttons["legal_review"].isEnabled()
    choose_user(gui, qtbot, "郑雅琴")
    qtbot.waitUntil(lambda: page.workspace.action_buttons["legal_review"].isEnabled(), timeout=5000)
    act(page, qtbot, "legal_review", review_opinion="事实清楚，证据确凿，适用依据正确，程序合法，同意。")
    choose_user(gui, qtbot, "林建华")
    qtbot.waitUntil(lambda: page.workspace.action_buttons["notify"].isEnabled(), timeout=5000)

    # 告知 on 2025-09-30: the 3 working days of 陈述申辩 skip the National Day holiday (10-1..10-8).
    act(page, qtbot, "notify", hearing_right_notified=False)
    deadlines = page.workspace.ui.deadlinesTable
    due = {deadlines.item(r, 0).text(): deadlines.item(r, 2).text() for r in range(deadlines.rowCount())}
    assert due["陈述申辩期限"] == "2025年10月11日"  # 9-30 → (10-9, 10-10, 10-11 调休 Saturday)

    # Deciding during the statement period is refused, citing the law; the citation opens 找法.
    clock.move_to(D(2025, 10, 9))
    page.open_case(case_id)
    qtbot.waitUntil(lambda: "decide" in page.workspace.action_buttons, timeout=5000)
    decide = page.workspace.action_buttons["decide"]
    assert not decide.isEnabled()
    problems = page.workspace.problem_labels["decide"]
    assert "行政处罚法" in problems.text() and "cite:" in problems.text()
    statutes = window.page("statutes")
    assert isinstance(statutes, StatutesPage)
    link = problems.text().split('href="')[1].split('"')[0]
    problems.linkActivated.emit(link)
    assert window.current_page() == "statutes"
    assert statutes.ui.searchEdit.text().startswith("《中华人民共和国行政处罚法》第")
    window.show_page("cases")

    clock.move_to(D(2025, 10, 13))
    page.open_case(case_id)
    qtbot.waitUntil(lambda: page.workspace.action_buttons.get("decide") is not None, timeout=5000)
    qtbot.waitUntil(lambda: page.workspace.action_buttons["decide"].isEnabled(), timeout=5000)
    act(page, qtbot, "decide", review_body="闽侯县人民政府")
    clock.move_to(D(2025, 10, 14))
    act(page, qtbot, "serve", service_method="direct")
    clock.move_to(D(2025, 10, 20))
    act(page, qtbot, "pay", paid_on=D(2025, 10, 20), receipt_no="闽财0012345")
    act(page, qtbot, "close", closing_summary="罚款已缴清，案件执行完毕。")
    act(page, qtbot, "archive", archive_no="2025-永久-017")
    view = page.workspace.view
    assert view is not None and view.case.stage == "archived"

    # ------------------------------------------------------------------ the record
    qtbot.waitUntil(lambda: page.workspace.ui.timelineTable.rowCount() == 11, timeout=5000)
    timeline = page.workspace.ui.timelineTable
    actions = [timeline.item(r, 2).text() for r in range(timeline.rowCount())]
    assert actions[0] == "登记案件" and actions[1] == "立案" and actions[-1] == "归档"
    people = [timeline.item(r, 1).text() for r in range(timeline.rowCount())]
    assert any("郑雅琴" in t and "法制审核人员" in t for t in people)
    with qtbot.waitSignal(page.verified, timeout=5000):
        page.workspace.ui.verifyButton.click()
    assert "全过程记录完整：共11条" in page.workspace.ui.verifyLabel.text()
    with sqlite3.connect(core.database.path) as conn:
        (events,) = conn.execute("SELECT count(*) FROM case_events WHERE case_id = ?", (case_id,)).fetchone()
    assert events == 11
    # Each form is built anew; the finished ones do not pile up under the page.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(page.findChildren(ActionDialog)) == 1
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.workspace.ui.tabs.setCurrentIndex(2)
    assert window.grab().save(str(ARTIFACTS / "screenshots" / "case-record.png"))


class NewCaseWizardPages:
    PARTY = 1
    OFFICERS = 2


def test_a_refused_action_keeps_the_form_and_shows_the_rule(
    gui: Gui, core: Core, clock: FixedClock, qtbot: QtBot
) -> None:
    """A wrong field is highlighted in the form; nothing is written and nothing typed is lost."""
    gui.user.set(LEAD, "林建华")
    from workstation.domain.cases import CaseKind, CaseSource
    from workstation.services.cases import NewCaseSpec

    created = core.cases.new_case(
        NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title="擅自搭建遮阳棚",
            source=CaseSource.PATROL,
            opened_on=D(2025, 9, 22),
            actor_id=LEAD,
            party_ids=("fd2f6168-66e1-5b4b-a1bd-1d86e71bb09b",),
            officer_ids=(LEAD, SECOND),
        )
    ).value
    window = gui.window
    page = window.page("cases")
    assert isinstance(page, CasesPage)
    window.show_page("cases")
    with qtbot.waitSignal(page.timeline_shown, timeout=5000):
        page.open_case(created.case.id)
    dialog = open_action(page, qtbot, "file")
    # An act date more than two years back is outside the limitation period (第三十六条).
    dialog.editors.set_value("act_date", D(2023, 1, 5))
    submit(dialog, qtbot)
    qtbot.waitUntil(lambda: dialog.ui.problemsLabel.isVisible(), timeout=5000)
    assert dialog.isVisible()
    assert "第三十六条" in dialog.ui.problemsLabel.text()
    assert dialog.values()["act_date"] == "2023-01-05"
    dialog.reject()
    assert core.cases.show(created.case.id, D(2025, 9, 22)).value.case.stage == "clue"
