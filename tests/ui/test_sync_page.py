"""The 同步 page, the status bar and the 工作台's 省平台推送任务 against the real reference server
(uvicorn on 127.0.0.1), with tokens in a real Secret Service (gnome-keyring on a private D-Bus
session, as tests/e2e/test_cli_sync.py runs it)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.central.server import CentralServer
from workstation.app import Core, Gui
from workstation.domain.cases import CaseKind, CaseSource
from workstation.services.cases import NewCaseSpec
from workstation.ui.login_dialog import LoginDialog
from workstation.ui.pages.sync_page import SyncPage
from workstation.ui.pages.workbench import WorkbenchPage
from workstation.ui.sync_status import SyncController

from ..conftest import ARTIFACTS

LEAD = "49bf81a3-a552-5e7c-872e-72e52c276398"  # 林建华（示例）
SECOND = "631de54a-a54f-50a8-a3c7-36905f971c27"  # 陈晓敏（示例）
ZHANG = "ddb69b6a-e595-5420-8f4e-5d9b67257046"  # 张某某（示例）
D = dt.date


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private D-Bus session with an unlocked gnome-keyring; yields its bus address."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: run scripts/setup.sh test")
    home = tmp_path_factory.mktemp("keyring-home")
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert daemon.stdin is not None
    daemon.stdin.write(b"ci-pass")
    daemon.stdin.close()
    try:
        yield address
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        bus.terminate()
        bus.wait(timeout=10)
        bus.stdout.close()


@pytest.fixture
def keyring_session(secret_service: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process talks to that Secret Service through keyring's real SecretService backend."""
    import keyring
    from keyring.backends import SecretService

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service)
    previous = keyring.get_keyring()
    backend = SecretService.Keyring()
    keyring.set_keyring(backend)
    deadline = time.monotonic() + 20
    while True:  # the daemon takes a moment to own its bus name
        try:
            backend.set_password("workstation-probe", "probe", "ok")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CentralServer]:
    with CentralServer(tmp_path / "central") as running:
        yield running


def _controller(gui: Gui) -> SyncController:
    assert gui.sync is not None
    return gui.sync


def _busy(controller: SyncController) -> bool:
    return controller.running


def _sync_page(gui: Gui) -> SyncPage:
    gui.window.show_page("sync")
    page = gui.window.page("sync")
    assert isinstance(page, SyncPage)
    return page


def _login(page: SyncPage, qtbot: QtBot, url: str, username: str, password: str) -> LoginDialog:
    qtbot.mouseClick(page.ui.loginButton, Qt.MouseButton.LeftButton)
    dialog = page.login_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.ui.urlEdit.clear()
    qtbot.keyClicks(dialog.ui.urlEdit, url)
    dialog.ui.usernameEdit.clear()
    qtbot.keyClicks(dialog.ui.usernameEdit, username)
    qtbot.keyClicks(dialog.ui.passwordEdit, password)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    return dialog


def _sync(page: SyncPage, gui: Gui, qtbot: QtBot) -> None:
    controller = _controller(gui)
    qtbot.waitUntil(page.ui.syncButton.isEnabled, timeout=10_000)
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        qtbot.mouseClick(page.ui.syncButton, Qt.MouseButton.LeftButton)
        assert page.ui.syncProgress.isVisible()  # busy while the sync runs on the TaskRunner
        assert not page.ui.syncButton.isEnabled()  # never two at once
    summary = controller.last_summary
    assert summary is not None and summary.ok, summary


def _new_case(core: Core) -> str:
    spec = NewCaseSpec(
        kind=CaseKind.ORDINARY,
        title="占道经营",
        source=CaseSource.PATROL,
        opened_on=D(2025, 3, 3),
        actor_id=LEAD,
        party_ids=(ZHANG,),
        officer_ids=(LEAD, SECOND),
        data={},
    )
    return core.cases.new_case(spec).value.case.id


