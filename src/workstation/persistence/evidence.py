"""证据 in SQLite: the ``evidence`` rows of a case, each with its file as an attachment.

:class:`SqlEvidenceStore` is a :class:`~workstation.persistence.cases.SqlCaseStore` whose
transactions can also insert an evidence row, in the same session and SQLite transaction as
the 全过程记录 event that records it (implements
:class:`~workstation.domain.evidence_ports.EvidenceStore`).

What the ``evidence`` row has no column for is read from the case's 全过程记录 (append-only,
hash-chained): the source and the other collecting officers from the ``add_evidence`` event,
a correction (更正/作废) from the ``correct_evidence`` event. No table is altered for them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, literal_column, select, type_coerce
from sqlalchemy.orm import Session

from workstation.domain.cases import EvidenceKind
from workstation.domain.evidence_ports import (
    ADD_EVIDENCE,
    CORRECT_EVIDENCE,
    EvidenceCorrection,
    EvidenceItem,
    EvidenceRecord,
)
from workstation.persistence.case_events import SqlCaseEventStore
from workstation.persistence.cases import Allocator, SqlCaseStore, SqlCaseTransaction
from workstation.persistence.models import AttachmentRow, CaseEventRow, EvidenceRow, OfficerRow
from workstation.persistence.repositories import session_scope

_E = CaseEventRow


def _label(kind: str) -> str:
    try:
        return EvidenceKind(kind).label
    except ValueError:
        return kind


def _payload(raw: str) -> dict[str, Any]:
    """The ``payload`` part of a stored event ({} when it cannot be read: verify-log says so)."""
    try:
        data = json.loads(raw)
    except (ValueError, TypeError):
        return {}
    inner = data.get("payload") if isinstance(data, dict) else None
    return inner if isinstance(inner, dict) else {}


def _utc(raw: object) -> dt.datetime:
    """The stored UTC instant (read as text, like persistence/case_events.py does)."""
    try:
        value = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class _Event:
    seq: int
    actor_id: str | None
    occurred_at: dt.datetime
    payload: Mapping[str, Any]


def _items(session: Session, root: Path, case_id: str, evidence_id: str | None = None) -> list[EvidenceItem]:
    """The case's evidence (or the one ``evidence_id``) with what its events add."""
    query = (
        select(EvidenceRow, AttachmentRow)
        .outerjoin(AttachmentRow, AttachmentRow.id == EvidenceRow.attachment_id)
        .where(EvidenceRow.case_id == case_id)
        .order_by(EvidenceRow.collected_at, literal_column("evidence.rowid"))
    )
    if evidence_id is not None:
        query = query.where(EvidenceRow.id == evidence_id)
    rows = session.execute(query).all()
    if not rows:
        return []
    added: dict[str, Mapping[str, Any]] = {}
    corrections: dict[str, _Event] = {}
    events = session.execute(
        select(_E.seq, _E.actor_id, _E.action, _E.payload, type_coerce(_E.occurred_at, String).label("at"))
        .where(_E.case_id == case_id, _E.action.in_((ADD_EVIDENCE, CORRECT_EVIDENCE)))
        .order_by(_E.seq)
    ).all()
    for seq, actor_id, action, raw, at in events:
        payload = _payload(raw)
        target = payload.get("evidence_id")
        if not isinstance(target, str):
            continue
        if action == ADD_EVIDENCE:
            added.setdefault(target, payload)
        elif target not in corrections:  # the first correction stands
            corrections[target] = _Event(seq, actor_id, _utc(at), payload)
    officer_ids: set[str] = {e.collected_by for e, _ in rows if e.collected_by}
    for extra in added.values():
        officer_ids.update(o for o in extra.get("collectors") or () if isinstance(o, str))
    officer_ids.update(event.actor_id for event in corrections.values() if event.actor_id)
    found = session.execute(select(OfficerRow.id, OfficerRow.name).where(OfficerRow.id.in_(officer_ids)))
    names: dict[str, str] = {row.id: row.name for row in found}
    items = []
    for e, a in rows:
        extra = added.get(e.id, {})
        collector_ids = [o for o in extra.get("collectors") or () if isinstance(o, str)]
        if not collector_ids and e.collected_by:
            collector_ids = [e.collected_by]
        correction = None
        event = corrections.get(e.id)
        if event is not None:
            correction = EvidenceCorrection(
                kind=str(event.payload.get("correction") or ""),
                reason=str(event.payload.get("reason") or ""),
                actor_id=event.actor_id,
                actor_name=names.get(event.actor_id or "", "（已删除的人员）"),
                at=event.occurred_at,
                seq=event.seq,
            )
        source = extra.get("source")
        items.append(
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
                path=root / a.stored_path if a else None,
                original_name=a.original_name if a else "",
                source=source if isinstance(source, str) else "",
                collected_at=e.collected_at,
                collectors=tuple(names.get(o, "（已删除的人员）") for o in collector_ids),
                size=a.size if a else 0,
                correction=correction,
            )
        )
    return items


class SqlEvidenceTransaction(SqlCaseTransaction):
    """A case transaction that also inserts and reads evidence rows."""

    def __init__(self, session: Session, events: SqlCaseEventStore, allocate: Allocator, root: Path) -> None:
        super().__init__(session, events, allocate)
        self._root = root

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

    def evidence(self, case_id: str, evidence_id: str) -> EvidenceItem | None:
        found = _items(self._session, self._root, case_id, evidence_id)
        return found[0] if found else None


class SqlEvidenceStore(SqlCaseStore):
    """Cases with their evidence; ``root`` is the data directory attachments are stored under."""

    def __init__(self, engine: Engine, events: SqlCaseEventStore, allocate: Allocator, root: Path) -> None:
        super().__init__(engine, events, allocate)
        self._root = root

    @contextmanager
    def transaction(self) -> Iterator[SqlEvidenceTransaction]:
        with session_scope(self._sessions, self._engine, commit=True) as session:
            yield SqlEvidenceTransaction(session, self._events, self._allocate, self._root)

    def for_case(self, case_id: str) -> list[EvidenceItem]:
        with session_scope(self._sessions, self._engine, commit=False) as s:
            return _items(s, self._root, case_id)
