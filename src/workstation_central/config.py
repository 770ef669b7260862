"""Server settings: limits, token lifetimes, the supported client versions and the clock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MiB = 1024 * 1024

_VERSION_RE = re.compile(r"^(\d{1,6})\.(\d{1,6})\.(\d{1,6})$")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"X.Y.Z"`` as a tuple of integers, or None when it is not of that form."""
    match = _VERSION_RE.match(text.strip())
    if match is None:
        return None
    return int(match[1]), int(match[2]), int(match[3])


@dataclass(frozen=True)
class Settings:
    """Everything a running server is configured with (see docs/CENTRAL.md §12)."""

    db_url: str
    storage_dir: Path
    admin_token: str | None = None
    access_ttl: float = 15 * 60
    refresh_ttl: float = 30 * 24 * 3600
    max_json_bytes: int = 4 * MiB
    max_chunk_bytes: int = 8 * MiB
    max_file_bytes: int = 512 * MiB
    min_client_version: str = "0.1.0"
    max_client_version: str = "0.999.999"
    clock: Callable[[], dt.datetime] = field(default=utc_now, compare=False)

    def __post_init__(self) -> None:
        for name in ("min_client_version", "max_client_version"):
            if parse_version(getattr(self, name)) is None:
                raise ValueError(f"{name} must be X.Y.Z")


def default_storage_dir(db_url: str) -> Path:
    """``<db file>.files`` next to a SQLite file; ``./central-files`` otherwise."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and len(db_url) > len(prefix) and ":memory:" not in db_url:
        return Path(db_url[len(prefix) :]).with_suffix(".files")
    return Path("central-files")
