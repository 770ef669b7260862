"""One sync engine at a time per data directory: an OS file lock in the data directory's run/.

The kernel releases the lock when the process ends (even by kill -9), so it never goes stale.
A second engine that finds it taken raises :class:`SyncAlreadyRunning` (Chinese) at once.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType
from typing import IO

from workstation.domain.errors import KnownError
from workstation.instance import lock_file, unlock_file

LOCK_NAME = "sync.lock"


class SyncAlreadyRunning(KnownError):
    code = "sync_already_running"

    def __init__(self) -> None:
        super().__init__(
            "另一个同步正在进行（本机的图形界面或另一个命令），本次同步没有执行。",
            "请等待正在进行的同步结束后再试。",
        )


class SyncLock:
    """Held while an engine runs (``with lock:``); not re-entrant."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LOCK_NAME
        self._fh: IO[bytes] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 - held until release
        try:
            lock_file(fh)
        except OSError as exc:
            fh.close()
            raise SyncAlreadyRunning() from exc
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()).encode())
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                unlock_file(self._fh)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> SyncLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
