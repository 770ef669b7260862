"""The 证据 tab of the case workspace over the demo cases (pytest-qt, real widgets): add evidence
with and without a file through the 添加证据 form (a wrong field is highlighted in Chinese and
nothing typed is lost), open a file by double-click, 作废 a piece from the context menu (the
original stays, listed as 已作废 with the reason), and a finished case refuses new evidence."""

from __future__ import annotations

import datetime as dt
import sqlite3
import struct
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from workstation.app import Core, Gui
from workstation.domain.clock import CHINA_TZ
from workstation.domain.evidence_ports import EvidenceItem
from workstation.ui.evidence_dialog import EvidenceDialog, EvidenceTableModel, size_text
from workstation.ui.pages.cases_page import CasesPage

from ..conftest import ARTIFACTS
from .test_case_handling_ui import choose_user, commit_text

SIMPLE = "店外占道经营影响市容（简易程序）（示例）"
ARCHIVED = "小吃店超标排放油烟经听证后处罚（完整卷宗）（示例）"


class UrlCatcher(QObject):
    """Takes the file URLs QDesktopServices would hand to the system viewer."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        self.urls.append(url)


def png(path: Path) -> Path:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + bytes((x + y) % 256 for x in range(48)) for y in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def case_id(core: Core, title: str) -> str:
    with sqlite3.connect(core.database.path) as conn:
        (found,) = conn.execute("SELECT id FROM cases WHERE title = ?", (title,)).fetchone()
    return str(found)


def open_case(page: CasesPage, qtbot: QtBot, title: str, core: Core) -> str:
    wanted = case_id(core, title)
    with qtbot.waitSignal(page.evidence_shown, timeout=10000, check_params_cb=lambda c: c == wanted):
        page.open_case(wanted)
    page.workspace.ui.tabs.setCurrentWidget(page.workspace.evidence)
    return wanted


def open_dialog(page: CasesPage, qtbot: QtBot) -> EvidenceDialog:
    before = page.evidence_dialog
    qtbot.mouseClick(page.workspace.evidence.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            page.evidence_dialog is not before
            and page.evidence_dialog is not None
            and page.evidence_dialog.isVisible()
        ),
        timeout=5000,
    )
    dialog = page.evidence_dialog
    assert isinstance(dialog, EvidenceDialog)
    return dialog


def ok(dialog: EvidenceDialog, qtbot: QtBot) -> None:
    qtbot.mouseClick(
        dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def refused(dialog: EvidenceDialog, qtbot: QtBot, text: str) -> None:
    ok(dialog, qtbot)
    qtbot.waitUntil(lambda: text in dialog.ui.errorLabel.text(), timeout=5000)
    assert dialog.isVisible()


@pytest.fixture
def page(gui: Gui, core: Core, qtbot: QtBot) -> CasesPage:
    core.office.seed_demo(with_cases=True)
    choose_user(gui, qtbot, "林建华")
    found = gui.window.page("cases")
    assert isinstance(found, CasesPage)
    with qtbot.waitSignal(found.list_loaded, timeout=5000):
        gui.window.show_page("cases")
    return found


def test_add_open_and_void_evidence_in_the_evidence_tab(
    gui: Gui, core: Core, page: CasesPage, qtbot: QtBot, tmp_path: Path, qtmodeltester: object
) -> None:
    case = open_case(page, qtbot, SIMPLE, core)
    panel = page.workspace.evidence
    assert panel.add_button.isEnabled() and panel.model.rowCount() == 0

    # The form offers the eight kinds and the office's officers, the case's officers ticked.
    dialog = open_dialog(page, qtbot)
    assert dialog.ui.kindCombo.count() == 8
    assert dialog.values()["collectors"], "the case's officers are ticked"
    dialog.set_kind("physical")
    commit_text(dialog.ui.sourceEdit, "现场提取")
    commit_text(dialog.ui.descriptionEdit, "店门外占道摆放的货架")
    photo = png(tmp_path / "现场照片.png")
    dialog.set_file(photo)

    # No name: refused with the field highlighted, everything typed kept.
    refused(dialog, qtbot, "请填写证据名称")
    assert dialog.invalid_fields() == ["title"]
    assert dialog.ui.sourceEdit.text() == "现场提取" and dialog.ui.fileEdit.text() == str(photo)
    assert dialog.ui.descriptionEdit.toPlainText() == "店门外占道摆放的货架"

    # A time in the future: the time is highlighted.
    commit_text(dialog.ui.titleEdit, "现场照片")
    dialog.set_collected_at(core.clock.now() + dt.timedelta(days=2))
    refused(dialog, qtbot, "晚于现在")
    assert dialog.invalid_fields() == ["collected_at"]
    assert dialog.ui.titleEdit.text() == "现场照片"

    taken = core.clock.now() - dt.timedelta(hours=1)
    dialog.set_collected_at(taken)
    with qtbot.waitSignal(page.evidence_added, timeout=10000) as added:
        ok(dialog, qtbot)
    first = added.args[0]
    assert isinstance(first, EvidenceItem) and first.source == "现场提取"
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    row = [panel.model.index(0, c).data() for c in range(panel.model.columnCount())]
    local = taken.astimezone(CHINA_TZ)
    assert row[:4] == ["物证", "现场照片：店门外占道摆放的货架", "现场提取", local.strftime("%Y-%m-%d %H:%M")]
    assert row[4] == "吴永福（示例）、黄志强（示例）" and row[5] == "现场照片.png"  # the case's officers
    assert row[6] == size_text(photo.stat().st_size) and row[7] == first.sha256[:12] and row[8] == "有效"
    table = page.workspace.ui.timelineTable
    qtbot.waitUntil(lambda: table.item(table.rowCount() - 1, 2).text() == "登记证据", timeout=5000)

    # A 证人证言 summarised on paper: no file.
    dialog = open_dialog(page, qtbot)
    dialog.set_kind("witness")
    commit_text(dialog.ui.titleEdit, "证人王某证言")
    commit_text(dialog.ui.sourceEdit, "证人王某")
    commit_text(dialog.ui.descriptionEdit, "王某称货架已摆放三日，纸质笔录附卷")
    with qtbot.waitSignal(page.evidence_added, timeout=10000):
        ok(dialog, qtbot)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)
    witness_row = next(r for r in range(2) if panel.model.index(r, 0).data() == "证人证言")
    assert panel.model.index(witness_row, 5).data() == "（无文件）"
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]

    # Double-click opens a read-only copy of the stored file under its own name.
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open_url")  # type: ignore[arg-type]  # str at run time
    try:
        photo_row = 1 - witness_row
        rect = panel.view.visualRect(panel.model.index(photo_row, 1))
        with qtbot.waitSignal(page.evidence_opened, timeout=10000) as opened:
            qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert isinstance(opened.args[0], Path) and opened.args[0].name == "现场照片.png"
        assert [u.toLocalFile() for u in catcher.urls] == [str(opened.args[0])]
        assert opened.args[0].read_bytes() == photo.read_bytes()
    finally:
        QDesktopServices.unsetUrlHandler("file")

    # 作废 from the context menu: a reason is required; the original stays, marked 已作废.
    rect = panel.view.visualRect(panel.model.index(witness_row, 1))
    panel.view.customContextMenuRequested.emit(rect.center())
    menu = panel.menu
    assert menu is not None
    labels = {a.text(): a for a in menu.actions()}
    assert not labels["打开文件(&O)"].isEnabled()
    labels["作废(&V)…"].trigger()
    menu.close()
    qtbot.waitUntil(
        lambda: page.correction_dialog is not None and page.correction_dialog.isVisible(), timeout=5000
    )
    correction = page.correction_dialog
    assert correction is not None and correction.is_void()
    qtbot.mouseClick(
        correction.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: "理由" in correction.error_label.text(), timeout=5000)
    assert correction.isVisible() and correction.reason_edit.property("invalid") is True
    commit_text(correction.reason_edit, "证人系当事人近亲属，证言不予采用")
    with qtbot.waitSignal(page.evidence_corrected, timeout=10000):
        qtbot.mouseClick(
            correction.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    qtbot.waitUntil(
        lambda: (
            panel.model.rowCount() == 2
            and "已作废：证人系当事人近亲属" in str(panel.model.index(witness_row, 8).data())
        ),
        timeout=5000,
    )
    assert panel.model.index(witness_row, 1).data().startswith("证人王某证言")  # the original, kept
    assert "1 份已更正或作废" in panel.count_label.text()
    qtbot.waitUntil(lambda: table.item(table.rowCount() - 1, 2).text() == "作废证据", timeout=5000)
    rect = panel.view.visualRect(panel.model.index(witness_row, 1))
    panel.view.customContextMenuRequested.emit(rect.center())
    assert panel.menu is not None
    assert not {a.text(): a for a in panel.menu.actions()}["更正(&C)…"].isEnabled()
    panel.menu.close()
    assert core.cases.verify_log(case).value.ok

    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    assert gui.window.grab().save(str(ARTIFACTS / "screenshots" / "evidence_tab.png"))


def test_a_finished_case_refuses_evidence_in_the_form(
    core: Core, page: CasesPage, qtbot: QtBot, tmp_path: Path
) -> None:
    open_case(page, qtbot, ARCHIVED, core)
    dialog = open_dialog(page, qtbot)
    commit_text(dialog.ui.titleEdit, "补拍照片")
    dialog.set_file(png(tmp_path / "late.png"))
    refused(dialog, qtbot, "案件已结案（归档），不能再添加证据")
    assert "第四十七条" in dialog.ui.errorLabel.text() and "如需补充证据" in dialog.ui.errorLabel.text()
    assert dialog.ui.titleEdit.text() == "补拍照片" and dialog.invalid_fields() == []
    dialog.reject()
    assert page.workspace.evidence.model.rowCount() == 0


def test_the_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = EvidenceTableModel()
    item = EvidenceItem(
        id="e1",
        case_id="c1",
        kind="documentary",
        kind_label="书证",
        title="营业执照复印件",
        description="",
        collected_on=dt.date(2026, 3, 2),
        sha256="ab" * 32,
        media_type="application/pdf",
        path=Path("/nonexistent"),
        original_name="执照.pdf",
        size=2048,
    )
    model.set_items([item])
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.index(0, 6).data() == "2.0 KB" and model.index(0, 2).data() == "—"
    assert model.data(model.index(0, 7), Qt.ItemDataRole.ToolTipRole) == "SHA-256：" + "ab" * 32
