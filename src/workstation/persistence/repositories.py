"""Repositories: ORM rows in, frozen domain dataclasses out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from workstation.domain.entities import (
    Agency,
    CaseBrief,
    CertificateStatus,
    EnforcementItem,
    Officer,
    OfficerRole,
    OfficeSummary,
    Party,
    PartyKind,
    StageCount,
)
from workstation.persistence import errors as sqlerrors
from workstation.persistence.models import (
    AgencyRow,
    CaseRow,
    EnforcementItemRow,
    OfficerRow,
    PartyRow,
)


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set changed attributes on ``row``; True when any value differed."""
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    if changed and hasattr(row, "row_version") and row.row_version is not None:
        row.row_version += 1
    return changed


def _agency(row: AgencyRow) -> Agency:
    return Agency(row.id, row.code, row.name, row.region_code, bool(row.is_sample))


def _brief(row: CaseRow) -> CaseBrief:
    return CaseBrief(
        id=row.id,
        kind=row.kind,
        stage=row.stage,
        title=row.title,
        case_number=row.case_number,
        party_names=row.party_names,
        lead_officer_id=row.lead_officer_id,
        lead_officer_name=row.lead_officer_name,
        next_deadline=row.next_deadline,
    )


def _officer(row: OfficerRow) -> Officer:
    roles = tuple(OfficerRole(r) for r in row.roles.split(",") if r)
    return Officer(
        id=row.id,
        agency_id=row.agency_id,
        name=row.name,
        certificate_no=row.certificate_no,
        certificate_valid_from=row.certificate_valid_from,
        certificate_valid_until=row.certificate_valid_until,
        roles=roles,
        is_sample=bool(row.is_sample),
    )


def _party(row: PartyRow) -> Party:
    return Party(
        id=row.id,
        kind=PartyKind(row.kind),
        name=row.name,
        id_number=row.id_number,
        credit_code=row.credit_code,
        legal_representative=row.legal_representative,
        address=row.address,
        is_sample=bool(row.is_sample),
    )


def _item(row: EnforcementItemRow) -> EnforcementItem:
    return EnforcementItem(
        id=row.id,
        code=row.code,
        name=row.name,
        department=row.department,
        violation_basis=row.violation_basis,
        penalty_basis=row.penalty_basis,
        delegated_to_township=bool(row.delegated_to_township),
        delegation_document=row.delegation_document,
        is_sample=bool(row.is_sample),
    )


