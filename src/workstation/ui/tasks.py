"""The one TaskRunner: background work off the GUI thread.

- database work runs on a single-worker executor, so writes never race;
- disk, network, keyring and document work runs on a small I/O pool;
- results come back to the GUI thread through a queued signal, where the
  ``on_done`` / ``on_error`` callbacks run. Workers never touch a widget.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(slots=True)
class _Pending:
    future: Future[Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    label: str


class TaskRunner(QObject):
    """Runs callables off the GUI thread and delivers results on it."""

    task_started = Signal(str)
    task_finished = Signal(str)
    _delivered = Signal(object)

    def __init__(
        self,
        on_unhandled_error: Callable[[BaseException], None],
        parent: QObject | None = None,
        io_workers: int = 4,
    ) -> None:
        super().__init__(parent)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
        self._io = ThreadPoolExecutor(max_workers=io_workers, thread_name_prefix="io")
        self._on_unhandled_error = on_unhandled_error
        self._pending: set[int] = set()
        self._closed = False
        self._delivered.connect(self._on_runner_delivered, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run_db(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        label: str = "",
    ) -> Future[T]:
        """Run ``fn`` on the database worker (one at a time, in submission order)."""
        return self._submit(self._db, fn, on_done, on_error, label)

    def run_io(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        label: str = "",
    ) -> Future[T]:
        """Run ``fn`` on the I/O pool."""
        return self._submit(self._io, fn, on_done, on_error, label)

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None,
        on_error: Callable[[BaseException], None] | None,
        label: str,
    ) -> Future[T]:
        if self._closed:
            raise RuntimeError("task runner is shut down")
        future: Future[T] = executor.submit(fn)
        pending = _Pending(future, on_done, on_error, label)
        self._pending.add(id(future))
        self.task_started.emit(label)
        # Runs on the worker thread: only emit; the queued connection hops threads.
        future.add_done_callback(lambda _f: self._delivered.emit(pending))
        return future

    def _on_runner_delivered(self, pending: _Pending) -> None:
        self._pending.discard(id(pending.future))
        self.task_finished.emit(pending.label)
        if pending.future.cancelled():
            return
        if self._closed:
            # Shut down with the window: the widgets these callbacks would update are gone.
            if pending.future.exception() is not None:
                log.warning("%s failed after shutdown: %r", pending.label, pending.future.exception())
            return
        exc = pending.future.exception()
        if exc is not None:
            if pending.on_error is not None:
                pending.on_error(exc)
            else:
                self._on_unhandled_error(exc)
            return
        if pending.on_done is not None:
            pending.on_done(pending.future.result())

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work; wait for database writes to finish (never abandon a write).

        Results that arrive afterwards are not delivered: the window they were for has closed."""
        self._closed = True
        self._io.shutdown(wait=wait, cancel_futures=True)
        self._db.shutdown(wait=True)
