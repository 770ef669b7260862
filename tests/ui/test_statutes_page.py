"""The 找法 page with real widgets over a real library (a small Markdown corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from workstation.app import Core, Gui
from workstation.ui.pages.statutes_page import StatutesPage, VersionDiffDialog

from ..conftest import ARTIFACTS

OLD = """# 中华人民共和国行政处罚法

1996年3月17日 第八届全国人民代表大会第四次会议通过
2017年9月1日 第十二届全国人民代表大会常务委员会第二十九次会议修正

<!-- INFO END -->

## 第一章 总则

第一条 为了规范行政处罚的设定和实施，制定本法。

第二十七条 当事人有下列情形之一的，应当依法从轻或者减轻行政处罚：

（一）主动消除或者减轻违法行为危害后果的；

（二）受他人胁迫有违法行为的。

违法行为轻微并及时纠正，没有造成危害后果的，不予行政处罚。
"""

NEW = """# 中华人民共和国行政处罚法

1996年3月17日 第八届全国人民代表大会第四次会议通过
2021年1月22日 第十三届全国人民代表大会常务委员会第二十五次会议修订

<!-- INFO END -->

## 第一章 总则

第一条 为了规范行政处罚的设定和实施，保障和监督行政机关有效实施行政管理，制定本法。

## 第四章 行政处罚的适用

第三十三条 违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。\
初次违法且危害后果轻微并及时改正的，可以不予行政处罚。

当事人有证据足以证明没有主观过错的，不予行政处罚。

第三十三条之一 本条为测试用的之一条文，规定占用道路摆摊的处理。
"""

FIRE = """# 中华人民共和国消防法

2021年4月29日 第十三届全国人民代表大会常务委员会第二十八次会议修正

<!-- INFO END -->

第二十八条 任何单位、个人不得占用、堵塞、封闭疏散通道、安全出口、消防车通道。

第六十条 单位违反本法规定，有下列行为之一的，责令改正，处五千元以上五万元以下罚款：

（五）占用、堵塞、封闭消防车通道，妨碍消防车通行的；
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus" / "行政法"
    root.mkdir(parents=True)
    (root / "行政处罚法(2017-09-01).md").write_text(OLD, "utf-8")
    (root / "行政处罚法(2021-01-22).md").write_text(NEW, "utf-8")
    (root / "消防法(2021-04-29).md").write_text(FIRE, "utf-8")
    return tmp_path / "corpus"


@pytest.fixture
def page(gui: Gui, core: Core, corpus: Path, qtbot: QtBot) -> StatutesPage:
    report = core.statutes.import_laws(corpus).value
    assert report.imported == 3
    gui.window.show_page("statutes")
    widget = gui.window.page("statutes")
    assert isinstance(widget, StatutesPage)
    qtbot.waitUntil(lambda: widget.tree_model.rowCount() > 0)
    return widget


def type_text(qtbot: QtBot, page: StatutesPage, text: str) -> None:
    """Type Chinese as an input method would (QTest key helpers are ASCII-only)."""
    edit = page.ui.searchEdit
    edit.setFocus()
    edit.clear()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)
    assert edit.text() == text


def test_search_as_you_type_shows_highlighted_hits(page: StatutesPage, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.search_finished, timeout=5000):
        type_text(qtbot, page, "消防车通道")
    model = page.results_model
    assert model.rowCount() == 2
    titles = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert titles == {"中华人民共和国消防法"}
    assert "【消防车通道】" in model.index(0, 3).data()
    assert "共 2 条" in page.ui.infoLabel.text()


def test_synonyms_are_applied_visibly(page: StatutesPage, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.search_finished, timeout=5000):
        type_text(qtbot, page, "首违不罚")
    assert "也搜索了：初次违法且危害后果轻微并及时改正" in page.ui.infoLabel.text()
    assert page.results_model.hit(0) is not None
    hit = page.results_model.hit(0)
    assert hit is not None and hit.article.label == "第三十三条"


def test_stale_results_are_dropped(page: StatutesPage, qtbot: QtBot) -> None:
    page.ui.searchEdit.setText("罚款")
    first = page.search_now()
    page.ui.searchEdit.setText("消防车通道")
    with qtbot.waitSignal(page.search_finished, timeout=5000, check_params_cb=lambda r: r > first):
        second = page.search_now()
    assert second > first
    qtbot.wait(200)  # let the first search's result arrive too
    hits = [page.results_model.hit(r) for r in range(page.results_model.rowCount())]
    assert all(h is not None and "消防车通道" in h.snippet for h in hits)


def test_punctuation_only_query_says_what_to_do(page: StatutesPage, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.search_finished, timeout=5000):
        type_text(qtbot, page, "，。！")
    assert "只有标点" in page.ui.infoLabel.text()
    assert page.results_model.rowCount() == 0


def test_direct_jump_opens_the_article(page: StatutesPage, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.law_shown, timeout=5000):
        type_text(qtbot, page, "处罚法第三十三条")
    assert "中华人民共和国行政处罚法" in page.ui.lawTitleLabel.text()
    text = page.ui.articleBrowser.toPlainText()
    assert "第三十三条" in text and "初次违法且危害后果轻微" in text
    assert "第三十三条之一" in text
    assert page.citation_text() == "《中华人民共和国行政处罚法》第三十三条"


