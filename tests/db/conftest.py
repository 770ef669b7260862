from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_alembic.config import Config
from sqlalchemy import Engine

from tests.central.server import CentralServer
from workstation.persistence.database import migrations_dir
from workstation.persistence.engine import make_engine


@pytest.fixture
def alembic_config() -> Config:
    return Config(config_options={"script_location": str(migrations_dir())})


@pytest.fixture
def alembic_engine(tmp_path: Path) -> Iterator[Engine]:
    """A real SQLite file with the workstation's pragmas, as the app opens it."""
    engine = make_engine(tmp_path / "migrations.db")
    yield engine
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CentralServer]:
    """The reference central server on 127.0.0.1 over a temporary database (classroom seed)."""
    with CentralServer(tmp_path / "central") as running:
        yield running
