"""Issued 执法文书 in SQLite: the ``documents`` table with gapless 文书编号 and voids.

:meth:`SqlDocumentStore.issue` is one transaction: the 文书编号's serial is allocated
(persistence/numbering.py, the transaction's first write, so a concurrent issuer waits for
this one to commit), the caller's ``produce`` callback makes the document with that serial
(renders it into a temporary folder and returns its number, hash, path and QR payload), and
the row is inserted with status ``issued``. If ``produce`` raises, everything rolls back and
the serial is free again: a failed rendering takes no number. A transaction that meets a
busy database (another issuer kept it past the busy timeout, or a stale snapshot) is retried
a few times from the start, which is safe because nothing of it was committed.

A document's status moves ``issued`` → ``served`` (送达); :meth:`void` (作废) records the
number in ``number_voids`` with reason and actor, so it is never issued again, and marks the
document ``voided``.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session, sessionmaker

from workstation.domain.document_ports import (
    ISSUED,
    SERVED,
    STATUS_LABELS,
    VOIDED,
    DocumentDraft,
    DocumentRecord,
    Produced,
)
from workstation.domain.errors import DatabaseLocked, InvalidInput, NotFound
from workstation.persistence import numbering
from workstation.persistence.models import DocumentRow
from workstation.persistence.repositories import session_scope

#: How often a transaction that met a busy database is tried in all.
ATTEMPTS = 5


def _record(row: DocumentRow) -> DocumentRecord:
    return DocumentRecord(
        id=row.id,
        case_id=row.case_id,
        agency_id=row.agency_id,
        doc_type=row.doc_type,
        title=row.title or row.doc_type,
        number_kind=row.number_kind,
        year=row.year,
        serial=row.serial,
        number=row.number,
        status=row.status,
        content_hash=row.content_hash,
        issued_on=row.issued_on,
        path=row.path,
        payload=row.payload,
        pdf_hash=row.pdf_hash,
        created_at=row.created_at,
    )


#: ``allocate(within, agency_id, kind, year) -> serial`` (persistence.numbering.allocate).
Allocator = Callable[[Any, str, str, int], int]


class SqlDocumentStore:
    """The ``documents`` table (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        allocate: Allocator = numbering.allocate,
        *,
        attempts: int = ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._engine = engine
        self._allocate = allocate
        self._attempts = max(1, attempts)
        self._sleep = sleep
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self, commit: bool = False) -> Iterator[Session]:
        with session_scope(self._sessions, self._engine, commit=commit) as session:
            yield session

    # ------------------------------------------------------------------ issuing

    def issue(self, draft: DocumentDraft, produce: Callable[[int | None], Produced]) -> DocumentRecord:
        """Allocate the serial, ``produce`` the document with it and insert the row, atomically.

        ``produce(serial)`` gets the serial (None without a number kind) and may raise: then
        nothing is stored and the serial is not used up. Retried on a busy database.
        """
        doc_id = draft.id or str(uuid.uuid4())
        year = draft.issued_on.year
        for attempt in range(1, self._attempts + 1):
            try:
                with self._session(commit=True) as s:
                    serial = None
                    if draft.number_kind is not None:
                        serial = self._allocate(s, draft.agency_id, draft.number_kind, year)
                    made = produce(serial)
                    row = DocumentRow(
                        id=doc_id,
                        case_id=draft.case_id,
                        agency_id=draft.agency_id,
                        doc_type=draft.doc_type,
                        title=draft.title,
                        number_kind=draft.number_kind,
                        year=year if serial is not None else None,
                        serial=serial,
                        number=made.number,
                        status=ISSUED,
                        content_hash=made.content_hash,
                        issued_on=draft.issued_on,
                        path=made.path,
                        payload=made.payload,
                        pdf_hash=made.pdf_hash,
                    )
                    s.add(row)
                    s.flush()
                    return _record(row)
            except DatabaseLocked:
                if attempt == self._attempts:
                    raise
                self._sleep(0.05 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ reading

    def for_case(self, case_id: str) -> list[DocumentRecord]:
        """The case's documents in issue order (voided ones included)."""
        with self._session() as s:
            rows = s.execute(
                select(DocumentRow)
                .where(DocumentRow.case_id == case_id)
                .order_by(DocumentRow.created_at, DocumentRow.issued_on, DocumentRow.id)
            ).scalars()
            return [_record(r) for r in rows]

    def find(self, reference: str) -> DocumentRecord | None:
        """The document with this number (or record id); None when there is none."""
        with self._session() as s:
            row = self._row(s, reference)
            return None if row is None else _record(row)

    def get(self, reference: str) -> DocumentRecord:
        """As :meth:`find`, NotFound (Chinese) when there is none."""
        found = self.find(reference)
        if found is None:
            raise NotFound(f"没有找到文书：{reference}", "请核对文书编号。")
        return found

    @staticmethod
    def _row(s: Session, reference: str) -> DocumentRow | None:
        rows = (
            s.execute(
                select(DocumentRow)
                .where(or_(DocumentRow.number == reference, DocumentRow.id == reference))
                .order_by(DocumentRow.created_at)
            )
            .scalars()
            .all()
        )
        if len(rows) > 1:
            raise InvalidInput(
                f"文书编号“{reference}”对应多份文书。", "请用文书的记录编号（id）指定要操作的文书。"
            )
        return rows[0] if rows else None

    # ------------------------------------------------------------------ changing

    def _change(self, reference: str, change: Callable[[Session, DocumentRow], None]) -> DocumentRecord:
        for attempt in range(1, self._attempts + 1):
            try:
                with self._session(commit=True) as s:
                    row = self._row(s, reference)
                    if row is None:
                        raise NotFound(f"没有找到文书：{reference}", "请核对文书编号。")
                    change(s, row)
                    row.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                    s.flush()
                    return _record(row)
            except DatabaseLocked:
                if attempt == self._attempts:
                    raise
                self._sleep(0.05 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def mark_served(self, reference: str) -> DocumentRecord:
        """Record that the document was served (送达); only an issued document can be."""

        def serve(_s: Session, row: DocumentRow) -> None:
            if row.status == SERVED:
                return
            if row.status != ISSUED:
                raise InvalidInput(
                    f"文书{row.number or row.id}{STATUS_LABELS.get(row.status, row.status)}，不能登记送达。",
                    "只有已出具的文书可以登记送达。",
                )
            row.status = SERVED

        return self._change(reference, serve)

    def set_path(self, reference: str, path: str, pdf_hash: str | None = None) -> DocumentRecord:
        """Record where the document's file now is (and the hash of its PDF, when one was made)."""

        def move(_s: Session, row: DocumentRow) -> None:
            row.path = path
            if pdf_hash is not None:
                row.pdf_hash = pdf_hash

        return self._change(reference, move)

    def void(
        self, reference: str, reason: str, actor: str, *, at: dt.datetime | None = None
    ) -> DocumentRecord:
        """作废: the number recorded as voided (never issued again) and the document ``voided``."""

        def cancel(s: Session, row: DocumentRow) -> None:
            if row.status == VOIDED:
                raise InvalidInput(f"文书{row.number or row.id}已作废。", "作废的文书无需重复作废。")
            if row.number_kind is not None and row.year is not None and row.serial is not None:
                numbering.void(s, row.agency_id, row.number_kind, row.year, row.serial, reason, actor, at=at)
            elif not reason.strip():
                raise InvalidInput("作废文书必须填写原因。")
            row.status = VOIDED

        return self._change(reference, cancel)
