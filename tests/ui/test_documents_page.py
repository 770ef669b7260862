"""The 文书 page over the demo cases: generate a numbered document with real LibreOffice, preview it
with QtPdf, print it, verify the file against its record, see what is missing, bind the dossier."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import docx
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from workstation.app import Core, Gui
from workstation.documents.pdf import find_soffice
from workstation.services.documents import RenderedDocument, VerifyResult
from workstation.ui.pages.documents_page import DocumentsPage

from ..conftest import ARTIFACTS

pytestmark = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")

SIMPLE_CASE = "店外占道经营影响市容（简易程序）（示例）"
#: The regulation the case's 当场决定书 cites: the decision prints its article, so it is imported.
CITED = (
    Path(__file__).resolve().parents[3]
    / "shared/corpus/laws/行政法规/城市市容和环境卫生管理条例(2017-03-01).md"
)


def case_id(core: Core, title: str) -> str:
    with sqlite3.connect(core.database.path) as conn:
        (found,) = conn.execute("SELECT id FROM cases WHERE title = ?", (title,)).fetchone()
    return str(found)


def row_of(page: DocumentsPage, title: str) -> int:
    for row in range(page.model.rowCount()):
        doc = page.model.document(row)
        if doc is not None and doc.title == title:
            return row
    raise AssertionError(f"{title} not listed")


def test_generate_preview_print_verify_and_dossier(
    gui: Gui, core: Core, qtbot: QtBot, tmp_path: Path
) -> None:
    core.office.seed_demo(with_cases=True)
    core.statutes.import_laws(CITED)
    page = gui.window.page("documents")
    assert isinstance(page, DocumentsPage)
    gui.window.show_page("documents")
    with qtbot.waitSignal(page.documents_loaded, timeout=10000):
        page.open_case(case_id(core, SIMPLE_CASE))

    # A document whose fields are complete can be generated; it is numbered and QR-coded, and
    # its PDF (LibreOffice) is previewed.
    page.select_row(row_of(page, "当场行政处罚决定书"))
    assert page.ui.renderButton.isEnabled()

    # The party signs on the pad before the document is generated; the signature is printed in it.
    assert page.ui.signButton.isEnabled()
    qtbot.mouseClick(page.ui.signButton, Qt.MouseButton.LeftButton)
    dialog = page.signature_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.ui.nameEdit.setText("张某某")
    for start, end in (((30, 40), (150, 80)), ((40, 90), (160, 50))):
        QTest.mousePress(
            dialog.pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*start)
        )
        QTest.mouseMove(dialog.pad, QPoint(*end))
        QTest.mouseRelease(
            dialog.pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*end)
        )
    with qtbot.waitSignal(page.signed, timeout=10000):
        qtbot.mouseClick(dialog.ui.okButton, Qt.MouseButton.LeftButton)
    assert "已签名" in page.ui.statusLabel.text()
    with qtbot.waitSignal(page.rendered, timeout=120000) as made:
        page.ui.renderButton.click()
    rendered = made.args[0]
    assert isinstance(rendered, RenderedDocument)
    assert rendered.number and "当罚字" in rendered.number
    assert rendered.path.exists() and rendered.pdf is not None and rendered.pdf.exists()
    signed = docx.Document(str(rendered.path))
    assert any("张某某" in p.text for p in signed.paragraphs[-4:])
    assert len(signed.inline_shapes) >= 1  # the signature image
    assert page.previewed == rendered.pdf and page.pdf.pageCount() >= 1
    qtbot.waitUntil(lambda: "已出具" in [page.model.index(r, 2).data() for r in range(page.model.rowCount())])

    # Printing renders every page of the PDF on the printer (here a PDF printer).
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    assert page.print_to(printer) == page.pdf.pageCount()
    assert printed.read_bytes().startswith(b"%PDF")

    # The generated file verifies against its record.
    with qtbot.waitSignal(page.verified, timeout=30000) as checked:
        page.verify_file(rendered.path)
    result = checked.args[0]
    assert isinstance(result, VerifyResult) and result.ok
    assert page.ui.statusLabel.text().startswith("✔")

    # A document that still lacks fields says which, and where to fill them.
    missing_rows = [
        r for r in range(page.model.rowCount()) if (d := page.model.document(r)) is not None and d.missing
    ]
    if missing_rows:
        page.select_row(missing_rows[0])
        assert page.ui.missingLabel.isVisibleTo(page)
        assert "请在“" in page.ui.missingLabel.text()
        assert not page.ui.renderButton.isEnabled()

    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    assert gui.window.grab().save(str(ARTIFACTS / "screenshots" / "documents.png"))

    # The 电子卷宗: cover, 目录, the document, 备考表.
    with qtbot.waitSignal(page.dossier_built, timeout=180000) as bound:
        page.build_dossier()
    report = bound.args[0]
    assert report.pages >= 4
    assert page.previewed is not None and page.previewed.name == "电子卷宗.pdf"
    assert page.pdf.pageCount() == report.pages
