"""Typed settings, declared once with type, default and version.

Stored as JSON in the data directory. When the stored version is older than
:data:`SETTINGS_VERSION`, the registered upgrade functions run in order
(each takes the raw dict of version N-1 and returns version N). Secrets never
live here: tokens are in the OS keyring. Window geometry and similar view
state live in QSettings, owned by the UI.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from workstation.domain.errors import InvalidInput

log = logging.getLogger(__name__)

SETTINGS_VERSION = 2


@dataclass(frozen=True, slots=True)
class Settings:
    """Every user-adjustable preference, with its documented default."""

    #: 省份代码 (GB/T 2260 two digits): selects provincial thresholds later.
    province_code: str = "35"
    #: Days before a 执法证 expires at which the 工作台 warns.
    certificate_warning_days: int = 60
    #: Base URL of the provincial central server; empty means offline only.
    central_server_url: str = ""
    #: Minutes between background syncs while logged in (docs/SETTINGS.md).
    sync_interval_minutes: int = 15
    #: Backups kept in the data directory's backups/ folder.
    backups_to_keep: int = 10
    #: Logging level of the log file (DEBUG, INFO, WARNING).
    log_level: str = "INFO"
    #: The officer working at this desk (every action is recorded against them); empty: ask.
    current_officer_id: str = ""
    #: That officer's name, shown in the status bar without opening the database.
    current_officer_name: str = ""
    #: A sync reserves a new block of 案号 / 文书 serials when fewer than this many are left
    #: per series and year (docs/SYNC.md, "Numbering").
    number_block_threshold: int = 20
    #: Serials asked for per block (the central server allows 1–200).
    number_block_size: int = 50


_VALIDATORS: dict[str, Callable[[Any], bool]] = {
    "province_code": lambda v: isinstance(v, str) and len(v) == 2 and v.isdigit(),
    "certificate_warning_days": lambda v: isinstance(v, int) and 0 <= v <= 365,
    "central_server_url": lambda v: isinstance(v, str) and (v == "" or v.startswith(("http://", "https://"))),
    "sync_interval_minutes": lambda v: isinstance(v, int) and 1 <= v <= 1440,
    "backups_to_keep": lambda v: isinstance(v, int) and 1 <= v <= 100,
    "log_level": lambda v: v in ("DEBUG", "INFO", "WARNING"),
    "current_officer_id": lambda v: isinstance(v, str) and len(v) <= 64,
    "current_officer_name": lambda v: isinstance(v, str) and len(v) <= 100,
    "number_block_threshold": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1000,
    "number_block_size": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 200,
}

_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upgrade(
    to_version: int,
) -> Callable[[Callable[[dict[str, Any]], dict[str, Any]]], Callable[[dict[str, Any]], dict[str, Any]]]:
    """Register the function that turns settings of ``to_version - 1`` into ``to_version``."""

    def register(
        fn: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        _UPGRADES[to_version] = fn
        return fn

    return register


@upgrade(2)
def _v2_rename_server(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 1 called the central server ``server_url``."""
    if "server_url" in raw:
        raw["central_server_url"] = raw.pop("server_url")
    return raw


def validate(settings: Settings) -> None:
    for f in fields(settings):
        value = getattr(settings, f.name)
        if not _VALIDATORS[f.name](value):
            raise InvalidInput(
                f"设置项 {f.name} 的值无效：{value!r}",
                "请按说明填写（见 docs/SETTINGS.md），或删除该项以恢复默认值。",
            )


class SettingsStore:
    """Loads and saves :class:`Settings` atomically (temporary file + rename)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        return self._path

    def load(self) -> Settings:
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError) as exc:
            log.warning("settings file unreadable, using defaults: %s", exc)
            return Settings()
        if not isinstance(raw, dict):
            return Settings()
        version = int(raw.pop("version", 1))
        for target in range(version + 1, SETTINGS_VERSION + 1):
            raw = _UPGRADES[target](raw)
        defaults = Settings()
        known = {f.name for f in fields(Settings)}
        values: dict[str, Any] = {}
        for name, value in raw.items():
            if name not in known:
                log.info("ignoring unknown setting %s", name)
                continue
            if _VALIDATORS[name](value):
                values[name] = value
            else:
                log.warning("invalid value for setting %s, using default", name)
        return replace(defaults, **values)

    def save(self, settings: Settings) -> None:
        validate(settings)
        data = {"version": SETTINGS_VERSION, **asdict(settings)}
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=self._path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=2)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
