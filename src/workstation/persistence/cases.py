"""Cases in SQLite: the ``cases`` row with its parties and officers, written with its event.

:class:`SqlCaseStore` implements :class:`~workstation.domain.case_ports.CaseStore`. Each
:meth:`SqlCaseStore.transaction` is one SQLAlchemy session and one SQLite transaction, so a
change to a case, its 案号 (persistence/numbering.py) and its 全过程记录 event
(persistence/case_events.py) commit together or not at all. Updates use optimistic
concurrency on ``cases.row_version``; the case-list columns are rewritten with every write.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from workstation.domain.case_ports import CaseListColumns
from workstation.domain.cases import Case, CaseKind, CaseSource
from workstation.domain.entities import Agency, Officer, OfficerRole, Party, PartyKind
from workstation.domain.errors import NotFound
from workstation.domain.record import CaseEvent, ConcurrentEdit, FieldChange, VerifyReport
from workstation.persistence.case_events import Executor, SqlCaseEventStore
from workstation.persistence.case_list import search_text
from workstation.persistence.models import (
    AgencyRow,
    CaseOfficerRow,
    CasePartyRow,
    CaseRow,
    EnforcementItemRow,
    OfficerRow,
    PartyRow,
)
from workstation.persistence.repositories import session_scope

#: ``allocate(within, agency_id, kind, year) -> serial`` (persistence.numbering.allocate).
Allocator = Callable[[Executor, str, str, int], int]


def _officer(row: OfficerRow) -> Officer:
    return Officer(
        id=row.id,
        agency_id=row.agency_id,
        name=row.name,
        certificate_no=row.certificate_no,
        certificate_valid_from=row.certificate_valid_from,
        certificate_valid_until=row.certificate_valid_until,
        roles=tuple(OfficerRole(r) for r in row.roles.split(",") if r),
        is_sample=bool(row.is_sample),
    )


class SqlCaseTransaction:
    """One transaction over the case tables (implements CaseTransaction)."""

    def __init__(self, session: Session, events: SqlCaseEventStore, allocate: Allocator) -> None:
        self._session = session
        self._events = events
        self._allocate = allocate

    # ------------------------------------------------------------------ reading

    def load(self, case_ref: str) -> Case:
        s = self._session
        row = s.execute(
            select(CaseRow).where(or_(CaseRow.id == case_ref, CaseRow.case_number == case_ref))
        ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"没有找到案件：{case_ref}", "请核对案件编号或案号。")
        s.refresh(row)
        parties = s.execute(
            select(CasePartyRow.party_id)
            .where(CasePartyRow.case_id == row.id)
            .order_by(CasePartyRow.party_id)
        ).scalars()
        officers = s.execute(
            select(CaseOfficerRow.officer_id, CaseOfficerRow.role).where(CaseOfficerRow.case_id == row.id)
        ).all()
        lead = [o for o, role in officers if o == row.lead_officer_id]
        others = sorted(o for o, _ in officers if o != row.lead_officer_id)
        item_code = None
        if row.item_id is not None:
            item_code = s.execute(
                select(EnforcementItemRow.code).where(EnforcementItemRow.id == row.item_id)
            ).scalar_one_or_none()
        data = json.loads(row.data or "{}")
        return Case(
            id=row.id,
            agency_id=row.agency_id,
            kind=CaseKind(row.kind),
            title=row.title,
            source=CaseSource(row.source),
            stage=row.stage,
            opened_on=row.opened_on,
            case_number=row.case_number,
            item_code=item_code,
            party_ids=tuple(parties),
            officer_ids=tuple(lead + others),
            departments=tuple(data.get("departments") or ()),
            data=data,
            closed_on=row.closed_on,
            is_training=bool(row.is_training),
            row_version=row.row_version,
        )

    def officer(self, officer_id: str) -> Officer:
        row = self._session.get(OfficerRow, officer_id)
        if row is None:
            raise NotFound(f"没有找到执法人员：{officer_id}", "请先在设置中登记执法人员。")
        return _officer(row)

    def party(self, party_id: str) -> Party:
        row = self._session.get(PartyRow, party_id)
        if row is None:
            raise NotFound(f"没有找到当事人：{party_id}", "请先登记当事人。")
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

    def agency(self, agency_id: str) -> Agency:
        row = self._session.get(AgencyRow, agency_id)
        if row is None:
            raise NotFound(f"没有找到执法主体：{agency_id}", "请先在设置中登记本机的执法主体。")
        return Agency(row.id, row.code, row.name, row.region_code, bool(row.is_sample))

    # ------------------------------------------------------------------ writing

    def _list_values(self, case: Case, columns: CaseListColumns) -> dict[str, Any]:
        names = [self.party(p).name for p in case.party_ids]
        party_names = "、".join(names)
        lead_name = self.officer(case.officer_ids[0]).name if case.officer_ids else ""
        return {
            "party_names": party_names[:400],
            "lead_officer_name": lead_name,
            "next_deadline": columns.next_deadline,
            "warning_level": columns.warning_level,
            "search_text": search_text(case.case_number, case.title, party_names),
        }

    def _item_id(self, code: str | None) -> str | None:
        if not code:
            return None
        item_id = self._session.execute(
            select(EnforcementItemRow.id).where(EnforcementItemRow.code == code)
        ).scalar_one_or_none()
        if item_id is None:
            raise NotFound(f"没有找到执法事项：{code}", "请核对执法事项编码。")
        return item_id

    def insert(self, case: Case, columns: CaseListColumns) -> None:
        s = self._session
        s.add(
            CaseRow(
                id=case.id,
                agency_id=case.agency_id,
                case_number=case.case_number,
                kind=case.kind.value,
                title=case.title,
                source=case.source.value,
                stage=case.stage,
                item_id=self._item_id(case.item_code),
                lead_officer_id=case.officer_ids[0] if case.officer_ids else None,
                opened_on=case.opened_on,
                closed_on=case.closed_on,
                data=json.dumps(case.data, ensure_ascii=False, sort_keys=True),
                is_training=case.is_training,
                row_version=case.row_version,
                **self._list_values(case, columns),
            )
        )
        s.flush()
        for party_id in case.party_ids:
            s.add(CasePartyRow(case_id=case.id, party_id=party_id, role="party"))
        for i, officer_id in enumerate(case.officer_ids):
            s.add(CaseOfficerRow(case_id=case.id, officer_id=officer_id, role="lead" if i == 0 else "assist"))
        s.flush()

    def update(self, case: Case, expected_version: int, columns: CaseListColumns) -> Case:
        s = self._session
        result = s.execute(
            update(CaseRow)
            .where(CaseRow.id == case.id, CaseRow.row_version == expected_version)
            .values(
                stage=case.stage,
                case_number=case.case_number,
                data=json.dumps(case.data, ensure_ascii=False, sort_keys=True),
                closed_on=case.closed_on,
                lead_officer_id=case.officer_ids[0] if case.officer_ids else None,
                row_version=CaseRow.row_version + 1,
                updated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                **self._list_values(case, columns),
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise ConcurrentEdit(case.id)
        stored = set(
            s.execute(select(CaseOfficerRow.officer_id).where(CaseOfficerRow.case_id == case.id)).scalars()
        )
        if stored != set(case.officer_ids):
            s.execute(delete(CaseOfficerRow).where(CaseOfficerRow.case_id == case.id))
            for i, officer_id in enumerate(case.officer_ids):
                s.add(
                    CaseOfficerRow(
                        case_id=case.id, officer_id=officer_id, role="lead" if i == 0 else "assist"
                    )
                )
            s.flush()
        return self.load(case.id)

    def allocate_number(self, agency_id: str, kind: str, year: int) -> int:
        return self._allocate(self._session, agency_id, kind, year)

    def record_event(
        self,
        *,
        case_id: str,
        actor_id: str | None,
        actor_role: str,
        action: str,
        occurred_at: dt.datetime,
        changes: Iterable[FieldChange] = (),
        payload: Mapping[str, object] | None = None,
    ) -> CaseEvent:
        return self._events.record(
            self._session,
            case_id=case_id,
            actor_id=actor_id,
            actor_role=actor_role,
            action=action,
            occurred_at=occurred_at,
            changes=changes,
            payload=payload,
        )


class SqlCaseStore:
    """CaseStore over SQLite (see the module docstring)."""

    def __init__(self, engine: Engine, events: SqlCaseEventStore, allocate: Allocator) -> None:
        self._engine = engine
        self._events = events
        self._allocate = allocate
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[SqlCaseTransaction]:
        with session_scope(self._sessions, self._engine, commit=True) as session:
            yield SqlCaseTransaction(session, self._events, self._allocate)

    def events(self, case_id: str) -> list[CaseEvent]:
        return self._events.events(case_id)

    def verify_log(self, case_id: str) -> VerifyReport:
        return self._events.verify_case(case_id)