def test_clicking_a_hit_opens_the_law_and_copies_the_citation(page: StatutesPage, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.search_finished, timeout=5000):
        type_text(qtbot, page, "消防车通道")
    index = page.results_model.index(0, 0)
    with qtbot.waitSignal(page.law_shown, timeout=5000):
        page.ui.resultsView.clicked.emit(index)
    qtbot.mouseClick(page.ui.copyButton, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith("《中华人民共和国消防法》第")
    assert "已复制" in page.ui.infoLabel.text()


def test_law_tree_versions_and_comparison(page: StatutesPage, qtbot: QtBot) -> None:
    model = page.tree_model
    group = model.item(0)
    assert group.text().startswith("行政法")
    law_items = [group.child(r) for r in range(group.rowCount())]
    penalty = next(i for i in law_items if i.text().startswith("中华人民共和国行政处罚法"))
    assert "2 个版本" in penalty.text()
    with qtbot.waitSignal(page.law_shown, timeout=5000):
        page.ui.lawTree.clicked.emit(penalty.index())
    combo = page.ui.versionCombo
    assert combo.count() == 2
    assert combo.itemText(1) == "2021年1月22日版［现行有效］"
    assert "已修改" in combo.itemText(0)
    assert page.ui.compareButton.isEnabled()
    page.ui.compareButton.click()
    dialog = page._diff_dialog
    assert isinstance(dialog, VersionDiffDialog)
    qtbot.waitUntil(lambda: dialog.ui.diffTable.rowCount() > 0, timeout=5000)
    kinds = {dialog.ui.diffTable.item(r, 0).text() for r in range(dialog.ui.diffTable.rowCount())}
    assert {"修改", "新增"} <= kinds
    assert "修改 1 条" in dialog.ui.summaryLabel.text()
    dialog.close()
    # switching to the old version shows its text
    with qtbot.waitSignal(page.law_shown, timeout=5000):
        combo.activated.emit(0)
    assert "第二十七条" in page.ui.articleBrowser.toPlainText()


def test_favourites_and_recent(page: StatutesPage, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.law_shown, timeout=5000):
        type_text(qtbot, page, "消防法 28")
    qtbot.waitUntil(lambda: page.ui.recentList.count() == 1, timeout=5000)
    assert page.ui.recentList.item(0).text() == "中华人民共和国消防法"
    page.ui.favouriteButton.click()
    qtbot.waitUntil(lambda: page.ui.favouritesList.count() == 1, timeout=5000)
    assert page.ui.favouriteButton.text() == "已收藏"


def test_import_shows_progress_and_reports(page: StatutesPage, qtbot: QtBot, tmp_path: Path) -> None:
    more = tmp_path / "more" / "行政法规"
    more.mkdir(parents=True)
    (more / "城市市容和环境卫生管理条例(2017-03-01).md").write_text(
        "# 城市市容和环境卫生管理条例\n\n2017年3月1日 修订\n\n<!-- INFO END -->\n\n"
        "第三十六条 擅自在街道两侧和公共场地堆放物料的，责令其停止违法行为。\n",
        "utf-8",
    )
    progress: list[int] = []
    page._relay.progressed.connect(lambda done, _total, _name: progress.append(done))
    with qtbot.waitSignal(page.import_finished, timeout=20000) as finished:
        page.start_import(tmp_path / "more")
    report = finished.args[0]
    assert report.imported == 1 and report.articles == 1
    assert progress == [1]
    assert not page.ui.importProgress.isVisible()
    qtbot.waitUntil(
        lambda: any("行政法规" in page.tree_model.item(r).text() for r in range(page.tree_model.rowCount())),
        timeout=5000,
    )


def test_screenshot_of_a_search(page: StatutesPage, gui: Gui, qtbot: QtBot) -> None:
    with qtbot.waitSignal(page.search_finished, timeout=5000):
        type_text(qtbot, page, "罚款")
    with qtbot.waitSignal(page.law_shown, timeout=5000):
        page.ui.resultsView.clicked.emit(page.results_model.index(0, 0))
    out = ARTIFACTS / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    pixmap = gui.window.grab()
    assert pixmap.save(str(out / "statutes-search.png"))
    assert pixmap.width() >= 960


def test_tree_lists_versions_and_their_chapters(page: StatutesPage, qtbot: QtBot) -> None:
    group = page.tree_model.item(0)
    penalty = next(
        group.child(r)
        for r in range(group.rowCount())
        if group.child(r).text().startswith("中华人民共和国行政处罚法")
    )
    versions = [penalty.child(r).text() for r in range(penalty.rowCount())]
    assert versions == ["2021年1月22日版［现行有效］", "2017年9月1日版［已修改］"]
    newest = penalty.child(0)
    with qtbot.waitSignal(page.law_shown, timeout=5000):
        page.ui.lawTree.clicked.emit(newest.index())
    qtbot.waitUntil(lambda: newest.rowCount() == 2, timeout=5000)
    assert [newest.child(r).text() for r in range(2)] == ["第一章 总则", "第四章 行政处罚的适用"]
    page.ui.lawTree.clicked.emit(newest.child(1).index())  # scrolls the article view; no reload
    assert page.ui.versionCombo.currentText() == "2021年1月22日版［现行有效］"
