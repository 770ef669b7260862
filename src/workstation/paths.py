"""Where the workstation keeps its data.

Order of precedence: ``--data-dir``, then ``WORKSTATION_DATA_DIR``, then the
platform's user data directory (``~/.local/share/workstation`` on Linux,
``%LOCALAPPDATA%\\workstation`` on Windows).
"""

from __future__ import annotations

import errno
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from workstation.domain.errors import DataDirError, DiskFull, ReadOnlyLocation

ENV_DATA_DIR = "WORKSTATION_DATA_DIR"
DB_FILE = "workstation.db"


@dataclass(frozen=True, slots=True)
class DataPaths:
    """Every file and folder the workstation writes, under one root."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DB_FILE

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "workstation.log"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def lock_file(self) -> Path:
        return self.root / "workstation.lock"

    @property
    def sessions(self) -> Path:
        """One marker file per process that has the database open."""
        return self.root / "run"

    @property
    def attachments(self) -> Path:
        return self.root / "attachments"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir("workstation", appauthor=False, roaming=False))


def prepare_data_dir(root: Path) -> DataPaths:
    """Create the data directory and prove it is writable.

    Raises a KnownError in Chinese when it cannot be created, is read-only or
    the disk is full; nothing is left half-written.
    """
    paths = DataPaths(root)
    try:
        for folder in (root, paths.backups, paths.logs, paths.sessions):
            folder.mkdir(parents=True, exist_ok=True)
    except PermissionError as exc:
        raise ReadOnlyLocation(root) from exc
    except OSError as exc:
        raise _os_error(exc, root) from exc
    probe = root / f".write-test-{uuid.uuid4().hex}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"0" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
    except PermissionError as exc:
        raise ReadOnlyLocation(root) from exc
    except OSError as exc:
        raise _os_error(exc, root) from exc
    finally:
        try:
            probe.unlink()
        except FileNotFoundError:
            pass
        except OSError:  # pragma: no cover - removal failing after a failed write
            pass
    return paths


def _os_error(exc: OSError, where: Path) -> Exception:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(where)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyLocation(where)
    return DataDirError(
        f"无法使用数据目录：{where}（{exc.strerror or exc}）",
        "请检查该路径是否存在、是否为目录，或用 --data-dir 指定另一个目录。",
    )