def _edit_on_another_device(server: CentralServer, case_id: str, field: str, value: Any) -> None:
    """Another device (李四's tablet) changes one field of the case on the server."""
    with server.client("lisi", device_id="tablet-2") as http:
        current = http.get(f"/v1/cases/{case_id}").json()
        fields = current["fields"]
        fields["data"][field] = value
        response = http.put(
            f"/v1/cases/{case_id}",
            json={"base_version": current["version"], "fields": fields, "case_number": None},
            headers={"If-Match": f'"{current["version"]}"', "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 200, response.text


def _shot(gui: Gui, qtbot: QtBot, name: str) -> None:
    status = gui.window.sync_status
    # let the status bar take the width of its new texts before the picture is taken
    qtbot.waitUntil(lambda: status.sync_label.width() >= status.sync_label.sizeHint().width(), timeout=5000)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    assert gui.window.grab().save(str(ARTIFACTS / "screenshots" / name))


def test_login_sync_tasks_and_a_conflict_resolved_through_the_page(
    keyring_session: None, server: CentralServer, gui: Gui, core: Core, qtbot: QtBot
) -> None:
    window = gui.window
    controller = _controller(gui)
    page = _sync_page(gui)
    qtbot.waitUntil(lambda: controller.last_status is not None, timeout=10_000)
    assert window.network_label.text() == "离线"
    assert not page.ui.syncButton.isEnabled()  # not logged in yet

    # a wrong password: the dialog stays open and says so in Chinese
    officer = server.officer
    dialog = _login(page, qtbot, server.base_url, officer.username, "wrong-password")
    qtbot.waitUntil(lambda: "用户名或密码错误" in dialog.error_text(), timeout=10_000)
    assert dialog.isVisible() and dialog.ui.passwordEdit.text() == ""
    dialog.close()

    dialog = _login(page, qtbot, server.base_url, officer.username, officer.password)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(
        lambda: controller.last_status is not None and controller.last_status.logged_in, timeout=10_000
    )
    assert officer.name in page.ui.loginValue.text()
    assert page.ui.serverValue.text() == server.base_url
    assert window.network_label.text() == "在线"
    # the password and the tokens are nowhere in the data directory: tokens are in the keyring
    import json

    import keyring

    stored = keyring.get_password("workstation", f"central:{server.base_url}")
    assert stored is not None
    refresh = json.loads(stored)["refresh_token"]
    for path in core.paths.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert refresh.encode() not in data and officer.password.encode() not in data, path

    # a case made offline reaches the server
    case_id = _new_case(core)
    controller.refresh_status()
    qtbot.waitUntil(lambda: window.sync_status.pending_label.text() != "待上传 0", timeout=10_000)
    _sync(page, gui, qtbot)
    qtbot.waitUntil(lambda: page.ui.pendingValue.text().startswith("记录 0 条"), timeout=10_000)
    assert "附件 0 个" in page.ui.pendingValue.text()
    assert window.sync_status.pending_label.text() == "待上传 0"
    assert window.sync_label.text().startswith("同步：上次同步 ")
    assert "同步完成" in page.ui.reportValue.text() and "案件 1" in page.ui.reportValue.text()
    with server.client() as http:
        stored_case = http.get(f"/v1/cases/{case_id}")
        assert stored_case.status_code == 200
        assert stored_case.json()["fields"]["title"] == "占道经营"
        server_titles = {t["title"] for t in http.get("/v1/tasks").json()["items"]}

    # the tasks the server pushed are on the 工作台
    workbench = window.page("workbench")
    assert isinstance(workbench, WorkbenchPage)
    model = workbench.server_tasks_model
    qtbot.waitUntil(lambda: model.rowCount() == len(server.township.task_ids) > 0, timeout=10_000)
    assert {model.index(r, 1).data() for r in range(model.rowCount())} == server_titles
    assert workbench.server_tasks_heading.text().startswith(f"省平台推送任务（{model.rowCount()} 个")
    _shot(gui, qtbot, "sync_page.png")

    # the same field changed on another device and here: a conflict shown side by side
    _edit_on_another_device(server, case_id, "brief_facts", "在东街占道摆摊")
    core.cases.act(
        case_id, "file", {"act_date": "2025-03-01", "brief_facts": "在西街占道摆摊"}, LEAD, D(2025, 3, 4)
    )
    _sync(page, gui, qtbot)
    assert controller.last_summary is not None and controller.last_summary.conflicts == 1
    qtbot.waitUntil(lambda: page.conflicts_model.rowCount() == 1, timeout=10_000)
    assert window.sync_status.conflicts_label.text() == "冲突 1"
    assert "b91c1c" in window.sync_status.conflicts_label.styleSheet()
    conflict = page.selected_conflict()
    assert conflict is not None and conflict.field == "data.brief_facts"
    assert page.ui.localText.toPlainText() == "在西街占道摆摊"
    assert page.ui.remoteText.toPlainText() == "在东街占道摆摊"
    assert page.ui.baseText.toPlainText() == "（空）"
    assert page.ui.fieldValue.text().endswith(conflict.field_label) and conflict.field_label != "brief_facts"
    assert page.ui.tabs.tabText(0) == "冲突待处理（1）"
    _shot(gui, qtbot, "sync_conflict.png")

    with qtbot.waitSignal(page.conflict_resolved, timeout=10_000):
        qtbot.mouseClick(page.ui.takeLocalButton, Qt.MouseButton.LeftButton)
    assert "已采用本机的值" in page.ui.resolveMessage.text()
    qtbot.waitUntil(lambda: page.conflicts_model.rowCount() == 0, timeout=10_000)
    assert not page.ui.takeLocalButton.isEnabled()
    _sync(page, gui, qtbot)
    with server.client() as http:
        stored_case = http.get(f"/v1/cases/{case_id}").json()
        actions = [e["action"] for e in http.get(f"/v1/cases/{case_id}/events").json()["items"]]
    assert stored_case["fields"]["data"]["brief_facts"] == "在西街占道摆摊"
    assert actions.count("resolve_sync_conflict") == 1
    qtbot.waitUntil(lambda: window.sync_status.conflicts_label.text() == "冲突 0", timeout=10_000)

    # clicking the status bar opens the page; 退出 ends the login and removes the tokens
    window.show_page("workbench")
    qtbot.mouseClick(window.sync_status, Qt.MouseButton.LeftButton)
    assert window.current_page() == "sync"
    qtbot.mouseClick(page.ui.logoutButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: controller.last_status is not None and not controller.last_status.logged_in, timeout=10_000
    )
    assert page.ui.loginValue.text() == "未登录"
    assert not page.ui.syncButton.isEnabled()
    assert keyring.get_password("workstation", f"central:{server.base_url}") is None


def test_a_value_typed_by_hand_resolves_a_conflict(
    keyring_session: None, server: CentralServer, gui: Gui, core: Core, qtbot: QtBot
) -> None:
    """手工填写: the value typed replaces both sides and syncs like any other change."""
    controller = _controller(gui)
    page = _sync_page(gui)
    officer = server.officer
    dialog = _login(page, qtbot, server.base_url, officer.username, officer.password)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    case_id = _new_case(core)
    _sync(page, gui, qtbot)
    _edit_on_another_device(server, case_id, "brief_facts", "在南街占道摆摊")
    core.cases.act(
        case_id, "file", {"act_date": "2025-03-01", "brief_facts": "在北街占道摆摊"}, LEAD, D(2025, 3, 4)
    )
    _sync(page, gui, qtbot)
    qtbot.waitUntil(lambda: page.conflicts_model.rowCount() == 1, timeout=10_000)
    assert page.ui.manualEdit.text() == "在北街占道摆摊"  # starts from this machine's value
    page.ui.manualEdit.setText("在南街和北街之间占道摆摊")
    with qtbot.waitSignal(page.conflict_resolved, timeout=10_000):
        qtbot.mouseClick(page.ui.manualButton, Qt.MouseButton.LeftButton)
    assert "已采用手工填写的值" in page.ui.resolveMessage.text()
    qtbot.waitUntil(lambda: page.conflicts_model.rowCount() == 0, timeout=10_000)
    assert (
        core.cases.show(case_id, D(2025, 3, 10)).value.case.data["brief_facts"] == "在南街和北街之间占道摆摊"
    )
    _sync(page, gui, qtbot)
    qtbot.waitUntil(
        lambda: controller.last_status is not None and controller.last_status.pending == 0, timeout=10_000
    )
    with server.client() as http:
        stored = http.get(f"/v1/cases/{case_id}").json()
    assert stored["fields"]["data"]["brief_facts"] == "在南街和北街之间占道摆摊"


def test_a_refused_case_is_listed_with_its_reason_and_retried(
    keyring_session: None, tmp_path: Path, gui: Gui, core: Core, qtbot: QtBot
) -> None:
    with CentralServer(tmp_path / "small", max_json_bytes=64 * 1024) as small:
        controller = _controller(gui)
        page = _sync_page(gui)
        dialog = _login(page, qtbot, small.base_url, small.officer.username, small.officer.password)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        big = NewCaseSpec(
            kind=CaseKind.ORDINARY,
            title="超大案件",
            source=CaseSource.PATROL,
            opened_on=D(2025, 3, 3),
            actor_id=LEAD,
            party_ids=(ZHANG,),
            officer_ids=(LEAD, SECOND),
            data={"brief_facts": "案情" * 40_000},
        )
        big_id = core.cases.new_case(big).value.case.id
        qtbot.waitUntil(page.ui.syncButton.isEnabled, timeout=10_000)
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as finished:
            qtbot.mouseClick(page.ui.syncButton, Qt.MouseButton.LeftButton)
        assert finished.args[0].quarantined == 1
        model = page.quarantine_model
        qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
        assert model.index(0, 0).data() == big_id
        assert model.index(0, 1).data() == "案件内容"
        assert "too_large" in model.index(0, 2).data() and any(
            "\u4e00" <= ch <= "\u9fff" for ch in model.index(0, 2).data()
        )
        assert page.ui.tabs.tabText(1) == "被拒收（隔离）（1）"
        assert gui.window.sync_status.conflicts_label.text() == "冲突 0，被拒收 1"
        assert not page.ui.retryButton.isEnabled()
        page.ui.quarantineView.selectRow(0)
        assert page.ui.retryButton.isEnabled()
        qtbot.mouseClick(page.ui.retryButton, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=10_000)
        assert controller.last_status is not None and controller.last_status.pending_cases == 1


def test_the_background_sync_runs_on_the_timer_and_failures_only_change_the_status(
    keyring_session: None, server: CentralServer, gui: Gui, core: Core, qtbot: QtBot, qapp: Any
) -> None:
    controller = _controller(gui)
    assert controller.timer.isActive()
    assert controller.timer.interval() == core.settings.sync_interval_minutes * 60_000
    controller.timer.timeout.emit()  # not logged in: nothing runs
    assert not _busy(controller)
    page = _sync_page(gui)
    dialog = _login(page, qtbot, server.base_url, server.officer.username, server.officer.password)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(
        lambda: controller.last_status is not None and controller.last_status.logged_in, timeout=10_000
    )
    _new_case(core)
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as finished:
        controller.timer.timeout.emit()
        assert _busy(controller)
        assert not controller.sync_now()  # never two at once
    assert finished.args[0].ok and finished.args[0].pushed_cases == 1
    qtbot.waitUntil(lambda: gui.window.network_label.text() == "在线", timeout=10_000)

    server.stop()  # the platform goes away: the next background sync fails quietly
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as failed:
        controller.timer.timeout.emit()
    assert failed.args[0].offline and not failed.args[0].ok
    qtbot.waitUntil(lambda: gui.window.network_label.text() == "离线", timeout=10_000)
    assert "最近一次未成功" in gui.window.sync_label.text()
    assert "无法连接中心服务器" in page.ui.reportValue.text()
    from PySide6.QtWidgets import QMessageBox

    assert not any(isinstance(w, QMessageBox) and w.isVisible() for w in qapp.topLevelWidgets())
