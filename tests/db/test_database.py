"""Opening the database safely: pragmas, backup before upgrade, newer and corrupt files, full disks."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from workstation.app import build_core
from workstation.domain.entities import Agency
from workstation.domain.errors import (
    AlreadyRunning,
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseTooNew,
    DiskFull,
    InvalidInput,
    ReadOnlyLocation,
)
from workstation.instance import InstanceLock, SessionMarker
from workstation.paths import DataPaths, prepare_data_dir
from workstation.persistence.database import Database, migrations_dir
from workstation.persistence.repositories import SqlUnitOfWorkFactory
from workstation.persistence.schema import HEAD_REVISION

from .fs import can_mount, remount, tmpfs

needs_root = pytest.mark.skipif(not can_mount(), reason="mounting a tmpfs needs root")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _seed_agency(db: Database, name: str = "榕溪镇人民政府") -> None:
    uow = SqlUnitOfWorkFactory(db.engine)
    with uow() as unit:
        unit.office.upsert_agency(Agency("a1", "C1", name, "350121"))
        unit.commit()


def test_connections_use_wal_full_sync_foreign_keys_and_busy_timeout(data_paths: DataPaths) -> None:
    db = Database(data_paths)
    report = db.open()
    try:
        assert report.created
        assert report.revision == HEAD_REVISION
        with db.engine.connect() as conn:

            def pragma(name: str) -> object:
                return conn.execute(text(f"PRAGMA {name}")).scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 5000
    finally:
        db.close()


def test_reopening_a_current_database_makes_no_backup(data_paths: DataPaths) -> None:
    Database(data_paths).open()
    db = Database(data_paths)
    report = db.open()
    db.close()
    assert report.backup is None
    assert report.revision_before == HEAD_REVISION
    assert db.list_backups() == []


def _migrations_with_extra_revision(tmp_path: Path) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "2099_01_01_0002_add_note.py").write_text(
        f'''
import sqlalchemy as sa
from alembic import op

revision = "0002_add_note"
down_revision = "{HEAD_REVISION}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("note")
''',
        "utf-8",
    )
    return scripts


def test_upgrade_backs_up_first_with_the_backup_api(data_paths: DataPaths, tmp_path: Path) -> None:
    old = Database(data_paths)
    old.open()
    _seed_agency(old)
    old.close()

    newer = Database(data_paths, migrations=_migrations_with_extra_revision(tmp_path), head="0002_add_note")
    report = newer.open()
    try:
        assert report.revision_before == HEAD_REVISION
        assert report.revision == "0002_add_note"
        assert report.backup is not None and report.backup.parent == data_paths.backups
        with sqlite3.connect(report.backup) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)
            assert conn.execute("SELECT name FROM agencies").fetchall() == [("榕溪镇人民政府",)]
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        with newer.engine.connect() as conn:
            assert conn.execute(text("SELECT name, note FROM agencies")).fetchall() == [
                ("榕溪镇人民政府", None)
            ]
    finally:
        newer.close()


def test_a_database_newer_than_the_code_is_refused_untouched(data_paths: DataPaths) -> None:
    db = Database(data_paths)
    db.open()
    db.close()
    with sqlite3.connect(data_paths.database) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = _digest(data_paths.database)
    with pytest.raises(DatabaseTooNew) as exc:
        Database(data_paths).open()
    assert "更新版本" in exc.value.message and "升级工作站" in exc.value.advice
    assert _digest(data_paths.database) == before
    assert not list(data_paths.backups.iterdir())


def test_a_file_that_is_not_sqlite_is_moved_aside_never_deleted(data_paths: DataPaths) -> None:
    garbage = os.urandom(8192)
    data_paths.database.write_bytes(garbage)
    with pytest.raises(DatabaseCorrupt) as exc:
        Database(data_paths).open()
    moved = exc.value.moved_to
    assert moved.read_bytes() == garbage
    assert not data_paths.database.exists()
    assert "已损坏" in exc.value.message and str(moved) in exc.value.message
    # the next start begins with a new, empty database
    db = Database(data_paths)
    assert db.open().created
    db.close()


def test_a_truncated_database_is_detected(data_paths: DataPaths) -> None:
    db = Database(data_paths)
    db.open()
    _seed_agency(db)
    db.close()
    size = data_paths.database.stat().st_size
    with open(data_paths.database, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(DatabaseCorrupt):
        Database(data_paths).open()


def test_restore_advice_names_the_newest_backup(data_paths: DataPaths) -> None:
    db = Database(data_paths)
    db.open()
    first = db.backup("manual")
    db.close()
    data_paths.database.write_bytes(b"not a database at all" * 400)
    with pytest.raises(DatabaseCorrupt) as exc:
        Database(data_paths).open()
    assert exc.value.backups == [first]
    assert f'workstation db restore "{first}"' in exc.value.advice


def _damage_a_table_page(path: Path) -> None:
    """Overwrite the b-tree pages of one table so the header stays valid but quick_check fails."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'agencies'").fetchone()[0]
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * page_size)


def test_quick_check_runs_after_an_unclean_shutdown_and_catches_damage(data_paths: DataPaths) -> None:
    db = Database(data_paths)
    db.open()
    _seed_agency(db)
    db.close()
    _damage_a_table_page(data_paths.database)
    # a marker left by a process that no longer exists = the last run did not shut down cleanly
    (data_paths.sessions / "999999999.open").write_text("999999999")
    with pytest.raises(DatabaseCorrupt) as exc:
        build_core(data_paths)
    assert exc.value.moved_to.exists()
    assert not list(data_paths.sessions.glob("*.open")), "stale markers are cleared once handled"


