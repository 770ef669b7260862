"""The database: engine, schema creation and version check, serialised writes, the sequence.

Writers are serialised (a process lock and ``BEGIN IMMEDIATE`` for SQLite, the counter row's
lock on PostgreSQL), and each takes its sequence numbers inside its transaction, so a sequence
number becomes visible only after every smaller one: the feeds' cursors never skip a change.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from workstation_central.models import SCHEMA_VERSION, Base, Counter, SchemaVersion, ServerMeta

SEQ = "seq"


class SchemaTooNew(Exception):
    """The database was written by a newer server."""

    def __init__(self, found: int) -> None:
        super().__init__(f"数据库结构版本 {found} 高于本服务器支持的版本 {SCHEMA_VERSION}，请升级服务器")
        self.found = found


class DatabaseUnavailable(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(f"无法打开数据库：{detail}")


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """One server's database. :meth:`open` creates or checks the schema."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._write_lock = threading.Lock()

    def open(self, now: dt.datetime) -> None:
        """Create missing tables, record the schema version, refuse a newer one."""
        try:
            with Session(self.engine) as session:
                existing = self._schema_version(session)
            if existing is not None and existing > SCHEMA_VERSION:
                raise SchemaTooNew(existing)
            Base.metadata.create_all(self.engine)
            with self.write() as session:
                if session.get(SchemaVersion, 1) is None:
                    session.add(SchemaVersion(id=1, version=SCHEMA_VERSION))
                if session.get(ServerMeta, "instance_id") is None:
                    session.add(ServerMeta(key="instance_id", value=str(uuid.uuid4())))
                    session.add(ServerMeta(key="created_at", value=iso(now)))
                if session.get(Counter, SEQ) is None:
                    session.add(Counter(name=SEQ, value=0))
        except OperationalError as exc:
            raise DatabaseUnavailable(str(exc.orig)) from exc

    def _schema_version(self, session: Session) -> int | None:
        if not inspect(self.engine).has_table(SchemaVersion.__tablename__):
            return None
        return session.scalar(select(SchemaVersion.version).where(SchemaVersion.id == 1))

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed at the end; writers run one at a time."""
        with self._write_lock, Session(self.engine, expire_on_commit=False) as session, session.begin():
            if self.is_sqlite:
                # Take SQLite's write lock first, so a writer in another process (a `seed` run
                # next to `serve`) waits here instead of failing halfway.
                session.execute(text("BEGIN IMMEDIATE"))
            else:
                # Take the counter row's lock first: PostgreSQL writers queue here.
                session.execute(select(Counter).where(Counter.name == SEQ).with_for_update())
            yield session

    @staticmethod
    def next_seq(session: Session) -> int:
        session.execute(update(Counter).where(Counter.name == SEQ).values(value=Counter.value + 1))
        value = session.scalar(select(Counter.value).where(Counter.name == SEQ))
        assert value is not None
        return value

    def high_water(self) -> int:
        with self.read() as session:
            return session.scalar(select(Counter.value).where(Counter.name == SEQ)) or 0

    def instance_id(self) -> str:
        with self.read() as session:
            meta = session.get(ServerMeta, "instance_id")
            return meta.value if meta else ""

    def dispose(self) -> None:
        self.engine.dispose()
