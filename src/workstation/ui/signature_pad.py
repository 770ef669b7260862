"""签名板: draw a signature with the mouse or a pen, and the 签名 dialog around it.

:class:`SignaturePad` keeps each stroke as its points and draws it as a smoothed
QPainterPath (quadratic curves through the midpoints); pen input (QTabletEvent) is taken
directly, with the pen's pressure setting the stroke width, so Qt does not also synthesise
mouse events for it. :meth:`SignaturePad.to_png` crops to the ink with a small margin and
scales up so the image is at least :data:`MIN_PNG_WIDTH` pixels wide (35 mm in print is about
480 px at 350 dpi), on a transparent background.

:class:`SignatureDialog` (ui/signature_dialog.ui) adds the signer's role and name and the 拒签
box: a refusal needs a witness or a photo/video file (《中华人民共和国民事诉讼法》第八十九条,
留置送达); it emits :attr:`SignatureDialog.signed` with the dict SignatureService.add takes.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageWriter,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
)
from PySide6.QtWidgets import QDialog, QFileDialog, QSizePolicy, QWidget

from workstation.domain.signature_ports import REFUSAL_RULE, ROLE_LABELS

#: The narrowest PNG :meth:`SignaturePad.to_png` makes (print quality at 35 mm).
MIN_PNG_WIDTH = 600
#: Stroke width in widget pixels (a pen's pressure scales it from half to one and a half).
PEN_WIDTH = 3.0
#: Blank space kept around the ink in the PNG, in widget pixels.
MARGIN = 6.0
INK = QColor(10, 10, 40)


def _smooth(points: list[QPointF]) -> QPainterPath:
    """A path through ``points`` with quadratic curves between the midpoints."""
    path = QPainterPath(points[0])
    if len(points) == 1:
        path.lineTo(points[0])  # a dot: drawn with the round cap
        return path
    for previous, point in itertools.pairwise(points):
        path.quadTo(previous, (previous + point) / 2)
    path.lineTo(points[-1])
    return path


class _Stroke:
    __slots__ = ("path", "points", "width")

    def __init__(self, point: QPointF, width: float) -> None:
        self.points = [point]
        self.width = width
        self.path = _smooth(self.points)

    def add(self, point: QPointF) -> None:
        self.points.append(point)
        self.path = _smooth(self.points)


class SignaturePad(QWidget):
    """A white area to sign on (see the module docstring)."""

    #: Emitted when a stroke is finished and when the pad is cleared.
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setAccessibleName("签名板")
        self.setToolTip("请在此处签名（鼠标或手写笔）")
        self.setMinimumSize(320, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._strokes: list[_Stroke] = []
        self._drawing = False

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(600, 240)

    # ------------------------------------------------------------------ state

    def is_empty(self) -> bool:
        return not self._strokes

    def clear(self) -> None:
        """清除: remove every stroke."""
        self._strokes.clear()
        self._drawing = False
        self.update()
        self.changed.emit()

    # ------------------------------------------------------------------ input

    def _begin(self, point: QPointF, width: float) -> None:
        self._strokes.append(_Stroke(point, width))
        self._drawing = True
        self.update()

    def _extend(self, point: QPointF) -> None:
        if self._drawing and self._strokes:
            self._strokes[-1].add(point)
            self.update()

    def _end(self, point: QPointF) -> None:
        if self._drawing:
            self._extend(point)
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), PEN_WIDTH)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._extend(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 - Qt override
        kind = event.type()
        point = event.position()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(point, PEN_WIDTH * (0.5 + max(0.0, min(1.0, event.pressure()))))
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(point)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end(point)
        event.accept()  # no synthesised mouse events for the pen

    # ------------------------------------------------------------------ drawing

    def _paint_strokes(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self._strokes:
            pen = QPen(INK, stroke.width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(stroke.path)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), Qt.GlobalColor.white)
            if self.is_empty():
                painter.setPen(QColor(170, 170, 170))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "请在此处签名")
            self._paint_strokes(painter)
        finally:
            painter.end()

    def ink_rect(self) -> QRectF:
        """The area the strokes cover, with their width and :data:`MARGIN` around it."""
        rect = QRectF()
        for stroke in self._strokes:
            grow = stroke.width / 2 + MARGIN
            rect = rect.united(stroke.path.boundingRect().adjusted(-grow, -grow, grow, grow))
        return rect

    def to_png(self) -> bytes:
        """The signature as PNG bytes: cropped to the ink, at least :data:`MIN_PNG_WIDTH` px wide,
        transparent background; empty bytes when nothing is drawn."""
        if self.is_empty():
            return b""
        rect = self.ink_rect()
        scale = max(1.0, MIN_PNG_WIDTH / rect.width())
        width = max(MIN_PNG_WIDTH, round(rect.width() * scale))
        height = max(1, round(rect.height() * scale))
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.scale(scale, scale)
            painter.translate(-rect.topLeft())
            self._paint_strokes(painter)
        finally:
            painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        QImageWriter(buffer, QByteArray(b"png")).write(image)
        buffer.close()
        return bytes(data.data())


class SignatureDialog(QDialog):
    """签名: the pad, the signer's role and name, 拒签 with witness or photo/video."""

    #: {"role", "name", "png": bytes | None, "refused", "witness", "evidence_path"}
    signed = Signal(dict)

    EVIDENCE_FILTER = "照片或录像 (*.jpg *.jpeg *.png *.heic *.mp4 *.mov *.avi *.3gp);;所有文件 (*)"

    def __init__(self, parent: QWidget | None = None, *, role: str | None = None, name: str = "") -> None:
        super().__init__(parent)
        from workstation.ui.forms.signature_dialog_ui import Ui_SignatureDialog

        self.ui = Ui_SignatureDialog()
        self.ui.setupUi(self)
        self.pad = SignaturePad(self.ui.padFrame)
        self.ui.padLayout.addWidget(self.pad)
        for code, label in ROLE_LABELS.items():
            self.ui.roleCombo.addItem(label, code)
        if role is not None and (index := self.ui.roleCombo.findData(role)) >= 0:
            self.ui.roleCombo.setCurrentIndex(index)
        self.ui.nameEdit.setText(name)
        self.ui.refusalBox.setEnabled(False)
        self._file_dialog: QFileDialog | None = None
        self.ui.refusedCheck.toggled.connect(self._refused_toggled)
        self.ui.evidenceButton.clicked.connect(self.choose_evidence)
        self.ui.clearButton.clicked.connect(self.clear)
        self.ui.okButton.clicked.connect(self.confirm)
        self.ui.cancelButton.clicked.connect(self.reject)
        self.pad.changed.connect(lambda: self.ui.messageLabel.clear())

    # ------------------------------------------------------------------ actions

    def clear(self) -> None:
        self.pad.clear()
        self.ui.messageLabel.clear()

    def _refused_toggled(self, checked: bool) -> None:
        self.ui.refusalBox.setEnabled(checked)
        self.pad.setEnabled(not checked)
        self.ui.messageLabel.clear()

    def choose_evidence(self) -> None:
        """拍照/录像: choose the file with a non-modal QFileDialog (``open()``)."""
        if self._file_dialog is None:
            dialog = QFileDialog(self, "选择拒签的照片或录像")
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            dialog.setNameFilter(self.EVIDENCE_FILTER)
            dialog.fileSelected.connect(self.set_evidence_path)
            self._file_dialog = dialog
        self._file_dialog.open()

    def set_evidence_path(self, path: str) -> None:
        self.ui.evidenceEdit.setText(path)
        self.ui.messageLabel.clear()

    def values(self) -> dict[str, Any]:
        refused = self.ui.refusedCheck.isChecked()
        return {
            "role": str(self.ui.roleCombo.currentData()),
            "name": self.ui.nameEdit.text().strip(),
            "png": None if refused or self.pad.is_empty() else self.pad.to_png(),
            "refused": refused,
            "witness": self.ui.witnessEdit.text().strip() if refused else "",
            "evidence_path": self.ui.evidenceEdit.text().strip() if refused else "",
        }

    def problem(self) -> str:
        """Why the dialog cannot be confirmed yet (Chinese); empty when it can."""
        if self.ui.refusedCheck.isChecked():
            if not self.ui.witnessEdit.text().strip() and not self.ui.evidenceEdit.text().strip():
                return f"拒签须填写见证人或选择拍照、录像文件。{REFUSAL_RULE}"
            return ""
        if self.pad.is_empty():
            return "还没有签名。请在签名板上签名；当事人拒绝签字的，请勾选“拒签”。"
        if not self.ui.nameEdit.text().strip():
            return f"请填写{self.ui.roleCombo.currentText()}姓名。"
        return ""

    def confirm(self) -> None:
        """确定: refuse in the dialog, or emit :attr:`signed` and close."""
        problem = self.problem()
        self.ui.messageLabel.setText(problem)
        if problem:
            return
        self.signed.emit(self.values())
        self.accept()
