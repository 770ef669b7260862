"""The ``workstation-central`` command: seed (idempotent), openapi (the committed contract), serve."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from workstation_central.cli import main

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "docs" / "central-openapi.json"


def _counts(db: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        counts["high_water"] = conn.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()[0]
    return counts


def test_the_committed_openapi_document_is_what_the_app_generates(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    assert main(["openapi", "--out", str(out)]) == 0
    regenerate = "workstation-central openapi --out docs/central-openapi.json"
    assert OPENAPI.read_text("utf-8") == out.read_text("utf-8"), (
        f"docs/central-openapi.json is stale: {regenerate}"
    )


def test_the_server_package_is_installed_with_its_extra_and_command() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT / "src").parts)
        for init in (ROOT / "src" / "workstation_central").rglob("__init__.py")
    }
    assert found <= listed
    extras = project["project"]["optional-dependencies"]
    for extra in ("central", "dev"):
        names = {req.split(">")[0].split("=")[0] for req in extras[extra]}
        assert {"fastapi", "uvicorn"} <= names, extra
    assert project["project"]["scripts"]["workstation-central"] == "workstation_central.cli:main"
    assert "fastapi" not in " ".join(project["project"]["dependencies"])  # never in the desktop app


def test_seed_is_idempotent_and_a_newer_schema_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "central.db"
    assert main(["seed", "--db", f"sqlite:///{db}"]) == 0
    printed = capsys.readouterr().out
    assert "zhangsan" in printed and "classroom-2026" in printed
    before = _counts(db)
    assert before["officers"] == 3 and before["tasks"] == 2 and before["reference_items"] >= 5
    assert main(["seed", "--db", f"sqlite:///{db}"]) == 0
    assert _counts(db) == before  # nothing new, nothing re-versioned
    assert (tmp_path / "central.files" / "files").is_dir()

    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE schema_version SET version = 99")
    capsys.readouterr()
    assert main(["seed", "--db", f"sqlite:///{db}"]) == 1
    assert "高于本服务器支持的版本" in capsys.readouterr().err

    with pytest.raises(SystemExit) as usage:
        main(["seed", "--no-such-option"])
    assert usage.value.code == 2 and "用法错误" in capsys.readouterr().err


def test_serve_command(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = f"sqlite:///{tmp_path / 'served.db'}"
    server = subprocess.Popen(
        [sys.executable, "-m", "workstation_central", "serve", "--db", db, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/handshake", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert response.json()["high_water"] == 0
        admin = httpx.put(f"http://127.0.0.1:{port}/v1/admin/townships/1", json={"name": "x"}, timeout=5)
        assert admin.status_code == 403  # no admin token configured
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr:
            server.stderr.close()


def test_add_officer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["seed", "--db", db]) == 0
    args = [
        "add-officer",
        "--db",
        db,
        "--username",
        "zhaoliu",
        "--name",
        "赵六",
        "--password",
        "long-enough-1",
    ]
    capsys.readouterr()
    assert main([*args, "--township", "330106001"]) == 0
    assert "赵六" in capsys.readouterr().out
    assert main([*args, "--township", "000"]) == 1
    assert "辖区 000 不存在" in capsys.readouterr().err
    assert main([*args[:-1], "short", "--township", "330106001"]) == 1
    assert "至少 8 个字符" in capsys.readouterr().err
