"""文书: a case's documents with their status; generate (numbered, QR-coded, PDF), preview, print,
verify a file against its record, and bind the 电子卷宗.

All work is DocumentService's (services/documents.py); the page shows its answers. Generating runs
LibreOffice, so it goes to the I/O pool and the page stays responsive.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QShowEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QHeaderView, QWidget

from workstation.domain.errors import KnownError
from workstation.domain.formatting import chinese_date
from workstation.services.changes import Result
from workstation.services.documents import DocumentInfo, DocumentService, RenderedDocument, VerifyResult
from workstation.services.signatures import SignatureService
from workstation.ui.errors import ErrorReporter
from workstation.ui.forms.documents_page_ui import Ui_DocumentsPage
from workstation.ui.models import HeaderedTableModel
from workstation.ui.signature_pad import SignatureDialog
from workstation.ui.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex
_STATUS_COLOURS = {"voided": QColor("#9ca3af"), "available": QColor("#1f5fa8")}


class DocumentsModel(HeaderedTableModel):
    HEADERS = ("文书", "文号", "状态", "日期")

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[DocumentInfo, ...] = ()

    def set_documents(self, documents: Sequence[DocumentInfo]) -> None:
        self.beginResetModel()
        self._rows = tuple(documents)
        self.endResetModel()

    def document(self, row: int) -> DocumentInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        doc = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            status = doc.status_label
            if not doc.issued and doc.missing:
                status = f"{status}（缺{len(doc.missing)}项）"
            date = chinese_date(doc.issued_on) if doc.issued_on else ""
            return (doc.title, doc.number or "", status, date)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and doc.status in _STATUS_COLOURS:
            return QBrush(_STATUS_COLOURS[doc.status])
        if role == Qt.ItemDataRole.ToolTipRole and doc.missing:
            return "尚缺：" + "；".join(f"{f.label}（{f.where}）" for f in doc.missing)
        return None


def missing_text(doc: DocumentInfo) -> str:
    """What must be filled before this document can be generated, and where."""
    lines = [f"“{doc.title}”还缺少以下内容，补齐后才能生成（不会生成留有空白的文书）："]
    lines += [f"· {f.label}：请在“{f.where}”中填写" for f in doc.missing]
    return "\n".join(lines)


class DocumentsPage(QWidget):
    documents_loaded = Signal(int)
    rendered = Signal(object)
    verified = Signal(object)
    dossier_built = Signal(object)
    preview_shown = Signal(str)
    signed = Signal(object)

    def __init__(
        self,
        documents: DocumentService,
        output_dir: Callable[[str], Path],
        current_case: Callable[[], str | None],
        runner: TaskRunner,
        errors: ErrorReporter,
        parent: QWidget | None = None,
        signatures: SignatureService | None = None,
    ) -> None:
        """``output_dir(case_number_or_id)`` is where a case's files are written."""
        super().__init__(parent)
        self.ui = Ui_DocumentsPage()
        self.ui.setupUi(self)
        self._service = documents
        self._signatures = signatures
        self.signature_dialog: SignatureDialog | None = None
        self._output_dir = output_dir
        self._current_case = current_case
        self._runner = runner
        self._errors = errors
        self.case_ref: str | None = None
        self.model = DocumentsModel()
        self.pdf = QPdfDocument(self)
        self.preview = QPdfView(self)
        self.preview.setDocument(self.pdf)
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.previewed: Path | None = None
        self._setup_widgets()
        self._connect_signals()

    def _setup_widgets(self) -> None:
        ui = self.ui
        ui.documentsView.setModel(self.model)
        ui.documentsView.verticalHeader().setVisible(False)
        ui.documentsView.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        ui.previewLayout.addWidget(self.preview)
        ui.splitter.setSizes([560, 620])
        self._update_buttons()

    def _connect_signals(self) -> None:
        ui = self.ui
        ui.caseEdit.returnPressed.connect(self._on_open_clicked)
        ui.openButton.clicked.connect(self._on_open_clicked)
        ui.documentsView.clicked.connect(self._on_document_clicked)
        ui.documentsView.activated.connect(self._on_document_clicked)
        ui.renderButton.clicked.connect(self.render_selected)
        ui.signButton.clicked.connect(self.sign_selected)
        ui.printButton.clicked.connect(self._on_print_clicked)
        ui.verifyButton.clicked.connect(self._on_verify_clicked)
        ui.dossierButton.clicked.connect(self.build_dossier)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        wanted = self._current_case()
        if wanted and wanted != self.case_ref:
            self.open_case(wanted)

    # ------------------------------------------------------------- the case's documents

    def open_case(self, case_ref: str) -> None:
        self.case_ref = case_ref
        self.ui.caseEdit.setText(case_ref)
        self.refresh()

    def refresh(self) -> None:
        ref = self.case_ref
        if not ref:
            return
        self._runner.run_db(lambda: self._service.list(ref), self._on_listed, self._errors.report, "文书")

    def _on_listed(self, result: Result[list[DocumentInfo]]) -> None:
        docs = result.value
        self.model.set_documents(docs)
        issued = sum(1 for d in docs if d.issued)
        self.ui.caseLabel.setText(
            f"案件 {self.case_ref}：已制作文书 {issued} 份，可制作 {len(docs) - issued} 份。"
        )
        self.ui.missingLabel.setVisible(False)
        self._update_buttons()
        self.documents_loaded.emit(len(docs))

    def selected(self) -> DocumentInfo | None:
        index = self.ui.documentsView.currentIndex()
        return self.model.document(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.ui.documentsView.setCurrentIndex(self.model.index(row, 0))
        self._on_document_clicked(self.model.index(row, 0))

    def _update_buttons(self) -> None:
        doc = self.selected()
        ui = self.ui
        ui.renderButton.setEnabled(doc is not None and not doc.issued and not doc.missing)
        ui.signButton.setEnabled(self._signatures is not None and doc is not None and not doc.issued)
        ui.printButton.setEnabled(self.previewed is not None)
        ui.dossierButton.setEnabled(self.case_ref is not None)

    def _on_open_clicked(self) -> None:
        text = self.ui.caseEdit.text().strip()
        if text:
            self.open_case(text)

    def _on_document_clicked(self, index: QModelIndex) -> None:
        doc = self.model.document(index.row())
        ui = self.ui
        if doc is None:
            return
        if not doc.issued and doc.missing:
            ui.missingLabel.setText(missing_text(doc))
            ui.missingLabel.setVisible(True)
        else:
            ui.missingLabel.setVisible(False)
        if doc.path:
            pdf = Path(doc.path).with_suffix(".pdf")
            if pdf.exists():
                self.show_pdf(pdf)
        self._update_buttons()

    # ------------------------------------------------------------- signing

    def sign_selected(self) -> None:
        """Open the signature pad for the selected document (before it is generated)."""
        doc = self.selected()
        if doc is None or self._signatures is None or doc.issued:
            return
        dialog = SignatureDialog(self, role="party")
        dialog.signed.connect(functools.partial(self._on_signed, doc))
        self.signature_dialog = dialog
        dialog.open()

    def _on_signed(self, doc: DocumentInfo, signature: dict[str, Any]) -> None:
        service, ref = self._signatures, self.case_ref
        if service is None or ref is None:
            return
        self._runner.run_db(
            lambda: service.add(ref, doc.code, signature),
            functools.partial(self._on_signature_stored, doc),
            self._on_failed,
            "签名",
        )

    def _on_signature_stored(self, doc: DocumentInfo, result: Result[Any]) -> None:
        record = result.value
        what = "拒签已记录" if record.refused else f"{record.role_label}{record.name}已签名"
        self.ui.statusLabel.setStyleSheet("")
        self.ui.statusLabel.setText(f"“{doc.title}”：{what}，生成文书时印在文书上。")
        self.signed.emit(record)

    # ------------------------------------------------------------- generating

    def render_selected(self) -> None:
        doc = self.selected()
        ref = self.case_ref
        if doc is None or ref is None or doc.issued:
            return
        folder = self._output_dir(ref)
        out = folder / f"{doc.code}.docx"
        self.ui.statusLabel.setText(f"正在生成“{doc.title}”并转换为 PDF……")
        self.ui.renderButton.setEnabled(False)

        def make() -> Result[RenderedDocument]:
            folder.mkdir(parents=True, exist_ok=True)
            return self._service.render(ref, doc.code, out, pdf=True)

        self._runner.run_io(make, self._on_rendered, self._on_failed, "生成文书")

    def _on_rendered(self, result: Result[RenderedDocument]) -> None:
        made = result.value
        self.ui.statusLabel.setText(f"已生成：{made.title} {made.number or ''}（{made.path}）")
        if made.pdf is not None:
            self.show_pdf(made.pdf)
        self.refresh()
        self.rendered.emit(made)

    def _on_failed(self, exc: BaseException) -> None:
        self._update_buttons()
        if isinstance(exc, KnownError):
            self.ui.statusLabel.setText(exc.user_text())
        self._errors.report(exc)

    # ------------------------------------------------------------- preview and printing

    def show_pdf(self, path: Path) -> None:
        self.pdf.load(str(path))
        if self.pdf.status() == QPdfDocument.Status.Ready:
            self.previewed = path
            self.ui.previewLabel.setText(f"预览：{path.name}（共 {self.pdf.pageCount()} 页）")
            self.preview_shown.emit(str(path))
        else:
            self.previewed = None
            self.ui.previewLabel.setText(f"无法预览：{path.name}")
        self._update_buttons()

    def print_to(self, printer: QPrinter) -> int:
        """Print the previewed PDF, page by page at the printer's resolution; returns pages printed."""
        if self.previewed is None or self.pdf.pageCount() == 0:
            return 0
        painter = QPainter()
        if not painter.begin(printer):
            raise KnownError("无法开始打印。", "请检查打印机是否连接并处于就绪状态。")
        try:
            dpi = printer.resolution()
            for page in range(self.pdf.pageCount()):
                if page:
                    printer.newPage()
                points = self.pdf.pagePointSize(page)
                size = QSize(int(points.width() / 72 * dpi), int(points.height() / 72 * dpi))
                image = self.pdf.render(page, size)
                target = painter.viewport()
                scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRectF(0, 0, scaled.width(), scaled.height()), image)
        finally:
            painter.end()
        return self.pdf.pageCount()

    def _on_print_clicked(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.accepted.connect(functools.partial(self._print_accepted, printer))
        self.print_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()

    def _print_accepted(self, printer: QPrinter) -> None:
        try:
            pages = self.print_to(printer)
        except KnownError as exc:
            self._errors.report(exc)
            return
        self.ui.statusLabel.setText(f"已送打印：{pages} 页。")

    # ------------------------------------------------------------- verifying and the dossier

    def verify_file(self, path: Path) -> None:
        self._runner.run_io(
            lambda: self._service.verify(path), self._on_verified, self._on_failed, "核验文书"
        )

    def _on_verify_clicked(self) -> None:
        dialog = QFileDialog(self, "选择要核验的文书", "", "文书 (*.docx *.pdf)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: self.verify_file(Path(name)))
        self.file_dialog = dialog
        dialog.open()

    def _on_verified(self, result: Result[VerifyResult]) -> None:
        found = result.value
        colour = "#15803d" if found.ok else "#b91c1c"
        self.ui.statusLabel.setStyleSheet(f"color:{colour}")
        self.ui.statusLabel.setText(("✔ " if found.ok else "✘ ") + found.summary)
        self.verified.emit(found)

    def build_dossier(self) -> None:
        ref = self.case_ref
        if ref is None:
            return
        out = self._output_dir(ref) / "电子卷宗.pdf"
        self.ui.statusLabel.setStyleSheet("")
        self.ui.statusLabel.setText("正在组卷（转换文书、生成目录和备考表）……")

        def make() -> Any:
            out.parent.mkdir(parents=True, exist_ok=True)
            if out.exists():
                out.unlink()
            return self._service.dossier(ref, out)

        self._runner.run_io(make, functools.partial(self._on_dossier, out), self._on_failed, "电子卷宗")

    def _on_dossier(self, out: Path, result: Result[Any]) -> None:
        report = result.value
        self.ui.statusLabel.setText(f"电子卷宗已生成：共 {report.pages} 页（{out}）")
        self.show_pdf(out)
        self.dossier_built.emit(report)


__all__ = ["DocumentsModel", "DocumentsPage", "missing_text"]
