"""In-memory fakes of the domain ports, for unit tests of services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from workstation.domain.entities import (
    Agency,
    CaseBrief,
    CertificateStatus,
    EnforcementItem,
    Officer,
    OfficeSummary,
    Party,
    StageCount,
)


@dataclass
class FakeOfficeRepository:
    agencies: dict[str, Agency] = field(default_factory=dict)
    officer_rows: dict[str, Officer] = field(default_factory=dict)
    party_rows: dict[str, Party] = field(default_factory=dict)
    item_rows: dict[str, EnforcementItem] = field(default_factory=dict)
    #: Open cases (all of them are 我的待办 candidates; those with a deadline are due_soon candidates).
    cases: list[CaseBrief] = field(default_factory=list)
    stage_counts: list[StageCount] = field(default_factory=list)

    @staticmethod
    def _put(store: dict[str, object], key: str, value: object) -> bool:
        if store.get(key) == value:
            return False
        store[key] = value
        return True

    def upsert_agency(self, agency: Agency) -> bool:
        return self._put(self.agencies, agency.code, agency)  # type: ignore[arg-type]

    def upsert_officer(self, officer: Officer) -> bool:
        return self._put(self.officer_rows, officer.certificate_no, officer)  # type: ignore[arg-type]

    def upsert_party(self, party: Party) -> bool:
        key = party.id_number or party.credit_code or party.id
        return self._put(self.party_rows, key, party)  # type: ignore[arg-type]

    def upsert_item(self, item: EnforcementItem) -> bool:
        return self._put(self.item_rows, item.code, item)  # type: ignore[arg-type]

    def agency_by_code(self, code: str) -> Agency | None:
        return self.agencies.get(code)

    def officers(self) -> list[Officer]:
        return sorted(self.officer_rows.values(), key=lambda o: o.name)

    def items(self) -> list[EnforcementItem]:
        return sorted(self.item_rows.values(), key=lambda i: i.code)

    def find_parties(self, text: str, limit: int) -> list[Party]:
        found = [
            p
            for p in self.party_rows.values()
            if text in p.name or text in (p.id_number or "") or text in (p.credit_code or "")
        ]
        return sorted(found, key=lambda p: p.name)[:limit]

    def party_by_identifier(self, id_number: str | None, credit_code: str | None) -> Party | None:
        key = id_number or credit_code
        return self.party_rows.get(key) if key else None

    def summary(self, today: dt.date, warn_days: int) -> OfficeSummary:
        officers = tuple(sorted(self.officer_rows.values(), key=lambda o: o.name))
        return OfficeSummary(
            agencies=tuple(self.agencies.values()),
            officers=officers,
            party_count=len(self.party_rows),
            item_count=len(self.item_rows),
            case_count=len(self.cases),
            today=today,
            warn_days=warn_days,
            expiring_certificates=tuple(
                o for o in officers if o.certificate_status(today, warn_days) is not CertificateStatus.VALID
            ),
            stage_counts=tuple(self.stage_counts),
            due_soon=tuple(c for c in self.cases if c.next_deadline is not None),
            my_tasks=tuple(self.cases),
            sample_case_titles=frozenset(c.title for c in self.cases if c.title.endswith("（示例）")),
        )


class FakeUnitOfWork:
    def __init__(self, repo: FakeOfficeRepository) -> None:
        self._repo = repo
        self.committed = False

    @property
    def office(self) -> FakeOfficeRepository:
        return self._repo

    def commit(self) -> None:
        self.committed = True


class FakeUnitOfWorkFactory:
    def __init__(self) -> None:
        self.repo = FakeOfficeRepository()
        self.units: list[FakeUnitOfWork] = []

    @contextmanager
    def __call__(self) -> Iterator[FakeUnitOfWork]:
        unit = FakeUnitOfWork(self.repo)
        self.units.append(unit)
        yield unit
