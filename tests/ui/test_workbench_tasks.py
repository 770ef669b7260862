"""转为案件 on the 工作台 and 需要核查 on the 同步 page, against the real reference server (uvicorn on
127.0.0.1) with tokens in a real Secret Service (the fixtures of test_sync_page.py)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.central.server import CentralServer
from workstation.app import Core, Gui
from workstation.persistence.reference_sync import SqlReferenceSync
from workstation.ui.pages.cases_page import CasesPage
from workstation.ui.pages.sync_page import SyncPage
from workstation.ui.pages.workbench import WorkbenchPage

from .test_sync_page import keyring_session, secret_service, server

__all__ = ["keyring_session", "secret_service", "server"]  # fixtures shared with test_sync_page

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）


def _logged_in_and_synced(gui: Gui, server: CentralServer, qtbot: QtBot) -> None:
    controller = gui.sync
    assert controller is not None
    officer = server.officer
    controller.service.login(server.base_url, officer.username, officer.password)
    controller.refresh()
    qtbot.waitUntil(
        lambda: controller.last_status is not None and controller.last_status.logged_in, timeout=10_000
    )
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        assert controller.sync_now()


def _workbench(gui: Gui) -> WorkbenchPage:
    gui.window.show_page("workbench")
    page = gui.window.page("workbench")
    assert isinstance(page, WorkbenchPage)
    return page


def _row(page: WorkbenchPage, task_id: str) -> int:
    model = page.server_tasks_model
    rows = [r for r in range(model.rowCount()) if (t := model.row_at(r)) is not None and t.id == task_id]
    assert rows, task_id
    return rows[0]


def _message_box(text: str) -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible() and text in widget.text():
            return widget
    return None


def test_a_pushed_clue_is_made_a_case_from_the_workbench_and_opened(
    keyring_session: None, server: CentralServer, gui: Gui, core: Core, qtbot: QtBot
) -> None:
    page = _workbench(gui)
    assert not page.accept_task_button.isEnabled()  # nothing selected
    _logged_in_and_synced(gui, server, qtbot)
    clue_id = server.township.task_ids[0]
    qtbot.waitUntil(
        lambda: page.server_tasks_model.rowCount() == len(server.township.task_ids), timeout=10_000
    )

    # no officer chosen at this desk: refused in Chinese, nothing made
    page.server_tasks_view.selectRow(_row(page, clue_id))
    assert page.accept_task_button.isEnabled() and page.accept_task_button.text() == "转为案件(&A)"
    qtbot.mouseClick(page.accept_task_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _message_box("尚未选择当前用户") is not None, timeout=30_000)
    box = _message_box("尚未选择当前用户")
    assert box is not None
    box.close()
    assert SqlReferenceSync(core.database.engine).task_links() == []

    # with the officer at this desk: the case is made in the background and opened in 案件
    gui.user.set(LEAD, "林建华（示例）")
    cases = gui.window.page("cases")
    assert isinstance(cases, CasesPage)
    page.server_tasks_view.selectRow(_row(page, clue_id))
    opened: list[str] = []
    page.case_activated.connect(opened.append)
    with qtbot.waitSignals([page.case_activated, cases.case_shown], timeout=60_000):
        qtbot.mouseClick(page.accept_task_button, Qt.MouseButton.LeftButton)
        assert not page.accept_task_button.isEnabled()  # one at a time, never blocking the window
    [case_id] = opened
    assert gui.window.current_page() == "cases"
    view = core.cases.show(case_id, dt.date.today()).value.case
    assert view.stage == "clue" and view.officer_ids == (LEAD,) and view.data["source_task_id"] == clue_id
    (item,) = core.evidence.list(case_id).value
    assert item.sha256 == server.township.evidence_sha256
    with server.client() as http:
        on_server = next(t for t in http.get("/v1/tasks").json()["items"] if t["id"] == clue_id)
    assert on_server["status"] == "accepted" and on_server["case_id"] == case_id
    assert "已报送中心服务器" in page.server_tasks_notice.text()

    # the list shows it 已受理 with its case; a double-click opens the same case, no second one
    def accepted() -> bool:
        task = page.server_tasks_model.row_at(_row(page, clue_id))
        return task is not None and task.status_label == "已受理" and task.case_id == case_id

    qtbot.waitUntil(accepted, timeout=10_000)
    row = _row(page, clue_id)
    page.server_tasks_view.selectRow(row)
    assert page.accept_task_button.text() == "打开案件(&A)"
    index = page.server_tasks_model.index(row, 1)
    with qtbot.waitSignal(page.case_activated, timeout=60_000) as again:
        page.server_tasks_view.activated.emit(index)
    assert again.args == [case_id]
    assert len(SqlReferenceSync(core.database.engine).task_links()) == 1
    assert len(core.evidence.list(case_id).value) == 1


def test_the_sync_page_lists_alarms_and_refusals(
    keyring_session: None, server: CentralServer, gui: Gui, core: Core, qtbot: QtBot
) -> None:
    with server.admin() as http:
        response = http.put(
            "/v1/admin/reference/benchmarks/benchmarks:bad",
            json={"township_code": None, "payload": {"format": "spreadsheet"}},
        )
        assert response.status_code == 200, response.text
    controller = gui.sync
    assert controller is not None
    officer = server.officer
    controller.service.login(server.base_url, officer.username, officer.password)
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        controller.sync_now()
    store = SqlReferenceSync(core.database.engine)
    store.record_alarm(
        "case-x", 3, "a" * 64, 4, "b" * 64, "本机全过程记录与服务器锚定的哈希不一致（案件 case-x）"
    )

    gui.window.show_page("sync")
    page = gui.window.page("sync")
    assert isinstance(page, SyncPage)
    controller.refresh_status()
    model = page.notices_model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10_000)
    assert page.ui.tabs.tabText(2) == "需要核查（2，告警 1）"
    # the status bar counts the alarm beside conflicts, in red, with where to look
    label = gui.window.sync_status.conflicts_label
    qtbot.waitUntil(lambda: label.text() == "冲突 0，锚定告警 1", timeout=10_000)
    assert "b91c1c" in label.styleSheet() and "需要核查" in label.toolTip()
    assert model.index(0, 0).data() == "锚定告警" and "case-x" in model.index(0, 1).data()
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # in red
    assert model.index(1, 0).data() == "参考数据未采用"
    assert "裁量基准 benchmarks:bad" in model.index(1, 1).data()
    assert "workstation-discretion" in model.index(1, 2).data()
    assert "请立即报告管理员核查" in page.ui.noticeDetail.text()
    page.ui.noticesView.selectRow(1)
    assert "workstation-discretion" in page.ui.noticeDetail.text()
