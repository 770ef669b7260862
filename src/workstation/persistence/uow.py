"""A unit-of-work factory that builds the SQLAlchemy side on first use.

The GUI shows its window before SQLAlchemy is imported: the first database task
(on the TaskRunner's database worker) pays for the import instead of start-up.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from workstation.persistence.database import Database

if TYPE_CHECKING:
    from workstation.persistence.repositories import SqlUnitOfWork, SqlUnitOfWorkFactory


class LazySqlUnitOfWorkFactory:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._factory: SqlUnitOfWorkFactory | None = None
        self._lock = threading.Lock()

    def __call__(self) -> AbstractContextManager[SqlUnitOfWork]:
        with self._lock:
            if self._factory is None:
                from workstation.persistence.repositories import SqlUnitOfWorkFactory

                self._factory = SqlUnitOfWorkFactory(self._database.engine)
            factory = self._factory
        return factory()
