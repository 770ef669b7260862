"""Opening the workstation's SQLite file safely.

At every start: check the file is a sound SQLite database (header, and a
quick_check after an unclean shutdown); read its schema revision; refuse a
database newer than the code; back it up with SQLite's backup API before an
upgrade; upgrade through Alembic. A damaged file is never deleted: it is moved
aside with its -wal and -shm companions and the user is told how to restore.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import sqlite3
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workstation.domain.errors import (
    BackupError,
    DatabaseCorrupt,
    DatabaseTooNew,
    InvalidInput,
    KnownError,
    NotFound,
)
from workstation.domain.ports import DatabaseHealth
from workstation.paths import DataPaths
from workstation.persistence import errors as sqlerrors
from workstation.persistence.pragmas import BUSY_TIMEOUT_MS, apply_pragmas
from workstation.persistence.schema import HEAD_REVISION

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
_COMPANIONS = ("-wal", "-shm", "-journal")
_BACKUP_RE = re.compile(r"^workstation-(\d{8}-\d{6}(?:-\d+)?)-([a-z0-9_.-]+)\.db$")


@dataclass(frozen=True, slots=True)
class OpenReport:
    """What happened while opening the database."""

    path: Path
    created: bool
    revision_before: str | None
    revision: str
    backup: Path | None
    quick_checked: bool


class _Corrupt(Exception):
    """Internal: the file is not a sound SQLite database."""


def migrations_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("workstation.migrations")))


def alembic_config(
    connection: object | None = None, url: str | None = None, scripts: Path | None = None
) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(scripts or migrations_dir()))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def known_revisions(scripts: Path | None = None) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(scripts=scripts))
    return {rev.revision for rev in script.walk_revisions()}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Database:
    """The one SQLite file of a data directory."""

    def __init__(
        self,
        paths: DataPaths,
        *,
        backups_to_keep: int = 10,
        now: Callable[[], dt.datetime] = _utc_now,
        migrations: Path | None = None,
        head: str = HEAD_REVISION,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        """``migrations`` and ``head`` default to the revisions shipped with the code."""
        self._paths = paths
        self._migrations = migrations
        self._head = head
        self._busy_timeout_ms = busy_timeout_ms
        self._backups_to_keep = backups_to_keep
        self._now = now
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._opened = False

    @property
    def path(self) -> Path:
        return self._paths.database

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use (SQLAlchemy is imported only then)."""
        if not self._opened:
            raise RuntimeError("database not opened")
        with self._engine_lock:
            if self._engine is None:
                from workstation.persistence.engine import make_engine

                self._engine = make_engine(self.path, self._busy_timeout_ms)
            return self._engine

    # ------------------------------------------------------------------ open

    def open(self, *, after_unclean_shutdown: bool = False) -> OpenReport:
        """Check, back up, upgrade and open. Raises KnownErrors in Chinese."""
        path = self.path
        created = not path.exists() or path.stat().st_size == 0
        quick_checked = False
        revision: str | None = None
        try:
            if not created:
                _check_header(path)
                revision = _read_revision(path)
                if after_unclean_shutdown:
                    log.warning("previous run ended uncleanly; running quick_check")
                    result = _pragma_check(path, "quick_check")
                    quick_checked = True
                    if result != ["ok"]:
                        log.error("quick_check failed: %s", result[:5])
                        raise _Corrupt("; ".join(result[:5]))
        except _Corrupt as exc:
            log.error("database %s is damaged: %s", path, exc)
            moved = self._move_aside("corrupt")
            raise DatabaseCorrupt(moved, self.list_backups()) from exc

        backup: Path | None = None
        if revision != self._head:
            if revision is not None and revision not in known_revisions(self._migrations):
                raise DatabaseTooNew(revision)
            if not created:
                if revision is None and _has_tables(path):
                    raise InvalidInput(
                        f"文件不是工作站数据库：{path}",
                        "请用 --data-dir 指定工作站自己的数据目录；该文件未被改动。",
                    )
                backup = self.backup(label=f"before-upgrade-{revision or 'empty'}")
            self._upgrade()
            log.info("database upgraded from %s to %s", revision, self._head)

        try:
            with contextlib.closing(_connect(path)) as probe:  # fails early on a locked file
                apply_pragmas(probe, self._busy_timeout_ms)
        except sqlite3.Error as exc:
            known = sqlerrors.translate(exc, path)
            if known is not None:
                raise known from exc
            raise
        self._opened = True
        return OpenReport(
            path=path,
            created=created,
            revision_before=revision,
            revision=self._head,
            backup=backup,
            quick_checked=quick_checked,
        )

    def close(self) -> None:
        self._opened = False
        if self._engine is not None:
            with contextlib.suppress(Exception), self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA optimize")
            self._engine.dispose()
            self._engine = None

    def _upgrade(self) -> None:
        from alembic import command

        from workstation.persistence.engine import make_engine

        engine = make_engine(self.path, self._busy_timeout_ms)
        try:
            with engine.begin() as conn:
                command.upgrade(alembic_config(conn, scripts=self._migrations), "head")
        except Exception as exc:
            known = sqlerrors.translate(exc, self.path)
            if known is not None:
                raise known from exc
            raise
        finally:
            engine.dispose()

    # ----------------------------------------------------------------- check

    def check(self) -> DatabaseHealth:
        """Full integrity_check and facts about the file (read-only)."""
        path = self.path
        try:
            _check_header(path)
            integrity = tuple(_pragma_check(path, "integrity_check"))
            revision = _read_revision(path)
        except _Corrupt as exc:
            integrity = (str(exc),)
            revision = None
        with contextlib.closing(_connect(path)) as conn:
            journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
        fk = True
        if self._opened:
            with self.engine.connect() as conn2:
                fk = bool(conn2.exec_driver_sql("PRAGMA foreign_keys").scalar())
        return DatabaseHealth(
            path=path,
            revision=revision,
            head=self._head,
            integrity=integrity,
            journal_mode=journal,
            foreign_keys=fk,
            size_bytes=path.stat().st_size,
        )

    # ---------------------------------------------------------------- backup

    def list_backups(self) -> list[Path]:
        """Backups in the data directory, newest first."""
        folder = self._paths.backups
        if not folder.is_dir():
            return []
        found = [p for p in folder.iterdir() if _BACKUP_RE.match(p.name)]
        return sorted(found, key=lambda p: p.name, reverse=True)

    def backup(self, label: str = "manual", dest: Path | None = None) -> Path:
        """Copy the database with SQLite's online backup API and verify the copy.

        The copy is written under a temporary name and renamed only when it is
        complete and passes quick_check, so a failed backup leaves nothing.
        """
        if not self.path.exists():
            raise NotFound(f"没有可备份的数据库：{self.path}", "请先启动一次工作站以创建数据库。")
        label = re.sub(r"[^a-z0-9_.-]+", "-", label.lower()).strip("-") or "manual"
        if dest is None:
            self._paths.backups.mkdir(parents=True, exist_ok=True)
            stamp = self._now().strftime("%Y%m%d-%H%M%S")
            dest = self._paths.backups / f"workstation-{stamp}-{label}.db"
            n = 1
            while dest.exists():
                n += 1
                dest = self._paths.backups / f"workstation-{stamp}-{n}-{label}.db"
        elif dest.exists():
            raise InvalidInput(f"目标文件已存在：{dest}", "请换一个文件名，工作站不会覆盖已有文件。")
        tmp = dest.with_name(dest.name + ".partial")
        try:
            _copy_with_backup_api(self.path, tmp)
            if _pragma_check(tmp, "quick_check") != ["ok"]:
                raise BackupError(
                    "备份副本校验未通过，已放弃本次备份。",
                    "请运行 workstation db check 检查数据库。",
                )
            os.replace(tmp, dest)
        except (sqlite3.Error, OSError) as exc:
            tmp.unlink(missing_ok=True)
            known = sqlerrors.translate(exc, dest.parent) if isinstance(exc, sqlite3.Error) else None
            if known is None and isinstance(exc, OSError):
                from workstation.paths import _os_error

                raised = _os_error(exc, dest.parent)
                if isinstance(raised, KnownError):
                    known = raised
            if known is not None:
                raise known from exc
            raise
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        log.info("database backed up to %s", dest)
        if dest.parent == self._paths.backups:
            self._prune_backups()
        return dest

    def _prune_backups(self) -> None:
        for old in self.list_backups()[self._backups_to_keep :]:
            with contextlib.suppress(OSError):
                old.unlink()
                log.info("old backup removed: %s", old.name)

    def restore(self, source: Path) -> Path:
        """Replace the database with a verified backup; the current file is moved aside.

        The caller holds the instance lock, so no other process has the file open.
        """
        source = source.resolve()
        if not source.is_file():
            raise NotFound(f"找不到备份文件：{source}", "请检查路径；备份通常在数据目录的 backups 文件夹中。")
        try:
            _check_header(source)
            result = _pragma_check(source, "integrity_check")
            revision = _read_revision(source)
        except _Corrupt as exc:
            raise InvalidInput(f"备份文件已损坏，不能用于恢复：{source}", "请选择另一个备份文件。") from exc
        if result != ["ok"]:
            raise InvalidInput(f"备份文件校验未通过：{source}", "请选择另一个备份文件。")
        if revision is None:
            raise InvalidInput(f"文件不是工作站数据库：{source}", "请选择工作站生成的备份文件。")
        if revision != self._head and revision not in known_revisions(self._migrations):
            raise DatabaseTooNew(revision)
        self.close()
        moved: Path | None = None
        if self.path.exists():
            moved = self._move_aside("before-restore")
        tmp = self.path.with_name(self.path.name + ".restoring")
        try:
            _copy_with_backup_api(source, tmp)
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            if moved is not None and not self.path.exists():
                os.replace(moved, self.path)
            raise
        log.info("database restored from %s", source.name)
        return moved if moved is not None else self.path

    def _move_aside(self, reason: str) -> Path:
        stamp = self._now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.{reason}-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.{reason}-{stamp}-{n}")
        os.replace(self.path, target)
        for suffix in _COMPANIONS:
            companion = self.path.with_name(self.path.name + suffix)
            if companion.exists():
                os.replace(companion, target.with_name(target.name + suffix))
        log.warning("database file moved aside to %s", target)
        return target


