"""Screenshot tour: every main page saved as a PNG, for manuals and training material.

Started by ``workstation --screenshot-tour DIR``. Steps are driven by timers
(never processEvents); each page is captured once its background work is done.
A report.json beside the pictures records the font used and whether Chinese
rendered as real glyphs.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QApplication

from workstation.ui.main_window import MainWindow
from workstation.ui.pages.registry import PAGES
from workstation.ui.tasks import TaskRunner
from workstation.ui.theme import cjk_rendering_report

log = logging.getLogger(__name__)


class ScreenshotTour(QObject):
    finished = Signal()

    SETTLE_MS = 250

    def __init__(self, window: MainWindow, runner: TaskRunner, out_dir: Path) -> None:
        super().__init__(window)
        self._window = window
        self._runner = runner
        self._out = out_dir
        self._index = 0
        self._shots: list[dict[str, object]] = []

    def start(self) -> None:
        self._out.mkdir(parents=True, exist_ok=True)
        self._window.raise_()
        self._window.activateWindow()
        self._show_next()

    def _show_next(self) -> None:
        if self._index >= len(PAGES):
            self._finish()
            return
        self._window.show_page(PAGES[self._index].key)
        QTimer.singleShot(self.SETTLE_MS, self._capture_when_idle)

    def _capture_when_idle(self) -> None:
        if self._runner.busy:
            QTimer.singleShot(50, self._capture_when_idle)
            return
        spec = PAGES[self._index]
        pixmap = self._grab()
        path = self._out / f"{self._index + 1:02d}-{spec.key}.png"
        pixmap.save(str(path))
        self._shots.append(
            {
                "page": spec.key,
                "title": spec.title,
                "file": path.name,
                "width": pixmap.width(),
                "height": pixmap.height(),
            }
        )
        self._index += 1
        self._show_next()

    def _grab(self) -> QPixmap:
        """The window as the display server shows it; the widget's own rendering as a fallback."""
        screen = self._window.screen() or QGuiApplication.primaryScreen()
        if screen is not None and QGuiApplication.platformName() != "offscreen":
            geometry = self._window.frameGeometry()
            shot = screen.grabWindow(0, geometry.x(), geometry.y(), geometry.width(), geometry.height())
            if not shot.isNull():
                return shot
        return self._window.grab()

    def _finish(self) -> None:
        app = QApplication.instance()
        font = app.font() if isinstance(app, QApplication) else self._window.font()
        report = {
            "platform": QGuiApplication.platformName(),
            "font": cjk_rendering_report(font),
            "pages": self._shots,
        }
        (self._out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
        log.info("screenshot tour saved %d pages to %s", len(self._shots), self._out)
        self.finished.emit()