class SqlOfficeRepository:
    """OfficeRepository over one SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def upsert_agency(self, agency: Agency) -> bool:
        row = self._s.scalar(select(AgencyRow).where(AgencyRow.code == agency.code))
        values = {
            "name": agency.name,
            "region_code": agency.region_code,
            "is_sample": agency.is_sample,
        }
        if row is None:
            self._s.add(AgencyRow(id=agency.id, code=agency.code, row_version=1, **values))
            return True
        return _apply(row, values)

    def agency_by_code(self, code: str) -> Agency | None:
        row = self._s.scalar(select(AgencyRow).where(AgencyRow.code == code))
        return None if row is None else _agency(row)

    def upsert_officer(self, officer: Officer) -> bool:
        row = self._s.scalar(select(OfficerRow).where(OfficerRow.certificate_no == officer.certificate_no))
        values = {
            "agency_id": officer.agency_id,
            "name": officer.name,
            "certificate_valid_from": officer.certificate_valid_from,
            "certificate_valid_until": officer.certificate_valid_until,
            "roles": ",".join(r.value for r in officer.roles),
            "is_sample": officer.is_sample,
        }
        if row is None:
            self._s.add(
                OfficerRow(id=officer.id, certificate_no=officer.certificate_no, row_version=1, **values)
            )
            return True
        return _apply(row, values)

    def upsert_party(self, party: Party) -> bool:
        row: PartyRow | None = None
        if party.id_number:
            row = self._s.scalar(select(PartyRow).where(PartyRow.id_number == party.id_number))
        elif party.credit_code:
            row = self._s.scalar(select(PartyRow).where(PartyRow.credit_code == party.credit_code))
        else:
            row = self._s.get(PartyRow, party.id)
        values = {
            "kind": party.kind.value,
            "name": party.name,
            "legal_representative": party.legal_representative,
            "address": party.address,
            "is_sample": party.is_sample,
        }
        if row is None:
            self._s.add(
                PartyRow(
                    id=party.id,
                    id_number=party.id_number,
                    credit_code=party.credit_code,
                    row_version=1,
                    **values,
                )
            )
            return True
        return _apply(row, values)

    def officers(self) -> list[Officer]:
        return [_officer(r) for r in self._s.scalars(select(OfficerRow).order_by(OfficerRow.name))]

    def items(self) -> list[EnforcementItem]:
        rows = self._s.scalars(select(EnforcementItemRow).order_by(EnforcementItemRow.code))
        return [_item(r) for r in rows]

    def find_parties(self, text: str, limit: int) -> list[Party]:
        query = select(PartyRow).order_by(PartyRow.name).limit(limit)
        text = text.strip()
        if text:
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                PartyRow.name.like(like, escape="\\")
                | PartyRow.id_number.like(like, escape="\\")
                | PartyRow.credit_code.like(like, escape="\\")
            )
        return [_party(r) for r in self._s.scalars(query)]

    def party_by_identifier(self, id_number: str | None, credit_code: str | None) -> Party | None:
        row: PartyRow | None = None
        if id_number:
            row = self._s.scalar(select(PartyRow).where(PartyRow.id_number == id_number))
        elif credit_code:
            row = self._s.scalar(select(PartyRow).where(PartyRow.credit_code == credit_code))
        return None if row is None else _party(row)

    def upsert_item(self, item: EnforcementItem) -> bool:
        row = self._s.scalar(select(EnforcementItemRow).where(EnforcementItemRow.code == item.code))
        values = {
            "name": item.name,
            "department": item.department,
            "violation_basis": item.violation_basis,
            "penalty_basis": item.penalty_basis,
            "delegated_to_township": item.delegated_to_township,
            "delegation_document": item.delegation_document,
            "is_sample": item.is_sample,
        }
        if row is None:
            self._s.add(EnforcementItemRow(id=item.id, code=item.code, row_version=1, **values))
            return True
        return _apply(row, values)

    def summary(
        self, today: dt.date, warn_days: int, officer_id: str | None = None, due_days: int = 7
    ) -> OfficeSummary:
        """The office at a glance; ``my_tasks`` are the open cases ``officer_id`` leads (all open
        cases when None), ``due_soon`` the open cases due within ``due_days`` or overdue."""
        agencies = tuple(_agency(r) for r in self._s.scalars(select(AgencyRow).order_by(AgencyRow.name)))
        officers = tuple(
            _officer(r)
            for r in self._s.scalars(
                select(OfficerRow).where(OfficerRow.is_active.is_(True)).order_by(OfficerRow.name)
            )
        )
        expiring = tuple(
            o for o in officers if o.certificate_status(today, warn_days) is not CertificateStatus.VALID
        )
        count = self._s.scalar
        return OfficeSummary(
            agencies=agencies,
            officers=officers,
            party_count=count(select(func.count()).select_from(PartyRow)) or 0,
            item_count=count(select(func.count()).select_from(EnforcementItemRow)) or 0,
            case_count=count(select(func.count()).select_from(CaseRow)) or 0,
            today=today,
            warn_days=warn_days,
            expiring_certificates=expiring,
            stage_counts=self._stage_counts(),
            due_soon=self._due_soon(today, due_days),
            my_tasks=self._open_cases(officer_id),
            officer_id=officer_id,
            due_days=due_days,
            sample_case_titles=frozenset(
                self._s.scalars(select(CaseRow.title).where(CaseRow.title.endswith("（示例）")))
            ),
        )

    def _stage_counts(self) -> tuple[StageCount, ...]:
        rows = self._s.execute(
            select(CaseRow.kind, CaseRow.stage, func.count())
            .where(CaseRow.is_training.is_(False))
            .group_by(CaseRow.kind, CaseRow.stage)
            .order_by(CaseRow.kind, CaseRow.stage)
        ).all()
        return tuple(StageCount(kind, stage, int(n)) for kind, stage, n in rows)

    def _open(self) -> Select[CaseRow]:
        return select(CaseRow).where(CaseRow.closed_on.is_(None), CaseRow.is_training.is_(False))

    def _due_soon(self, today: dt.date, due_days: int) -> tuple[CaseBrief, ...]:
        until = today + dt.timedelta(days=due_days)
        stmt = (
            self._open()
            .where(CaseRow.next_deadline.is_not(None), CaseRow.next_deadline <= until)
            .order_by(CaseRow.next_deadline, CaseRow.opened_on, CaseRow.id)
        )
        return tuple(_brief(r) for r in self._s.scalars(stmt))

    def _open_cases(self, officer_id: str | None) -> tuple[CaseBrief, ...]:
        stmt = self._open()
        if officer_id is not None:
            stmt = stmt.where(CaseRow.lead_officer_id == officer_id)
        stmt = stmt.order_by(
            CaseRow.next_deadline.is_(None), CaseRow.next_deadline, CaseRow.opened_on.desc(), CaseRow.id
        )
        return tuple(_brief(r) for r in self._s.scalars(stmt))


class SqlUnitOfWork:
    """One session and one transaction; ``commit()`` makes it durable."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._office = SqlOfficeRepository(session)

    @property
    def office(self) -> SqlOfficeRepository:
        return self._office

    def commit(self) -> None:
        self._session.commit()


@contextmanager
def session_scope(
    sessions: sessionmaker[Session], engine: Engine, *, commit: bool = False
) -> Iterator[Session]:
    """A session for one use case: rolled back on failure, with SQLite failures the user can
    act on (disk full, locked, read-only) turned into KnownErrors; committed at the end when
    ``commit`` is set."""
    session = sessions()
    try:
        yield session
        if commit:
            session.commit()
    except Exception as exc:
        session.rollback()
        known = sqlerrors.translate(exc, Path(engine.url.database or "."))
        if known is not None:
            raise known from exc
        raise
    finally:
        session.close()


class SqlUnitOfWorkFactory:
    """Makes units of work over an engine; failures become KnownErrors where the user can act."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def __call__(self) -> Iterator[SqlUnitOfWork]:
        with session_scope(self._sessions, self._engine) as session:
            yield SqlUnitOfWork(session)
