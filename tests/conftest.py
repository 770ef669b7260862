"""Shared test rig.

- ui tests run on Qt's offscreen platform (set before anything imports Qt);
- every test is marked unit/db/ui/e2e by the folder it lives in;
- helpers build a real data directory and drive the real CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("WORKSTATION_DATA_DIR", None)

import pytest

from workstation.app import Core, build_core
from workstation.paths import DataPaths, prepare_data_dir

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ARTIFACTS = ROOT / "artifacts"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        if parts and parts[0] in ("unit", "db", "ui", "e2e"):
            item.add_marker(getattr(pytest.mark, parts[0]))


@pytest.fixture
def data_paths(tmp_path: Path) -> DataPaths:
    return prepare_data_dir(tmp_path / "data")


@pytest.fixture
def core(data_paths: DataPaths) -> Iterator[Core]:
    opened = build_core(data_paths)
    yield opened
    opened.close()


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real ``workstation`` command in a fresh interpreter."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "workstation", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
