"""Alembic environment: runs revisions on the connection (or engine) handed in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine, create_engine

from workstation.persistence.models import Base

config = context.config
target_metadata = Base.metadata


#: Tables created with raw SQL (FTS5, its shadow tables and fts5vocab tables): not described by
#: the models. A prefix covers every table whose name starts with it.
RAW_SQL_TABLES = ("article_fts", "case_search")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(RAW_SQL_TABLES)
    return True


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=True,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    handed_in = config.attributes.get("connection")
    if isinstance(handed_in, Connection):
        _run(handed_in)
        return
    engine = handed_in if isinstance(handed_in, Engine) else None
    owned = engine is None
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
