"""Ports: what the core needs from the outside world, as Protocols.

Adapters implement them (persistence/, credentials/, later library/ and
sync/); the composition root in app.py chooses which.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from workstation.domain.entities import Agency, EnforcementItem, Officer, OfficeSummary, Party


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware."""
        ...

    def today(self) -> dt.date: ...


class OfficeRepository(Protocol):
    """Agencies, officers, parties and enforcement items of the office."""

    def upsert_agency(self, agency: Agency) -> bool:
        """Insert or update by ``code``; True when something changed."""
        ...

    def upsert_officer(self, officer: Officer) -> bool:
        """Insert or update by ``certificate_no``; True when something changed."""
        ...

    def upsert_party(self, party: Party) -> bool:
        """Insert or update by identifier (ID number / credit code); True when changed."""
        ...

    def upsert_item(self, item: EnforcementItem) -> bool:
        """Insert or update by ``code``; True when something changed."""
        ...

    def agency_by_code(self, code: str) -> Agency | None: ...

    def officers(self) -> list[Officer]:
        """Every officer, by name."""
        ...

    def items(self) -> list[EnforcementItem]:
        """The 执法事项 catalogue, by code."""
        ...

    def find_parties(self, text: str, limit: int) -> list[Party]:
        """Parties whose name, ID number or credit code contains ``text`` (all when empty)."""
        ...

    def party_by_identifier(self, id_number: str | None, credit_code: str | None) -> Party | None: ...

    def summary(self, today: dt.date, warn_days: int) -> OfficeSummary: ...


class UnitOfWork(Protocol):
    """One transaction: everything done through it commits together or not at all."""

    @property
    def office(self) -> OfficeRepository: ...

    def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> AbstractContextManager[UnitOfWork]: ...


class CredentialStore(Protocol):
    """Secrets (tokens) live only here: the OS keyring in production."""

    def get(self, account: str) -> str | None: ...

    def set(self, account: str, secret: str) -> None: ...

    def delete(self, account: str) -> None: ...


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    """What ``workstation db check`` and the 设置 page report about the database file."""

    path: Path
    revision: str | None
    head: str
    integrity: tuple[str, ...]
    journal_mode: str
    foreign_keys: bool
    size_bytes: int

    @property
    def ok(self) -> bool:
        return self.integrity == ("ok",) and self.revision == self.head


class DatabaseAdmin(Protocol):
    """Maintenance of the local database file."""

    @property
    def path(self) -> Path: ...

    def check(self) -> DatabaseHealth: ...

    def backup(self, label: str = "manual", dest: Path | None = None) -> Path: ...

    def list_backups(self) -> list[Path]: ...
