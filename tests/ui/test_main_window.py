from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from workstation.app import Core, Gui, build_gui
from workstation.logs import LogSetup
from workstation.ui.pages.placeholder import PlaceholderPage
from workstation.ui.pages.registry import PAGES
from workstation.ui.pages.settings_page import SettingsPage
from workstation.ui.pages.workbench import WorkbenchPage
from workstation.ui.theme import apply_theme

from .conftest import dispose


def test_navigation_lists_every_page_in_chinese(gui: Gui) -> None:
    nav = gui.window.ui.navList
    titles = [nav.item(i).text() for i in range(nav.count())]
    assert titles == ["工作台", "案件", "检查", "找法", "裁量", "文书", "审核", "统计", "同步", "设置"]
    assert gui.window.current_page() == "workbench"


def test_page_shortcuts_switch_pages(gui: Gui, qtbot: QtBot) -> None:
    for spec in PAGES:
        key = spec.shortcut.split("+")[1]
        qtbot.keyClick(gui.window, key, Qt.KeyboardModifier.ControlModifier)
        assert gui.window.current_page() == spec.key


def test_unbuilt_pages_say_so_plainly(gui: Gui) -> None:
    for spec in PAGES:
        page = gui.window.page(spec.key)
        if spec.planned:
            assert isinstance(page, PlaceholderPage)
            assert "尚未建成" in page.ui.statusLabel.text()
            assert spec.planned in page.ui.plannedLabel.text()
        else:
            assert not isinstance(page, PlaceholderPage)


def test_workbench_shows_the_office_from_the_database(gui: Gui, qtbot: QtBot) -> None:
    page = gui.window.page("workbench")
    assert isinstance(page, WorkbenchPage)
    with qtbot.waitSignal(page.summary_loaded, timeout=5000):
        page.refresh()
    assert "榕溪镇人民政府（示例）" in page.ui.agencyLabel.text()
    assert page.ui.officerCountLabel.text().endswith("5")
    model = page.officers_model
    assert model.rowCount() == 5
    certs = {model.index(r, 1).data() for r in range(model.rowCount())}
    assert "35012100101" in certs
    statuses = {model.index(r, 5).data() for r in range(model.rowCount())}
    assert statuses <= {"有效", "即将到期", "已过期", "尚未生效"}


