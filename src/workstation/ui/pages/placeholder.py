"""A page whose capability is not built yet: it says so plainly."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from workstation.ui.forms.placeholder_page_ui import Ui_PlaceholderPage
from workstation.ui.pages.registry import PageSpec


class PlaceholderPage(QWidget):
    def __init__(self, spec: PageSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_PlaceholderPage()
        self.ui.setupUi(self)
        self.spec = spec
        self.ui.titleLabel.setText(spec.title)
        self.ui.statusLabel.setText(f"“{spec.title}”功能尚未建成，本页暂不可用。")
        self.ui.plannedLabel.setText(f"<p>建成后将提供：{spec.planned}</p>")
