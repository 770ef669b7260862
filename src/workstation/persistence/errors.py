"""Turning SQLite failures into typed errors (after qutebrowser's misc/sql.py).

Errors the user can act on become KnownErrors with Chinese text; everything
else stays an exception and reaches the crash dialog as a bug.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from workstation.domain.errors import DatabaseLocked, DiskFull, KnownError, ReadOnlyLocation

# Substrings of sqlite3 messages, stable across SQLite versions.
_FULL = ("database or disk is full", "disk i/o error")
_LOCKED = ("database is locked", "database table is locked")
_READ_ONLY = ("attempt to write a readonly database", "readonly database", "unable to open database file")
CORRUPT_MARKERS = ("file is not a database", "database disk image is malformed", "malformed database schema")


def _dbapi_original(exc: BaseException) -> sqlite3.Error | None:
    """The sqlite3 error inside a SQLAlchemy DBAPIError (without importing SQLAlchemy)."""
    orig = getattr(exc, "orig", None)
    return orig if isinstance(orig, sqlite3.Error) else None


def _message(exc: BaseException) -> str:
    orig = _dbapi_original(exc)
    if orig is not None:
        return str(orig).lower()
    return str(exc).lower()


def is_corruption(exc: BaseException) -> bool:
    return any(marker in _message(exc) for marker in CORRUPT_MARKERS)


def translate(exc: BaseException, where: Path) -> KnownError | None:
    """The KnownError for a SQLite failure the user can act on, or None for a bug."""
    if not isinstance(exc, sqlite3.Error) and _dbapi_original(exc) is None:
        return None
    text = _message(exc)
    if any(s in text for s in _FULL):
        return DiskFull(where)
    if any(s in text for s in _LOCKED):
        return DatabaseLocked()
    if any(s in text for s in _READ_ONLY):
        return ReadOnlyLocation(where)
    return None