def test_officers_model_passes_the_model_tester(gui: Gui, qtbot: QtBot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    page = gui.window.page("workbench")
    assert isinstance(page, WorkbenchPage)
    with qtbot.waitSignal(page.summary_loaded, timeout=5000):
        page.refresh()
    qtmodeltester.check(page.officers_model)


def test_settings_page_checks_and_backs_up_the_database(gui: Gui, qtbot: QtBot, core) -> None:  # type: ignore[no-untyped-def]
    gui.window.show_page("settings")
    page = gui.window.page("settings")
    assert isinstance(page, SettingsPage)
    with qtbot.waitSignal(page.check_finished, timeout=5000) as checked:
        qtbot.mouseClick(page.ui.checkButton, Qt.MouseButton.LeftButton)
    assert checked.args == [True]
    assert page.ui.integrityValue.text().startswith("正常")
    assert page.ui.revisionValue.text() == core.open_report.revision
    with qtbot.waitSignal(page.backup_finished, timeout=5000) as backed_up:
        gui.window.ui.actionBackup.trigger()
    backup = Path(backed_up.args[0])
    assert backup.exists() and backup.parent == core.paths.backups
    qtbot.waitUntil(
        lambda: page.ui.backupsList.count() == 1 and page.ui.backupsList.item(0).text() == backup.name
    )


def test_status_bar_shows_user_mode_network_and_sync(gui: Gui) -> None:
    window = gui.window
    assert window.user_label.text() == "用户：未选择"
    assert window.mode_label.text() == "正式环境"
    assert window.network_label.text() == "离线"
    assert window.sync_label.text().startswith("同步：")


def test_shortcut_help_lists_every_page_shortcut(gui: Gui, qtbot: QtBot) -> None:
    rows = {keys: action for action, keys in gui.window.shortcut_rows()}
    for spec in PAGES:
        assert rows[spec.shortcut] == f"打开“{spec.title}”"
    assert "F1" in rows and "Ctrl+Shift+B" in rows


def test_a_known_error_in_a_task_is_shown_in_chinese(gui: Gui, qtbot: QtBot, qapp: QApplication) -> None:
    from workstation.domain.errors import DiskFull

    def fail() -> None:
        raise DiskFull("/data")

    gui.runner.run_db(fail)
    qtbot.waitUntil(lambda: isinstance(_active_box(qapp), QMessageBox))
    box = _active_box(qapp)
    assert isinstance(box, QMessageBox)
    assert "磁盘空间已满" in box.text()
    assert "清理磁盘空间" in box.informativeText()
    box.close()


def _active_box(qapp: QApplication) -> object:
    for widget in qapp.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            return widget
    return None


def test_workbench_shows_tasks_deadlines_and_stage_counts(gui: Gui, qtbot: QtBot, core) -> None:  # type: ignore[no-untyped-def]
    core.office.seed_demo(with_cases=True)
    page = gui.window.page("workbench")
    assert isinstance(page, WorkbenchPage)
    page.refresh()  # an earlier load (from showing the page) may still be on its way
    qtbot.waitUntil(lambda: page.stages_model.rowCount() > 0, timeout=5000)
    assert "未选择当前用户" in page.ui.tasksHeading.text()
    assert page.tasks_model.rowCount() == 6
    titles = {page.tasks_model.index(r, 1).data() for r in range(page.tasks_model.rowCount())}
    assert "餐饮店未安装油烟净化设施（示例）" in titles
    assert page.ui.dueHeading.text().startswith("近期到期（7日内")
    assert page.due_model.rowCount() >= 1
    assert page.due_model.index(0, 3).data() == "普通程序·事先告知"
    assert "还有" in page.due_model.index(0, 5).data() or "今日到期" in page.due_model.index(0, 5).data()
    stages = {
        page.stages_model.index(r, 0).data(): page.stages_model.index(r, 1).data()
        for r in range(page.stages_model.rowCount())
    }
    assert stages["普通程序·调查取证"] == "2"
    assert stages["简易程序·当场决定"] == "1"
    assert "共 9 件" in page.ui.stagesHeading.text()
    assert page.officers_model.rowCount() == 5  # the officers table stays

    # Once the officer at the desk is known, 我的待办 holds only the cases they lead.
    with qtbot.waitSignal(page.summary_loaded, timeout=5000):
        gui.user.set("49bf81a3-a552-5e7c-872e-72e52c276398", "林建华（示例）")
    assert page.ui.tasksHeading.text().startswith("我的待办（")
    mine = page.tasks_model.rowCount()
    assert 0 < mine < 6
    # Double-clicking a task opens the case in 案件.
    from workstation.ui.pages.cases_page import CasesPage

    cases = gui.window.page("cases")
    assert isinstance(cases, CasesPage)
    with qtbot.waitSignal(cases.case_shown, timeout=5000) as shown:
        page.ui.tasksView.activated.emit(page.tasks_model.index(0, 1))
    assert gui.window.current_page() == "cases"
    assert shown.args == [page.tasks_model.case_id(0)]


def test_workbench_case_models_pass_the_model_tester(gui: Gui, qtbot: QtBot, core, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    core.office.seed_demo(with_cases=True)
    page = gui.window.page("workbench")
    assert isinstance(page, WorkbenchPage)
    page.refresh()
    qtbot.waitUntil(lambda: page.stages_model.rowCount() > 0, timeout=5000)
    qtmodeltester.check(page.tasks_model)
    qtmodeltester.check(page.due_model)
    qtmodeltester.check(page.stages_model)


def test_overdue_deadlines_show_in_red() -> None:
    import datetime as dt

    from workstation.domain.entities import CaseBrief
    from workstation.ui.pages.workbench import CaseBriefModel

    today = dt.date(2026, 11, 26)
    model = CaseBriefModel()
    model.set_cases(
        (
            CaseBrief("a", "ordinary", "notified", "甲（示例）", next_deadline=dt.date(2026, 11, 24)),
            CaseBrief("b", "ordinary", "notified", "乙（示例）", next_deadline=dt.date(2026, 12, 20)),
        ),
        today,
    )
    overdue = model.index(0, 5)
    assert "已超期2日" in overdue.data()
    assert overdue.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b91c1c"
    assert model.index(1, 5).data(Qt.ItemDataRole.ForegroundRole) is None


def _plot_menu(widget: QWidget) -> bool:
    """pyqtgraph's plot options menu (and its submenus) has no parent: it goes with its plot's
    Python object, not with the window."""
    root = widget
    while (parent := root.parentWidget()) is not None:
        root = parent
    return isinstance(root, QMenu) and root.title() == "Plot Options"


def _alive(qapp: QApplication) -> set[int]:
    return {Shiboken.getCppPointer(w)[0] for w in qapp.allWidgets()}


def test_closing_the_window_stops_the_sync_timer_and_leaves_nothing_alive(
    qapp: QApplication, core: Core, logs: LogSetup, qtbot: QtBot
) -> None:
    apply_theme(qapp)
    core.office.seed_demo()
    before = _alive(qapp)
    gui = build_gui(core, logs)
    gui.window.show()
    for spec in PAGES:  # every page built, the 同步 page and the status bar included
        gui.window.show_page(spec.key)
    sync = gui.sync
    assert sync is not None and sync.timer.isActive()
    assert sync.parent() is gui.window

    gui.window.close()
    assert not sync.timer.isActive(), "the background sync outlived the window"
    gui.runner.shutdown()
    dispose(gui.window)
    assert not Shiboken.isValid(sync), "the sync controller belongs to the window"
    left = [w for w in qapp.allWidgets() if Shiboken.getCppPointer(w)[0] not in before and not _plot_menu(w)]
    assert not left, [type(w).__name__ for w in left]
