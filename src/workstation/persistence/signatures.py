"""签名 in SQLite: the ``signatures`` table (0008_signatures); see services/signatures.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from workstation.domain.signature_ports import SignatureRecord
from workstation.persistence.models import SignatureRow
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


class SqlSignatureStore:
    """The ``signatures`` table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self, commit: bool = False) -> Iterator[Session]:
        with session_scope(self._sessions, self._engine, commit=commit) as session:
            yield session

    def add(self, record: SignatureRecord) -> SignatureRecord:
        with self._session(commit=True) as s:
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
            s.add(row)
            s.flush()
            return _record(row)

    def for_document(self, case_id: str, document_code: str) -> list[SignatureRecord]:
        with self._session() as s:
            rows = s.execute(
                select(SignatureRow)
                .where(SignatureRow.case_id == case_id, SignatureRow.document_code == document_code)
                .order_by(SignatureRow.signed_at, SignatureRow.id)
            ).scalars()
            return [_record(r) for r in rows]
