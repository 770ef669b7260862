"""签名板 and the 签名 dialog: drawing, PNG, clearing, refusals (拒签) with witness or evidence."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from workstation.ui.signature_pad import MIN_PNG_WIDTH, SignatureDialog, SignaturePad


def _stroke(widget: SignaturePad, *points: tuple[int, int]) -> None:
    first, *rest = points
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*first))
    for point in rest:
        QTest.mouseMove(widget, QPoint(*point))
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*rest[-1]))


def _ink_pixels(image: QImage) -> int:
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            colour = image.pixelColor(x, y)
            if colour.alpha() > 128 and colour.lightness() < 128:
                count += 1
    return count


def _pad(qtbot: QtBot) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(600, 240)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def test_strokes_make_a_cropped_png_with_ink(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    assert pad.is_empty()
    assert pad.to_png() == b""
    with qtbot.waitSignal(pad.changed):
        _stroke(pad, (40, 60), (80, 90), (120, 70), (160, 120))
    _stroke(pad, (200, 50), (230, 140))
    assert not pad.is_empty()
    image = QImage.fromData(pad.to_png())
    assert not image.isNull()
    assert image.width() >= MIN_PNG_WIDTH
    assert image.height() < image.width()  # cropped to the ink, not the whole pad
    assert _ink_pixels(image) > 50
    assert image.pixelColor(0, 0).alpha() == 0  # the margin is transparent


def test_clear_empties_the_pad(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    _stroke(pad, (10, 10), (100, 100))
    with qtbot.waitSignal(pad.changed):
        pad.clear()
    assert pad.is_empty()
    assert pad.to_png() == b""


def _dialog(qtbot: QtBot) -> tuple[SignatureDialog, list[dict[str, Any]]]:
    dialog = SignatureDialog(role="party", name="赵小二")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    emitted: list[dict[str, Any]] = []
    dialog.signed.connect(emitted.append)
    return dialog, emitted


def test_dialog_refuses_an_empty_pad_in_chinese(qtbot: QtBot) -> None:
    dialog, emitted = _dialog(qtbot)
    qtbot.mouseClick(dialog.ui.okButton, Qt.MouseButton.LeftButton)
    assert emitted == []
    assert "还没有签名" in dialog.ui.messageLabel.text()
    assert dialog.isVisible()


def test_dialog_refuses_a_refusal_without_witness_or_evidence(qtbot: QtBot) -> None:
    dialog, emitted = _dialog(qtbot)
    dialog.ui.refusedCheck.setChecked(True)
    assert dialog.ui.refusalBox.isEnabled()
    qtbot.mouseClick(dialog.ui.okButton, Qt.MouseButton.LeftButton)
    assert emitted == []
    assert "见证人" in dialog.ui.messageLabel.text()
    assert "第八十九条" in dialog.ui.messageLabel.text()


def test_dialog_emits_a_signature(qtbot: QtBot) -> None:
    dialog, emitted = _dialog(qtbot)
    _stroke(dialog.pad, (30, 40), (90, 80), (150, 50))
    with qtbot.waitSignal(dialog.signed):
        qtbot.mouseClick(dialog.ui.okButton, Qt.MouseButton.LeftButton)
    (value,) = emitted
    assert value["role"] == "party" and value["name"] == "赵小二"
    assert value["refused"] is False and value["witness"] == "" and value["evidence_path"] == ""
    assert isinstance(value["png"], bytes) and not QImage.fromData(value["png"]).isNull()
    assert not dialog.isVisible()


def test_dialog_clear_button_empties_the_pad(qtbot: QtBot) -> None:
    dialog, _ = _dialog(qtbot)
    _stroke(dialog.pad, (30, 40), (90, 80))
    qtbot.mouseClick(dialog.ui.clearButton, Qt.MouseButton.LeftButton)
    assert dialog.pad.is_empty()


def test_dialog_emits_a_refusal_with_a_witness(qtbot: QtBot) -> None:
    dialog, emitted = _dialog(qtbot)
    dialog.ui.refusedCheck.setChecked(True)
    dialog.ui.witnessEdit.setText("钱见证")
    qtbot.mouseClick(dialog.ui.okButton, Qt.MouseButton.LeftButton)
    (value,) = emitted
    assert value["refused"] is True and value["witness"] == "钱见证" and value["png"] is None


def test_dialog_emits_a_refusal_with_evidence(qtbot: QtBot, tmp_path: Any) -> None:
    dialog, emitted = _dialog(qtbot)
    dialog.ui.refusedCheck.setChecked(True)
    photo = tmp_path / "拒签.jpg"
    photo.write_bytes(b"\xff\xd8photo")
    dialog.set_evidence_path(str(photo))
    qtbot.mouseClick(dialog.ui.okButton, Qt.MouseButton.LeftButton)
    (value,) = emitted
    assert value["refused"] is True and value["evidence_path"] == str(photo)
