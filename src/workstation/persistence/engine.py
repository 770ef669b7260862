"""SQLAlchemy engine over one SQLite file, with the pragmas the workstation relies on."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from workstation.persistence.pragmas import BUSY_TIMEOUT_MS, apply_pragmas


def make_engine(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine whose every connection has WAL, synchronous=FULL, foreign keys and a busy timeout.

    The sqlite3 module's own transaction handling is turned off so SQLAlchemy
    emits BEGIN itself (the documented recipe for SAVEPOINT-correct SQLite).
    """
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        apply_pragmas(dbapi_connection, busy_timeout_ms)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine
