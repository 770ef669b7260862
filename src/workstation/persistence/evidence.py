"""证据 in SQLite: the ``evidence`` rows of a case, each with its file as an attachment.

:class:`SqlEvidenceStore` is a :class:`~workstation.persistence.cases.SqlCaseStore` whose
transactions can also insert an evidence row, in the same session and SQLite transaction as
the 全过程记录 event that records it (implements
:class:`~workstation.domain.evidence_ports.EvidenceStore`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, literal_column, select

from workstation.domain.cases import EvidenceKind
from workstation.domain.evidence_ports import EvidenceItem, EvidenceRecord
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.cases import Allocator, SqlCaseStore, SqlCaseTransaction
from workstation.persistence.models import AttachmentRow, EvidenceRow
from workstation.persistence.repositories import session_scope


def _label(kind: str) -> str:
    try:
        return EvidenceKind(kind).label
    except ValueError:
        return kind


class SqlEvidenceTransaction(SqlCaseTransaction):
    """A case transaction that also inserts evidence rows."""

    def add_evidence(self, record: EvidenceRecord) -> None:
        self._session.add(
            EvidenceRow(
                id=record.id,
                case_id=record.case_id,
                kind=record.kind,
                title=record.title,
                description=record.description,
                collected_at=record.collected_at,
                collected_by=record.collected_by,
                attachment_id=record.attachment_id,
                created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            )
        )
        self._session.flush()


class SqlEvidenceStore(SqlCaseStore):
    """Cases with their evidence; ``root`` is the data directory attachments are stored under."""

    def __init__(self, engine: Engine, events: SqlCaseEventStore, allocate: Allocator, root: Path) -> None:
        super().__init__(engine, events, allocate)
        self._root = root

    @contextmanager
    def transaction(self) -> Iterator[SqlEvidenceTransaction]:
        with session_scope(self._sessions, self._engine, commit=True) as session:
            yield SqlEvidenceTransaction(session, self._events, self._allocate)

    def for_case(self, case_id: str) -> list[EvidenceItem]:
        with session_scope(self._sessions, self._engine, commit=False) as s:
            rows = s.execute(
                select(EvidenceRow, AttachmentRow)
                .outerjoin(AttachmentRow, AttachmentRow.id == EvidenceRow.attachment_id)
                .where(EvidenceRow.case_id == case_id)
                .order_by(EvidenceRow.collected_at, literal_column("evidence.rowid"))
            ).all()
            return [
                EvidenceItem(
                    id=e.id,
                    case_id=e.case_id,
                    kind=e.kind,
                    kind_label=_label(e.kind),
                    title=e.title,
                    description=e.description or "",
                    collected_on=e.collected_at.date() if e.collected_at else None,
                    sha256=a.sha256 if a else "",
                    media_type=a.media_type if a else "",
                    path=self._root / a.stored_path if a else None,
                    original_name=a.original_name if a else "",
                )
                for e, a in rows
            ]