# --------------------------------------------------------------------- helpers


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
    return sqlite3.connect(path, timeout=5)


def _check_header(path: Path) -> None:
    """Detect a file that is not SQLite or was cut short."""
    size = path.stat().st_size
    if size == 0:
        return
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise _Corrupt("not a SQLite file")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter = struct.unpack(">I", header[24:28])[0]
    page_count = struct.unpack(">I", header[28:32])[0]
    valid_for = struct.unpack(">I", header[92:96])[0]
    if page_size < 512 or page_size & (page_size - 1):
        raise _Corrupt("invalid page size")
    if change_counter == valid_for and page_count and size < page_count * page_size:
        raise _Corrupt(f"truncated: {size} bytes, header says {page_count * page_size}")
    if size % page_size:
        raise _Corrupt("file size is not a whole number of pages")


def _read_revision(path: Path) -> str | None:
    try:
        with contextlib.closing(_connect(path)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()
            row = conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            if row is None:
                return None
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return None if version is None else str(version[0])
    except sqlite3.DatabaseError as exc:
        if sqlerrors.is_corruption(exc):
            raise _Corrupt(str(exc)) from exc
        known = sqlerrors.translate(exc, path)
        if known is not None:
            raise known from exc
        raise


def _has_tables(path: Path) -> bool:
    with contextlib.closing(_connect(path)) as conn:
        count = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        return int(count) > 0


def _pragma_check(path: Path, pragma: str) -> list[str]:
    try:
        with contextlib.closing(_connect(path)) as conn:
            return [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}")]
    except sqlite3.DatabaseError as exc:
        if sqlerrors.is_corruption(exc):
            raise _Corrupt(str(exc)) from exc
        raise


def _copy_with_backup_api(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    with contextlib.closing(_connect(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst, pages=256)
        dst.execute("PRAGMA journal_mode=DELETE")
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())
