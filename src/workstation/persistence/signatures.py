"""签名 in SQLite: the ``signatures`` table (0008_signatures); see services/signatures.py.

:class:`SqlSignatureStore` is a :class:`~workstation.persistence.cases.SqlCaseStore` whose
transactions can also insert a signature row, in the same session and SQLite transaction as the
全过程记录 event that records it (implements
:class:`~workstation.domain.signature_ports.SignatureStore`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, literal_column, select

from workstation.domain.document_ports import VOIDED
from workstation.domain.signature_ports import SignatureRecord
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.cases import SqlCaseStore, SqlCaseTransaction
from workstation.persistence.models import DocumentRow, SignatureRow
from workstation.persistence.numbering import allocate
from workstation.persistence.repositories import session_scope


def _record(row: SignatureRow) -> SignatureRecord:
    return SignatureRecord(
        id=row.id,
        case_id=row.case_id,
        document_code=row.document_code,
        role=row.role,
        name=row.name,
        attachment_id=row.attachment_id,
        refused=row.refused,
        witness=row.witness,
        evidence_attachment_id=row.evidence_attachment_id,
        signed_at=row.signed_at,
    )


class SqlSignatureTransaction(SqlCaseTransaction):
    """A case transaction that also inserts signature rows."""

    def add_signature(self, record: SignatureRecord) -> SignatureRecord:
        row = SignatureRow(
            id=record.id,
            case_id=record.case_id,
            document_code=record.document_code,
            role=record.role,
            name=record.name,
            attachment_id=record.attachment_id,
            refused=record.refused,
            witness=record.witness,
            evidence_attachment_id=record.evidence_attachment_id,
            signed_at=record.signed_at,
        )
        self._session.add(row)
        self._session.flush()
        return _record(row)

    def document_number(self, case_id: str, document_code: str) -> str | None:
        return self._session.execute(
            select(DocumentRow.number)
            .where(
                DocumentRow.case_id == case_id,
                DocumentRow.doc_type == document_code,
                DocumentRow.status != VOIDED,
                DocumentRow.number.is_not(None),
            )
            .order_by(DocumentRow.created_at.desc(), literal_column("documents.rowid").desc())
            .limit(1)
        ).scalar_one_or_none()


class SqlSignatureStore(SqlCaseStore):
    """The ``signatures`` table with the cases and the 全过程记录 it is written with."""

    def __init__(self, engine: Engine, events: SqlCaseEventStore | None = None) -> None:
        super().__init__(engine, events or SqlCaseEventStore(engine), allocate)

    @contextmanager
    def transaction(self) -> Iterator[SqlSignatureTransaction]:
        with session_scope(self._sessions, self._engine, commit=True) as session:
            yield SqlSignatureTransaction(session, self._events, self._allocate)

    def for_document(self, case_id: str, document_code: str) -> list[SignatureRecord]:
        with session_scope(self._sessions, self._engine, commit=False) as s:
            rows = s.execute(
                select(SignatureRow)
                .where(SignatureRow.case_id == case_id, SignatureRow.document_code == document_code)
                .order_by(SignatureRow.signed_at, SignatureRow.id)
            ).scalars()
            return [_record(r) for r in rows]
