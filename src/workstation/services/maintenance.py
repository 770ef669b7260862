"""Database maintenance actions of the 设置 page and ``workstation db``."""

from __future__ import annotations

from pathlib import Path

from workstation.domain.ports import DatabaseAdmin, DatabaseHealth
from workstation.services.changes import Changes, Result, Topic


class MaintenanceService:
    def __init__(self, admin: DatabaseAdmin) -> None:
        self._admin = admin

    @property
    def database_path(self) -> Path:
        return self._admin.path

    def check(self) -> Result[DatabaseHealth]:
        return Result(self._admin.check())

    def backup(self, dest: Path | None = None) -> Result[Path]:
        return Result(self._admin.backup("manual", dest), Changes.of(Topic.DATABASE))

    def list_backups(self) -> Result[list[Path]]:
        return Result(self._admin.list_backups())