def test_after_a_clean_shutdown_no_quick_check_runs(data_paths: DataPaths) -> None:
    core = build_core(data_paths)
    core.close()
    core = build_core(data_paths)
    try:
        assert not core.open_report.quick_checked
    finally:
        core.close()
    (data_paths.sessions / "999999999.open").write_text("999999999")
    core = build_core(data_paths)
    try:
        assert core.open_report.quick_checked
    finally:
        core.close()


def test_session_marker_of_a_live_process_is_not_stale(data_paths: DataPaths) -> None:
    marker = SessionMarker(data_paths.sessions)
    marker.open()
    try:
        assert marker.stale_markers() == []
    finally:
        marker.close()


def test_backup_is_verified_complete_and_pruned(data_paths: DataPaths) -> None:
    clock = iter(dt.datetime(2026, 11, 26, 8, 0, s) for s in range(60))
    db = Database(data_paths, backups_to_keep=3, now=lambda: next(clock))
    db.open()
    _seed_agency(db)
    made = [db.backup("manual") for _ in range(5)]
    db.close()
    kept = db.list_backups()
    assert kept == sorted(made[-3:], reverse=True)
    for path in kept:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT count(*) FROM agencies").fetchone() == (1,)
    assert not list(data_paths.backups.glob("*.partial"))


def test_backup_to_an_existing_file_is_refused(data_paths: DataPaths, tmp_path: Path) -> None:
    db = Database(data_paths)
    db.open()
    target = tmp_path / "exists.db"
    target.write_bytes(b"keep me")
    with pytest.raises(InvalidInput, match="目标文件已存在"):
        db.backup(dest=target)
    db.close()
    assert target.read_bytes() == b"keep me"


def test_restore_replaces_the_database_and_keeps_the_old_one(data_paths: DataPaths) -> None:
    db = Database(data_paths)
    db.open()
    _seed_agency(db, "备份时的名称")
    backup = db.backup("manual")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE agencies SET name = '备份后的修改'"))
    db.close()
    moved = Database(data_paths).restore(backup)
    with sqlite3.connect(moved) as conn:
        assert conn.execute("SELECT name FROM agencies").fetchone() == ("备份后的修改",)
    db = Database(data_paths)
    db.open()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM agencies")).scalar() == "备份时的名称"
    db.close()


def test_restore_from_a_damaged_backup_is_refused(data_paths: DataPaths, tmp_path: Path) -> None:
    db = Database(data_paths)
    db.open()
    db.close()
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\0" * 4096)
    before = _digest(data_paths.database)
    with pytest.raises(InvalidInput, match="备份文件已损坏"):
        Database(data_paths).restore(bad)
    assert _digest(data_paths.database) == before


def test_a_locked_database_gives_a_clear_message(data_paths: DataPaths) -> None:
    db = Database(data_paths, busy_timeout_ms=100)
    db.open()
    blocker = sqlite3.connect(data_paths.database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseLocked) as exc:
            _seed_agency(db)
        assert "占用" in exc.value.message
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        db.close()


def test_a_second_instance_is_refused(data_paths: DataPaths) -> None:
    first = InstanceLock(data_paths.lock_file, data_paths.root)
    first.acquire()
    try:
        with pytest.raises(AlreadyRunning) as exc:
            InstanceLock(data_paths.lock_file, data_paths.root).acquire()
        assert "已在运行" in exc.value.message
    finally:
        first.release()
    again = InstanceLock(data_paths.lock_file, data_paths.root)
    again.acquire()
    again.release()


@needs_root
def test_a_read_only_data_directory_is_reported(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "1m", read_only=True) as mount:
        with pytest.raises(ReadOnlyLocation) as exc:
            prepare_data_dir(mount / "data")
        assert "不可写" in exc.value.message


@needs_root
def test_a_read_only_data_directory_with_a_database_loses_nothing(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "8m") as mount:
        paths = prepare_data_dir(mount / "data")
        core = build_core(paths)
        core.office.seed_demo()
        core.close()
        before = _digest(paths.database)
        remount(mount, read_only=True)
        with pytest.raises(ReadOnlyLocation):
            prepare_data_dir(mount / "data")
        assert _digest(paths.database) == before


@needs_root
def test_a_full_disk_is_reported_and_committed_data_survives(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "2m") as mount:
        paths = prepare_data_dir(mount / "data")
        db = Database(paths)
        db.open()
        _seed_agency(db)
        uow = SqlUnitOfWorkFactory(db.engine)

        def fill_until_full() -> None:
            for n in range(1000):
                with uow() as unit:
                    big_name = "某" * 150 + str(n) + os.urandom(4000).hex()
                    unit.office.upsert_agency(Agency(f"x{n}", f"X{n}", big_name, "1"))
                    unit.commit()

        with pytest.raises(DiskFull) as exc:
            fill_until_full()
        assert "磁盘空间已满" in exc.value.message
        db.close()
        # free space again: what was committed before is intact
        for filler in (mount / "data" / "logs").glob("*"):
            filler.unlink()
        with sqlite3.connect(paths.database) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT name FROM agencies WHERE id = 'a1'").fetchone() == ("榕溪镇人民政府",)


@needs_root
def test_preparing_a_data_directory_on_a_full_disk_is_reported(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "full", "64k") as mount:
        with open(mount / "filler", "wb") as fh, contextlib.suppress(OSError):
            fh.write(b"0" * 128 * 1024)
        with pytest.raises(DiskFull):
            prepare_data_dir(mount / "data")
