from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from workstation.app import Core, Gui, build_gui
from workstation.logs import LogSetup, setup_logging
from workstation.ui.theme import apply_theme


@pytest.fixture
def logs() -> Iterator[LogSetup]:
    setup = setup_logging(None)
    yield setup
    setup.close()


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
    built.window.deleteLater()
