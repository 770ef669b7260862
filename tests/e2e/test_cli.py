"""The ``workstation`` command as users and automation run it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from workstation import __version__
from workstation.persistence.schema import HEAD_REVISION

from ..conftest import run_cli


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"workstation {__version__}"


def test_db_check_json_on_a_fresh_data_dir(tmp_path: Path) -> None:
    result = run_cli("db", "check", "--json", "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["status"] == "ok"
    assert data["integrity"] == "ok"
    assert data["revision"] == HEAD_REVISION
    assert data["journal_mode"] == "wal"


def test_data_dir_from_the_environment(tmp_path: Path) -> None:
    result = run_cli("db", "check", "--json", env={"WORKSTATION_DATA_DIR": str(tmp_path / "env")})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["database"] == str(tmp_path / "env" / "workstation.db")


def test_demo_seed_is_idempotent(tmp_path: Path) -> None:
    args = ("demo", "seed", "--json", "--data-dir", str(tmp_path / "d"))
    first = json.loads(run_cli(*args).stdout)
    second = json.loads(run_cli(*args).stdout)
    assert first["changed"] > 0 and second["changed"] == 0
    assert first["officers"] >= 4
    with sqlite3.connect(tmp_path / "d" / "workstation.db") as conn:
        assert conn.execute("SELECT count(*) FROM officers").fetchone() == (first["officers"],)
        assert conn.execute("SELECT count(*) FROM officers WHERE is_sample = 0").fetchone() == (0,)


def test_self_test_passes() -> None:
    result = run_cli("self-test", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert all(line.startswith("通过") for line in data["checks"])


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    d = str(tmp_path / "d")
    assert run_cli("demo", "seed", "--data-dir", d).returncode == 0
    backup = json.loads(run_cli("db", "backup", "--json", "--data-dir", d).stdout)["backup"]
    with sqlite3.connect(tmp_path / "d" / "workstation.db") as conn:
        conn.execute("DELETE FROM parties")
    result = run_cli("db", "restore", backup, "--json", "--data-dir", d)
    assert result.returncode == 0, result.stderr
    restored = json.loads(result.stdout)
    assert Path(restored["previous_moved_to"]).exists()
    with sqlite3.connect(tmp_path / "d" / "workstation.db") as conn:
        assert conn.execute("SELECT count(*) FROM parties").fetchone()[0] == 5


def test_db_upgrade_on_a_current_database_says_nothing_to_do(tmp_path: Path) -> None:
    d = str(tmp_path / "d")
    run_cli("db", "check", "--data-dir", d)
    result = run_cli("db", "upgrade", "--data-dir", d)
    assert result.returncode == 0
    assert "无需升级" in result.stdout


def test_corrupt_database_exits_1_with_chinese_advice_and_keeps_the_file(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "workstation.db").write_bytes(b"garbage" * 1000)
    result = run_cli("db", "check", "--json", "--data-dir", str(d))
    assert result.returncode == 1
    assert "数据库文件已损坏" in result.stderr
    assert json.loads(result.stdout)["error"]["code"] == "database_corrupt"
    moved = list(d.glob("workstation.db.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_bytes() == b"garbage" * 1000


def test_newer_database_exits_1(tmp_path: Path) -> None:
    d = tmp_path / "d"
    run_cli("db", "check", "--data-dir", str(d))
    with sqlite3.connect(d / "workstation.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    result = run_cli("demo", "seed", "--data-dir", str(d))
    assert result.returncode == 1
    assert "更新版本的工作站" in result.stderr


def test_usage_error_exits_2() -> None:
    result = run_cli("db", "frobnicate")
    assert result.returncode == 2
    assert "用法错误" in result.stderr


def test_data_dir_that_is_a_file_exits_1(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("db", "check", "--data-dir", str(blocker))
    assert result.returncode == 1
    assert "数据目录" in result.stderr
