"""Fixtures of the central server tests (see tests/central/server.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.central.server import CentralServer


@pytest.fixture
def central_server(tmp_path: Path) -> Iterator[CentralServer]:
    """A fresh seeded server for one test."""
    with CentralServer(tmp_path / "central") as server:
        yield server


@pytest.fixture(scope="module")
def shared_central_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    """One seeded server for a whole module (tests use their own case ids)."""
    with CentralServer(tmp_path_factory.mktemp("central")) as server:
        yield server
