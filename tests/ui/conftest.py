from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import Shiboken

from workstation.app import Core, Gui, build_gui
from workstation.logs import LogSetup, setup_logging
from workstation.ui.theme import apply_theme


@pytest.fixture
def logs() -> Iterator[LogSetup]:
    setup = setup_logging(None)
    yield setup
    setup.close()


def dispose(window: QWidget) -> None:
    """Delete ``window`` (and everything under it) now, not at some later turn of an event loop.

    ``deleteLater`` alone waits for an event loop to come round; a window left alive into the
    next test would be restyled by that test's ``apply_theme`` and keep its timers and
    connections running.
    """
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def gui(qapp: QApplication, core: Core, logs: LogSetup) -> Iterator[Gui]:
    apply_theme(qapp)
    core.office.seed_demo()
    built = build_gui(core, logs)
    built.window.resize(1280, 800)
    built.window.show()
    yield built
    built.window.close()
    built.runner.shutdown()
    dispose(built.window)
    assert not Shiboken.isValid(built.window), "the main window outlived its test"
