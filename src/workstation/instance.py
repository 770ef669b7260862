"""Single-instance lock and clean-shutdown markers.

The lock is an OS file lock (released by the kernel if the process dies, so
it never goes stale). Each process that opens the database leaves a marker
``run/<pid>.open`` and removes it on a clean exit; a marker whose process is
gone means the last run ended uncleanly and the database gets a quick_check.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

from workstation.domain.errors import AlreadyRunning


class InstanceLock:
    """Held by the GUI (and by CLI commands that must not run beside it)."""

    def __init__(self, lock_file: Path, data_dir: Path) -> None:
        self._path = lock_file
        self._data_dir = data_dir
        self._fh: IO[bytes] | None = None

    def acquire(self) -> None:
        fh = open(self._path, "a+b")  # noqa: SIM115 - held for the process's life
        try:
            lock_file(fh)
        except OSError as exc:
            fh.close()
            raise AlreadyRunning(self._data_dir) from exc
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

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def lock_file(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def unlock_file(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def lock_file(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def unlock_file(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
            return True
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SessionMarker:
    """Marks this process as having the database open."""

    def __init__(self, sessions_dir: Path) -> None:
        self._dir = sessions_dir
        self._file = sessions_dir / f"{os.getpid()}.open"

    def stale_markers(self) -> list[Path]:
        """Markers left by processes that are gone: each is an unclean shutdown."""
        stale = []
        for marker in sorted(self._dir.glob("*.open")):
            try:
                pid = int(marker.stem)
            except ValueError:
                stale.append(marker)
                continue
            if not _pid_alive(pid):
                stale.append(marker)
        return stale

    def clear_stale(self, markers: list[Path]) -> None:
        for marker in markers:
            with contextlib.suppress(FileNotFoundError):
                marker.unlink()

    def open(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        self._file.write_text(str(os.getpid()), encoding="ascii")

    def close(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._file.unlink()
