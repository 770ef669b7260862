"""The sync engine's SQL: the outbox, per-case sync state, conflicts, quarantine, the attachment
lane, pulled tasks and cursors (docs/SYNC.md).

:func:`enqueue_event` is called by persistence/case_events.py for every event appended to a
case's 全过程记录, in the caller's transaction: the event itself becomes an ``event``
operation (its body, the event's canonical JSON, written once, now) and the case gets an
``upsert`` operation unless one not yet sent is already waiting (that one will carry this
change too: its body is fixed only when it is first sent). Training cases never sync.

:class:`SqlSyncStore` is everything else; each method is one transaction, so an
acknowledgement, a merge or a pulled batch and its cursor commit together or not at all.
An operation leaves ``sync_outbox`` only when the server acknowledged it (or, for an upsert
the server answered with a version conflict, in the transaction that queues the merged one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, sessionmaker

from workstation.domain.merge import MISSING, FieldConflict, get_path, merge, same, set_path
from workstation.domain.record import CaseEvent, FieldChange, canonical_json, has_valid_hash, to_json
from workstation.persistence import errors as sqlerrors
from workstation.persistence.case_list import search_text
from workstation.persistence.models import (
    AgencyRow,
    AttachmentRow,
    CaseEventRow,
    CaseOfficerRow,
    CasePartyRow,
    CaseRow,
    EnforcementItemRow,
    EvidenceRow,
    OfficerRow,
    PartyRow,
    SignatureRow,
    SyncAttachmentRow,
    SyncCaseRow,
    SyncConflictRow,
    SyncCursorRow,
    SyncMetaRow,
    SyncOutboxRow,
    SyncQuarantineRow,
    SyncRemoteEventRow,
    SyncTaskRow,
)
from workstation.persistence.repositories import session_scope

#: ``entity`` of every case operation; ``operation`` is one of these.
CASE = "case"
UPSERT = "upsert"
EVENT = "event"
#: Outbox states: queued (an upsert's body not yet fixed), sent at least once (body fixed),
#: refused by the server (see sync_quarantine).
PENDING, INFLIGHT, QUARANTINED = "pending", "inflight", "quarantined"
#: Namespace of the ids of rebased event copies (uuid5 of the original id and the new parent).
REBASE_NAMESPACE = uuid.UUID("6f0d3c1e-8a51-4c39-9b1e-0b7e5f2a9d44")

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _dumps(value: Any) -> str:
    return canonical_json(value).decode("utf-8")


class _Q:
    """The push's hot statements, built once with bound parameters (a statement built anew for
    every call costs more than running it)."""

    outbox_of = (
        select(
            SyncOutboxRow.op_id,
            SyncOutboxRow.entity_id,
            SyncOutboxRow.operation,
            SyncOutboxRow.state,
            SyncOutboxRow.payload,
            SyncOutboxRow.ref_id,
            SyncOutboxRow.seq,
            SyncOutboxRow.attempts,
            SyncOutboxRow.if_match,
        )
        .where(SyncOutboxRow.entity_id.in_(bindparam("case_ids", expanding=True)))
        .order_by(SyncOutboxRow.id)
    )
    last_op = select(func.max(SyncOutboxRow.id)).where(SyncOutboxRow.entity_id == bindparam("case_id"))
    newer_op = (
        select(SyncOutboxRow.id)
        .where(
            SyncOutboxRow.entity_id
            == select(SyncOutboxRow.entity_id)
            .where(SyncOutboxRow.op_id == bindparam("op_id"))
            .scalar_subquery()
            .correlate(None),
            SyncOutboxRow.id > bindparam("seen", type_=Integer()),
        )
        .limit(1)
    )
    fix = (
        update(SyncOutboxRow)
        .where(SyncOutboxRow.op_id == bindparam("fix_op_id"), SyncOutboxRow.state == PENDING)
        .values(
            payload=bindparam("fix_payload", type_=String()),
            state=INFLIGHT,
            if_match=bindparam("fix_if_match", type_=String()),
            sent_at=bindparam("fix_now", type_=DateTime()),
        )
    )
    mark_sent = (
        update(SyncOutboxRow)
        .where(SyncOutboxRow.op_id.in_(bindparam("op_ids", expanding=True)))
        .values(
            state=INFLIGHT,
            attempts=SyncOutboxRow.attempts + 1,
            sent_at=func.coalesce(SyncOutboxRow.sent_at, bindparam("mark_now", type_=DateTime())),
        )
    )
    drop_op = delete(SyncOutboxRow).where(SyncOutboxRow.op_id == bindparam("op_id"))
    drop_ops = delete(SyncOutboxRow).where(SyncOutboxRow.op_id.in_(bindparam("op_ids", expanding=True)))
    state = select(
        SyncCaseRow.server_version,
        SyncCaseRow.base,
        SyncCaseRow.case_number,
        SyncCaseRow.review_status,
        SyncCaseRow.locked,
        SyncCaseRow.server_head_seq,
        SyncCaseRow.server_head_hash,
    ).where(SyncCaseRow.case_id == bindparam("case_id"))
    known = select(SyncCaseRow.server_version, SyncCaseRow.updated_seq).where(
        SyncCaseRow.case_id == bindparam("case_id")
    )
    _state_values: ClassVar[dict[str, Any]] = {
        "server_version": bindparam("st_version", type_=Integer()),
        "base": bindparam("st_base", type_=String()),
        "case_number": bindparam("st_number", type_=String()),
        "review_status": bindparam("st_review", type_=String()),
        "locked": bindparam("st_locked", type_=Boolean()),
        "updated_seq": bindparam("st_updated_seq", type_=Integer()),
        "synced_at": bindparam("st_now", type_=DateTime()),
    }
    insert_state = insert(SyncCaseRow).values(
        case_id=bindparam("st_case_id", type_=String()), server_head_seq=0, **_state_values
    )
    update_state = (
        update(SyncCaseRow).where(SyncCaseRow.case_id == bindparam("st_case_id")).values(**_state_values)
    )
    _head_values: ClassVar[dict[str, Any]] = {
        "server_head_seq": bindparam("hd_seq", type_=Integer()),
        "server_head_hash": bindparam("hd_hash", type_=String()),
        "synced_at": bindparam("hd_now", type_=DateTime()),
    }
    update_head = (
        update(SyncCaseRow).where(SyncCaseRow.case_id == bindparam("hd_case_id")).values(**_head_values)
    )
    insert_head = insert(SyncCaseRow).values(
        case_id=bindparam("hd_case_id", type_=String()),
        server_version=0,
        review_status="none",
        locked=False,
        updated_seq=0,
        **_head_values,
    )
    case_number = select(CaseRow.case_number, CaseRow.title, CaseRow.party_names).where(
        CaseRow.id == bindparam("case_id")
    )
    set_case_number = (
        update(CaseRow)
        .where(CaseRow.id == bindparam("cn_case_id"))
        .values(
            case_number=bindparam("cn_number", type_=String()),
            search_text=bindparam("cn_search", type_=String()),
            row_version=CaseRow.row_version + 1,
        )
    )
    meta = select(SyncMetaRow.value).where(SyncMetaRow.key == bindparam("key"))
    update_meta = (
        update(SyncMetaRow)
        .where(SyncMetaRow.key == bindparam("mt_key"))
        .values(value=bindparam("mt_value", type_=String()))
    )
    insert_meta = insert(SyncMetaRow).values(
        key=bindparam("mt_key", type_=String()), value=bindparam("mt_value", type_=String())
    )
    document_case = (
        select(
            CaseRow.agency_id,
            CaseRow.lead_officer_id,
            CaseRow.item_id,
            EnforcementItemRow.code.label("item_code"),
            AgencyRow.id.label("agency"),
            AgencyRow.code.label("agency_code"),
            AgencyRow.name.label("agency_name"),
            AgencyRow.region_code.label("agency_region"),
            CaseRow.kind,
            CaseRow.title,
            CaseRow.source,
            CaseRow.stage,
            CaseRow.status,
            CaseRow.opened_on,
            CaseRow.closed_on,
            CaseRow.data,
            CaseRow.case_number,
        )
        .outerjoin(AgencyRow, AgencyRow.id == CaseRow.agency_id)
        .outerjoin(EnforcementItemRow, EnforcementItemRow.id == CaseRow.item_id)
        .where(CaseRow.id == bindparam("case_id"))
    )
    document_parties = (
        select(
            CasePartyRow.party_id,
            PartyRow.id,
            PartyRow.kind,
            PartyRow.name,
            PartyRow.id_number,
            PartyRow.credit_code,
            PartyRow.legal_representative,
            PartyRow.address,
        )
        .outerjoin(PartyRow, PartyRow.id == CasePartyRow.party_id)
        .where(CasePartyRow.case_id == bindparam("case_id"))
        .order_by(CasePartyRow.party_id)
    )
    document_officer_ids = select(CaseOfficerRow.officer_id).where(
        CaseOfficerRow.case_id == bindparam("case_id")
    )
    document_officers = select(
        OfficerRow.id,
        OfficerRow.agency_id,
        OfficerRow.name,
        OfficerRow.certificate_no,
        OfficerRow.certificate_valid_from,
        OfficerRow.certificate_valid_until,
        OfficerRow.roles,
    ).where(OfficerRow.id.in_(bindparam("officer_ids", expanding=True)))
    document_evidence = (
        select(
            EvidenceRow.id,
            EvidenceRow.kind,
            EvidenceRow.title,
            EvidenceRow.description,
            EvidenceRow.collected_at,
            EvidenceRow.collected_by,
            AttachmentRow.id.label("attachment"),
            AttachmentRow.sha256,
            AttachmentRow.size,
            AttachmentRow.media_type,
            AttachmentRow.original_name,
        )
        .outerjoin(AttachmentRow, AttachmentRow.id == EvidenceRow.attachment_id)
        .where(EvidenceRow.case_id == bindparam("case_id"))
        .order_by(EvidenceRow.id)
    )


# ---------------------------------------------------------------- events as stored bodies


def event_body(event: CaseEvent) -> str:
    """The event's canonical JSON (every field, ``case_id`` included): what the outbox stores."""
    return _dumps(
        {
            "event_id": event.event_id,
            "case_id": event.case_id,
            "seq": event.seq,
            "occurred_at": event.occurred_at,
            "actor_id": event.actor_id,
            "actor_role": event.actor_role,
            "action": event.action,
            "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in event.changes],
            "payload": event.payload,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
    )


def event_from_body(body: str | Mapping[str, Any], case_id: str | None = None) -> CaseEvent:
    """The event a stored body (or a server's event object) describes; ValueError if its hash is wrong."""
    data = json.loads(body) if isinstance(body, str) else dict(body)
    occurred = dt.datetime.fromisoformat(str(data["occurred_at"]))
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=dt.UTC)
    event = CaseEvent(
        event_id=str(data["event_id"]),
        case_id=str(data.get("case_id") or case_id),
        seq=int(data["seq"]),
        occurred_at=occurred,
        actor_id=data.get("actor_id"),
        actor_role=str(data["actor_role"]),
        action=str(data["action"]),
        changes=tuple(FieldChange(c["field"], c["old"], c["new"]) for c in data.get("changes") or ()),
        payload=to_json(data.get("payload") or {}),
        prev_hash=str(data["prev_hash"]),
        hash=str(data["hash"]),
    )
    if not has_valid_hash(event):
        raise ValueError(f"event {event.event_id} does not match its hash")
    return event


def enqueue_event(within: Session | Connection, event: CaseEvent) -> None:
    """Queue ``event`` and its case's upsert in the caller's transaction (see the module doc)."""
    training = within.execute(
        select(CaseRow.is_training).where(CaseRow.id == event.case_id)
    ).scalar_one_or_none()
    if training is None or training:
        return
    now = _now()
    waiting = within.execute(
        select(SyncOutboxRow.id).where(
            SyncOutboxRow.entity_id == event.case_id,
            SyncOutboxRow.operation == UPSERT,
            SyncOutboxRow.state == PENDING,
        )
    ).first()
    if waiting is None:
        within.execute(
            insert(SyncOutboxRow).values(
                op_id=str(uuid.uuid4()),
                entity=CASE,
                entity_id=event.case_id,
                operation=UPSERT,
                payload="",
                state=PENDING,
                created_at=now,
            )
        )
    within.execute(
        insert(SyncOutboxRow).values(
            op_id=str(uuid.uuid4()),
            entity=CASE,
            entity_id=event.case_id,
            operation=EVENT,
            ref_id=event.event_id,
            seq=event.seq,
            payload=event_body(event),
            state=PENDING,
            created_at=now,
        )
    )


# ---------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class OutboxOp:
    op_id: str
    case_id: str
    operation: str
    state: str
    payload: str
    ref_id: str | None
    seq: int | None
    attempts: int
    if_match: str | None


@dataclass(frozen=True, slots=True)
class CaseSyncState:
    case_id: str
    server_version: int
    base: dict[str, Any] | None
    case_number: str | None
    review_status: str
    locked: bool
    server_head_seq: int
    server_head_hash: str | None


@dataclass(frozen=True, slots=True)
class RemoteCase:
    """What the engine hands the store about a case on the server (a ServerCase's values)."""

    case_id: str
    version: int
    updated_seq: int
    case_number: str | None
    review_status: str
    locked: bool
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class UpsertFix:
    """An upsert's arguments to fix (:meth:`SqlSyncStore.fix_upserts`) and the event operations
    to mark sent with it (the case's first batch, sent right after the upsert)."""

    op_id: str
    body: Mapping[str, Any]
    send: Sequence[str] = ()
    #: The case's largest outbox id when the body was read (:meth:`SqlSyncStore.upsert_source`):
    #: the body is fixed only if no operation of the case was queued since (None: always).
    seen: int | None = None
    #: ``body`` as canonical JSON when already made (else made here).
    text: str | None = None


@dataclass(frozen=True, slots=True)
class UpsertSource:
    """What an upsert's body is made of, read in one transaction: the case's sync state, its
    document and 案号, and the largest outbox id of the case then (see :class:`UpsertFix`)."""

    state: CaseSyncState
    document: dict[str, Any]
    local_number: str | None
    seen: int


@dataclass(frozen=True, slots=True)
class UpsertAck:
    """The server stored an upsert (:meth:`SqlSyncStore.record_acks`)."""

    op_id: str
    remote: RemoteCase


@dataclass(frozen=True, slots=True)
class EventsAck:
    """The server holds a batch of the case's events; its record's head after them."""

    case_id: str
    op_ids: Sequence[str]
    head_seq: int
    head_hash: str | None


@dataclass(frozen=True, slots=True)
class Conflict:
    id: str
    case_id: str
    case_title: str
    field: str
    base: Any
    local: Any
    remote: Any
    status: str
    resolution: Any
    resolved_by: str | None
    resolved_at: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        def shown(value: Any) -> Any:
            return None if value is MISSING else value

        return {
            "id": self.id,
            "case_id": self.case_id,
            "case_title": self.case_title,
            "field": self.field,
            "base": shown(self.base),
            "local": shown(self.local),
            "remote": shown(self.remote),
            "status": self.status,
            "resolution": shown(self.resolution),
            "resolved_by": self.resolved_by,
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
        }


@dataclass(frozen=True, slots=True)
class Quarantined:
    op_id: str
    case_id: str
    operation: str
    reason_code: str
    reason: str
    attempts: int
    quarantined_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "op_id": self.op_id,
            "case_id": self.case_id,
            "operation": self.operation,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "attempts": self.attempts,
            "quarantined_at": self.quarantined_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class LaneFile:
    sha256: str
    size: int
    media_type: str
    filename: str
    path: Path
    state: str
    upload_id: str | None
    uploaded_bytes: int
    attempts: int


@dataclass(frozen=True, slots=True)
class SyncCounts:
    pending_ops: int
    pending_cases: int
    quarantined: int
    open_conflicts: int
    pending_attachments: int
    tasks: int


def _stored_value(value: Any) -> str | None:
    """A conflict value as stored: NULL for an absent field, canonical JSON otherwise."""
    return None if value is MISSING else _dumps(value)


def _read_value(raw: str | None) -> Any:
    return MISSING if raw is None else json.loads(raw)


def document_digest(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


# ---------------------------------------------------------------- the store


class SqlSyncStore:
    """All sync state in SQLite (see the module doc)."""

    def __init__(self, engine: Engine, root: Path) -> None:
        self._engine = engine
        self._root = root
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self, commit: bool = False) -> Iterator[Session]:
        with session_scope(self._sessions, self._engine, commit=commit) as session:
            yield session

    @contextmanager
    def _connection(self, commit: bool = False) -> Iterator[Connection]:
        """A Core connection (no ORM unit of work) for the push's hot paths: one transaction,
        rolled back on failure, committed at the end when ``commit`` is set; SQLite failures the
        user can act on become KnownErrors as in :func:`session_scope`."""
        try:
            with self._engine.connect() as conn:
                yield conn
                if commit:
                    conn.commit()
        except Exception as exc:
            known = sqlerrors.translate(exc, Path(self._engine.url.database or "."))
            if known is not None:
                raise known from exc
            raise

    # ------------------------------------------------------------ meta and cursors

    def meta(self, key: str) -> str | None:
        with self._session() as s:
            return s.execute(select(SyncMetaRow.value).where(SyncMetaRow.key == key)).scalar_one_or_none()

    def set_meta(self, key: str, value: str) -> None:
        self.set_metas({key: value})

    def set_metas(self, values: Mapping[str, str]) -> None:
        """Several meta values in one transaction."""
        with self._connection(commit=True) as c:
            for key, value in values.items():
                _set_meta(c, key, value)

    def device_id(self) -> str:
        """This machine's device id (made once, kept in the database)."""
        existing = self.meta("device_id")
        if existing:
            return existing
        made = str(uuid.uuid4())
        self.set_meta("device_id", made)
        return made

    def cursor(self, stream: str) -> str | None:
        with self._session() as s:
            return s.execute(
                select(SyncCursorRow.cursor).where(SyncCursorRow.stream == stream)
            ).scalar_one_or_none()

    def read_to(self, stream: str) -> int | None:
        """See :func:`read_to`: the high water ``stream`` was last read to its end at."""
        with self._session() as s:
            return read_to(s, stream)

    def mark_read(self, stream: str, high_water: int) -> None:
        """See :func:`mark_read` (nothing is written when the mark is already there)."""
        with self._session(commit=True) as s:
            mark_read(s, stream, high_water)

    def reset_cursors(self) -> None:
        with self._session(commit=True) as s:
            s.execute(delete(SyncCursorRow))

    # ------------------------------------------------------------ outbox

    def cases_with_work(self) -> list[str]:
        """Cases with operations to send, in the order their first operation was queued."""
        with self._session() as s:
            rows = s.execute(
                select(SyncOutboxRow.entity_id, func.min(SyncOutboxRow.id).label("first"))
                .where(SyncOutboxRow.entity == CASE, SyncOutboxRow.state != QUARANTINED)
                .group_by(SyncOutboxRow.entity_id)
                .order_by("first")
            ).all()
            return [r[0] for r in rows]

    def ops(self, case_id: str) -> list[OutboxOp]:
        """The case's operations (quarantined ones too): upserts first, then events by seq."""
        return self.ops_of([case_id]).get(case_id, [])

    def ops_of(self, case_ids: Sequence[str]) -> dict[str, list[OutboxOp]]:
        """:meth:`ops` of several cases in one query (cases without operations are left out)."""
        found: dict[str, list[OutboxOp]] = {}
        with self._connection() as c:
            for start in range(0, len(case_ids), 500):
                rows = c.execute(_Q.outbox_of, {"case_ids": list(case_ids[start : start + 500])}).all()
                for r in rows:
                    found.setdefault(r[1], []).append(OutboxOp(*r))
        out: dict[str, list[OutboxOp]] = {}
        for case_id, ops in found.items():
            ups = [o for o in ops if o.operation == UPSERT]
            events = sorted((o for o in ops if o.operation == EVENT), key=lambda o: o.seq or 0)
            out[case_id] = ups + events
        return out

    def fix_upsert(self, op_id: str, body: Mapping[str, Any]) -> str:
        """Store the upsert's arguments (once; its bytes never change after) and mark it sent."""
        text = self.fix_upserts([UpsertFix(op_id, body)])[0]
        assert text is not None  # fixed without condition
        return text

    def fix_upserts(self, fixes: Sequence[UpsertFix]) -> list[str | None]:
        """:meth:`fix_upsert` of several upserts in one transaction, each with the event
        operations to mark sent with it; the stored bodies (canonical JSON), in order, None for
        an upsert not fixed because its case changed since its body was read (``seen``)."""
        texts: list[str | None] = []
        with self._connection(commit=True) as c:
            for fix in fixes:
                if fix.seen is not None:
                    newer = c.execute(_Q.newer_op, {"op_id": fix.op_id, "seen": fix.seen}).first()
                    if newer is not None:
                        texts.append(None)
                        continue
                text = fix.text if fix.text is not None else _dumps(fix.body)
                c.execute(
                    _Q.fix,
                    {
                        "fix_op_id": fix.op_id,
                        "fix_payload": text,
                        "fix_if_match": str(fix.body.get("base_version") or 0),
                        "fix_now": _now(),
                    },
                )
                if fix.send:
                    _mark_sent(c, fix.send)
                texts.append(text)
        return texts

    def mark_sent(self, op_ids: Sequence[str]) -> None:
        with self._connection(commit=True) as c:
            _mark_sent(c, op_ids)

    def reset_pending(self, op_ids: Sequence[str]) -> None:
        """Operations of a batch the server refused as a whole (none of it stored) wait again."""
        with self._session(commit=True) as s:
            s.execute(
                update(SyncOutboxRow)
                .where(SyncOutboxRow.op_id.in_(op_ids), SyncOutboxRow.operation == EVENT)
                .values(state=PENDING)
            )

    def note_failure(self, op_ids: Sequence[str], error: str, next_attempt_at: dt.datetime | None) -> None:
        with self._session(commit=True) as s:
            s.execute(
                update(SyncOutboxRow)
                .where(SyncOutboxRow.op_id.in_(op_ids))
                .values(last_error=error[:2000], next_attempt_at=next_attempt_at)
            )

    def quarantine(self, op_id: str, reason_code: str, reason: str) -> None:
        with self._session(commit=True) as s:
            row = s.execute(select(SyncOutboxRow).where(SyncOutboxRow.op_id == op_id)).scalar_one_or_none()
            if row is None:
                return
            row.state = QUARANTINED
            row.last_error = reason[:2000]
            s.execute(delete(SyncQuarantineRow).where(SyncQuarantineRow.op_id == op_id))
            s.add(
                SyncQuarantineRow(
                    op_id=op_id,
                    case_id=row.entity_id,
                    reason_code=reason_code[:60],
                    reason=reason,
                    attempts=row.attempts,
                    quarantined_at=_now(),
                )
            )

    def quarantined(self) -> list[Quarantined]:
        with self._session() as s:
            rows = s.execute(
                select(SyncQuarantineRow, SyncOutboxRow.operation)
                .join(SyncOutboxRow, SyncOutboxRow.op_id == SyncQuarantineRow.op_id)
                .order_by(SyncQuarantineRow.quarantined_at, SyncQuarantineRow.op_id)
            ).all()
            return [
                Quarantined(q.op_id, q.case_id, op, q.reason_code, q.reason, q.attempts, q.quarantined_at)
                for q, op in rows
            ]

    def retry(self, op_id: str | None = None) -> int:
        """Put quarantined operations (one, or all) back in line; how many."""
        with self._session(commit=True) as s:
            query = select(SyncQuarantineRow.op_id)
            if op_id is not None:
                query = query.where(SyncQuarantineRow.op_id == op_id)
            ids = list(s.execute(query).scalars())
            if not ids:
                return 0
            s.execute(delete(SyncQuarantineRow).where(SyncQuarantineRow.op_id.in_(ids)))
            s.execute(
                update(SyncOutboxRow)
                .where(SyncOutboxRow.op_id.in_(ids))
                .values(
                    # an upsert never sent goes back to waiting; a sent body is kept and re-sent
                    state=func.iif(SyncOutboxRow.sent_at.is_(None), PENDING, INFLIGHT),
                    next_attempt_at=None,
                )
            )
            return len(ids)

    # ------------------------------------------------------------ case documents

    def state(self, case_id: str) -> CaseSyncState:
        with self._connection() as c:
            return _state_core(c, case_id)

    def upsert_source(self, case_id: str) -> UpsertSource:
        """The case's sync state, document and 案号 and its largest outbox id, in one transaction."""
        with self._connection() as c:
            seen = c.execute(_Q.last_op, {"case_id": case_id}).scalar_one_or_none()
            state = _state_core(c, case_id)
            document, number = _document(c, case_id)
        return UpsertSource(state, document, number, int(seen or 0))

    def local_document(self, case_id: str) -> tuple[dict[str, Any], str | None]:
        """The case as a document (docs/SYNC.md) and its local 案号."""
        with self._connection() as c:
            return _document(c, case_id)

    def ack_upsert(self, op_id: str, remote: RemoteCase, *, send: Sequence[str] = ()) -> None:
        """The server stored the upsert: drop the operation, the server's document is the new base.

        ``send``: event operations about to be sent next, marked sent in the same transaction."""
        with self._connection(commit=True) as c:
            if send:
                _mark_sent(c, send)
            _ack_upsert(c, op_id, remote)

    def ack_events(self, case_id: str, op_ids: Sequence[str], head_seq: int, head_hash: str | None) -> None:
        self.record_acks([EventsAck(case_id, op_ids, head_seq, head_hash)])

    def record_acks(self, acks: Sequence[UpsertAck | EventsAck]) -> None:
        """Record several acknowledgements (of upserts and event batches, of one or more cases)
        in one transaction, in their order."""
        if not acks:
            return
        with self._connection(commit=True) as c:
            high = None
            for ack in acks:
                if isinstance(ack, UpsertAck):
                    _ack_upsert(c, ack.op_id, ack.remote, high_water=False)
                    high = max(high or 0, ack.remote.updated_seq)
                else:
                    _ack_events(c, ack)
            if high is not None:
                _raise_high_water(c, high)

    def base_digests(self, case_ids: Sequence[str]) -> dict[str, tuple[int, str | None]]:
        """Each case's server version and the digest of its base (what the server acknowledged)."""
        out: dict[str, tuple[int, str | None]] = {}
        with self._session() as s:
            for start in range(0, len(case_ids), 500):
                rows = s.execute(
                    select(SyncCaseRow.case_id, SyncCaseRow.server_version, SyncCaseRow.base).where(
                        SyncCaseRow.case_id.in_(case_ids[start : start + 500])
                    )
                ).all()
                for case_id, version, base in rows:
                    # the base is stored as canonical JSON: its digest is that of its bytes
                    out[case_id] = (
                        version,
                        hashlib.sha256(base.encode("utf-8")).hexdigest() if base else None,
                    )
        return out

    def server_head(self, case_id: str) -> tuple[int, int, str | None]:
        """The case's server version and the server's record head as known here (no base read)."""
        with self._connection() as c:
            row = c.execute(
                select(
                    SyncCaseRow.server_version, SyncCaseRow.server_head_seq, SyncCaseRow.server_head_hash
                ).where(SyncCaseRow.case_id == case_id)
            ).first()
            return (0, 0, None) if row is None else (row[0], row[1], row[2])

    def local_head_seq(self, case_id: str) -> int:
        with self._connection() as c:
            head = c.execute(
                select(func.max(CaseEventRow.seq)).where(CaseEventRow.case_id == case_id)
            ).scalar_one_or_none()
            return int(head or 0)

    def set_server_head(self, case_id: str, head_seq: int, head_hash: str | None) -> None:
        with self._session(commit=True) as s:
            _ensure_state(s, case_id)
            s.execute(
                update(SyncCaseRow)
                .where(SyncCaseRow.case_id == case_id)
                .values(server_head_seq=head_seq, server_head_hash=head_hash)
            )

    def merge_remote(
        self, remote: RemoteCase, *, replace_op: str | None = None, force: bool = False
    ) -> tuple[FieldConflict, ...]:
        """Three-way merge of this machine's case with the server's, applied here in one transaction.

        Conflicts are recorded; the server's document becomes the base; when the merged document
        differs from the server's, an upsert is queued (``replace_op``, an upsert the server
        answered with a version conflict, is replaced by it). A case this machine does not have
        is simply stored.
        """
        with self._session(commit=True) as s:
            if replace_op is not None:
                s.execute(delete(SyncOutboxRow).where(SyncOutboxRow.op_id == replace_op))
            return self._merge_in(s, remote, force=force or replace_op is not None)

    def apply_pulled(
        self, stream: str, cases: Iterable[RemoteCase], next_cursor: str
    ) -> tuple[int, list[FieldConflict]]:
        """Apply a page of the changes feed and store its cursor, in one transaction.

        Returns how many cases changed here (versions this machine already has are skipped:
        an older version never overwrites a newer one) and the conflicts found.
        """
        out: list[FieldConflict] = []
        applied = 0
        cases = list(cases)
        with self._session(commit=True) as s:
            known: dict[str, int] = {}
            ids = [remote.case_id for remote in cases]
            for start in range(0, len(ids), 500):
                rows = s.connection().execute(
                    select(SyncCaseRow.case_id, SyncCaseRow.server_version).where(
                        SyncCaseRow.case_id.in_(ids[start : start + 500])
                    )
                )
                known.update((case_id, version) for case_id, version in rows)
            high = 0
            for remote in cases:
                if remote.version <= known.get(remote.case_id, 0):
                    high = max(high, remote.updated_seq)  # all _merge_in would do with it
                    continue
                applied += 1
                out += self._merge_in(s, remote)
                s.flush()
                known[remote.case_id] = _state(s, remote.case_id).server_version
            if high:
                _raise_high_water(s, high)
            set_cursor(s, stream, next_cursor)
        return applied, out

    def _merge_in(self, s: Session, remote: RemoteCase, *, force: bool = False) -> tuple[FieldConflict, ...]:
        state = _state(s, remote.case_id)
        if remote.version <= state.server_version and not force:
            _raise_high_water(s, remote.updated_seq)
            return ()
        row = s.get(CaseRow, remote.case_id)
        if row is None:
            _apply_document(s, remote.case_id, dict(remote.document), remote.case_number)
            _save_state(s, remote)
            _raise_high_water(s, remote.updated_seq)
            return ()
        if row.is_training:
            return ()
        local_doc, _ = _document(s, remote.case_id)
        remote_doc = dict(remote.document)
        result = merge(state.base, local_doc, remote_doc)
        if not same(result.document, local_doc):
            _apply_document(s, remote.case_id, result.document, remote.case_number)
        _apply_server_owned(s, remote)
        for conflict in result.conflicts:
            _record_conflict(s, remote.case_id, conflict)
        _save_state(s, remote)
        _raise_high_water(s, remote.updated_seq)
        if not same(result.document, remote_doc):
            _queue_upsert(s, remote.case_id)
        return result.conflicts

    def requeue_upsert(self, case_id: str, *, reset_version: bool = False) -> None:
        """Queue a fresh upsert (after the server lost the case or the operation was superseded)."""
        with self._session(commit=True) as s:
            if reset_version:
                _ensure_state(s, case_id)
                s.execute(
                    update(SyncCaseRow)
                    .where(SyncCaseRow.case_id == case_id)
                    .values(server_version=0, server_head_seq=0, server_head_hash=None)
                )
            s.execute(
                delete(SyncOutboxRow).where(
                    SyncOutboxRow.entity_id == case_id,
                    SyncOutboxRow.operation == UPSERT,
                    SyncOutboxRow.state != QUARANTINED,
                )
            )
            _queue_upsert(s, case_id)

    def drop_op(self, op_id: str) -> None:
        with self._session(commit=True) as s:
            s.execute(delete(SyncOutboxRow).where(SyncOutboxRow.op_id == op_id))

    # ------------------------------------------------------------ events

    def local_events(self, case_id: str, after_seq: int = 0) -> list[CaseEvent]:
        from workstation.persistence.case_events import SqlCaseEventStore

        return [e for e in SqlCaseEventStore(self._engine).events(case_id) if e.seq > after_seq]

    def requeue_events(self, case_id: str, after_seq: int) -> int:
        """Queue again this machine's events after ``after_seq`` not already waiting."""
        events = self.local_events(case_id, after_seq)
        with self._session(commit=True) as s:
            waiting = set(
                s.execute(
                    select(SyncOutboxRow.ref_id).where(
                        SyncOutboxRow.entity_id == case_id, SyncOutboxRow.operation == EVENT
                    )
                ).scalars()
            )
            added = 0
            for event in events:
                if event.event_id in waiting:
                    continue
                s.execute(
                    insert(SyncOutboxRow).values(
                        op_id=str(uuid.uuid4()),
                        entity=CASE,
                        entity_id=case_id,
                        operation=EVENT,
                        ref_id=event.event_id,
                        seq=event.seq,
                        payload=event_body(event),
                        state=PENDING,
                        created_at=_now(),
                    )
                )
                added += 1
            return added

    def rebase(self, case_id: str, op_ids: Sequence[str], bodies: Sequence[str]) -> list[str]:
        """Replace event operations by new ones carrying rebased copies (new op ids); their ids."""
        new_ids: list[str] = []
        with self._session(commit=True) as s:
            for op_id, body in zip(op_ids, bodies, strict=True):
                row = s.execute(select(SyncOutboxRow).where(SyncOutboxRow.op_id == op_id)).scalar_one()
                copy = json.loads(body)
                new_id = str(uuid.uuid4())
                s.execute(delete(SyncOutboxRow).where(SyncOutboxRow.op_id == op_id))
                s.execute(
                    insert(SyncOutboxRow).values(
                        op_id=new_id,
                        entity=CASE,
                        entity_id=case_id,
                        operation=EVENT,
                        ref_id=row.ref_id,
                        seq=copy["seq"],
                        payload=body,
                        state=PENDING,
                        attempts=row.attempts,
                        created_at=row.created_at,
                    )
                )
                new_ids.append(new_id)
        return new_ids

    def apply_remote_events(self, case_id: str, events: Sequence[CaseEvent]) -> int:
        """Append server events that continue this machine's record; keep the others aside.

        Appended events are not queued (they came from the server). Returns how many were
        appended to the local record.
        """
        from workstation.persistence.case_events import SqlCaseEventStore

        store = SqlCaseEventStore(self._engine)
        appended = 0
        with self._session(commit=True) as s:
            head = store.head(case_id, within=s)
            known = set(
                s.execute(select(CaseEventRow.event_id).where(CaseEventRow.case_id == case_id)).scalars()
            )
            for event in sorted(events, key=lambda e: e.seq):
                if event.event_id in known:
                    continue
                follows = (head is None and event.seq == 1) or (
                    head is not None and event.seq == head.seq + 1 and event.prev_hash == head.hash
                )
                if follows and has_valid_hash(event):
                    store.append(s, event, enqueue=False)
                    head = event
                    appended += 1
                elif s.get(SyncRemoteEventRow, event.event_id) is None:
                    s.add(
                        SyncRemoteEventRow(
                            event_id=event.event_id,
                            case_id=case_id,
                            seq=event.seq,
                            body=event_body(event),
                            received_at=_now(),
                        )
                    )
        return appended

    # ------------------------------------------------------------ conflicts

    def conflicts(self, *, open_only: bool = True) -> list[Conflict]:
        with self._session() as s:
            query = (
                select(SyncConflictRow, CaseRow.title)
                .outerjoin(CaseRow, CaseRow.id == SyncConflictRow.case_id)
                .order_by(SyncConflictRow.created_at, SyncConflictRow.id)
            )
            if open_only:
                query = query.where(SyncConflictRow.status == "open")
            return [_conflict(row, title) for row, title in s.execute(query).all()]

    def conflict(self, conflict_id: str) -> Conflict | None:
        with self._session() as s:
            found = s.execute(
                select(SyncConflictRow, CaseRow.title)
                .outerjoin(CaseRow, CaseRow.id == SyncConflictRow.case_id)
                .where(or_(SyncConflictRow.id == conflict_id, SyncConflictRow.id.startswith(conflict_id)))
            ).all()
            return _conflict(*found[0]) if len(found) == 1 else None

    def resolve(
        self,
        conflict_id: str,
        value: Any,
        *,
        resolved_by: str,
        actor_id: str | None,
        now: dt.datetime,
    ) -> CaseEvent:
        """Set the field to ``value`` here, record the decision in the 全过程记录 and close the
        conflict, in one transaction (the change then syncs like any other)."""
        from workstation.persistence.case_events import SqlCaseEventStore

        with self._session(commit=True) as s:
            row = s.get(SyncConflictRow, conflict_id)
            if row is None or row.status != "open":
                raise LookupError(conflict_id)
            document, case_number = _document(s, row.case_id)
            before = get_path(document, row.field)
            changed = set_path(document, row.field, value)
            _apply_document(s, row.case_id, changed, case_number)
            event = SqlCaseEventStore(self._engine).record(
                s,
                case_id=row.case_id,
                actor_id=actor_id,
                actor_role="officer",
                action="resolve_sync_conflict",
                occurred_at=now,
                changes=[
                    FieldChange(
                        row.field,
                        None if before is MISSING else before,
                        None if value is MISSING else value,
                    )
                ],
                payload={
                    "conflict_id": row.id,
                    "local": _read_value(row.local) if row.local is not None else None,
                    "remote": _read_value(row.remote) if row.remote is not None else None,
                    "resolved_by": resolved_by,
                },
            )
            row.status = "resolved"
            row.resolution = _stored_value(value)
            row.resolved_by = resolved_by[:100]
            row.resolved_at = now.astimezone(dt.UTC).replace(tzinfo=None)
            return event

    # ------------------------------------------------------------ tasks

    def apply_tasks(self, stream: str, tasks: Iterable[Mapping[str, Any]], next_cursor: str) -> int:
        count = 0
        with self._session(commit=True) as s:
            for task in tasks:
                row = s.get(SyncTaskRow, task["id"])
                if row is not None and row.version >= int(task["version"]):
                    continue
                values = {
                    "kind": str(task["kind"])[:20],
                    "title": str(task["title"])[:300],
                    "status": str(task["status"])[:20],
                    "deadline": task.get("deadline"),
                    "case_id": task.get("case_id"),
                    "payload": _dumps(task),
                    "version": int(task["version"]),
                    "updated_seq": int(task["updated_seq"]),
                    "received_at": _now(),
                }
                if row is None:
                    s.add(SyncTaskRow(id=str(task["id"]), **values))
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
                _raise_high_water(s, int(task["updated_seq"]))
                count += 1
            set_cursor(s, stream, next_cursor)
        return count

    def tasks(self) -> list[dict[str, Any]]:
        with self._session() as s:
            rows = s.execute(select(SyncTaskRow.payload).order_by(SyncTaskRow.updated_seq)).scalars()
            return [json.loads(r) for r in rows]

    # ------------------------------------------------------------ attachment lane

    def scan_attachments(self) -> int:
        """Put into the lane every stored file a synced case refers to that is not there yet.

        It starts from the files not uploaded yet (the partial index
        ``ix_attachments_not_uploaded``, 0012_sync_marks), so a sync with nothing new reads
        none of the files already on the server."""
        with self._session(commit=True) as s:
            in_evidence = (
                select(EvidenceRow.id)
                .join(CaseRow, CaseRow.id == EvidenceRow.case_id)
                .where(EvidenceRow.attachment_id == AttachmentRow.id, CaseRow.is_training.is_(False))
                .exists()
            )
            signed = (
                select(SignatureRow.id)
                .join(CaseRow, CaseRow.id == SignatureRow.case_id)
                .where(
                    or_(
                        SignatureRow.attachment_id == AttachmentRow.id,
                        SignatureRow.evidence_attachment_id == AttachmentRow.id,
                    ),
                    CaseRow.is_training.is_(False),
                )
                .exists()
            )
            queued = select(SyncAttachmentRow.sha256).where(SyncAttachmentRow.sha256 == AttachmentRow.sha256)
            rows = s.execute(
                select(AttachmentRow).where(
                    sql_text("attachments.uploaded = 0"),  # the very term of the partial index
                    ~queued.exists(),
                    or_(in_evidence, signed),
                )
            ).scalars()
            added = 0
            for row in rows:
                s.add(
                    SyncAttachmentRow(
                        sha256=row.sha256,
                        size=row.size,
                        media_type=row.media_type,
                        filename=row.original_name,
                        state=PENDING,
                        updated_at=_now(),
                    )
                )
                added += 1
            return added

    def lane(self) -> list[LaneFile]:
        with self._session() as s:
            rows = s.execute(
                select(SyncAttachmentRow, AttachmentRow.stored_path)
                .join(AttachmentRow, AttachmentRow.sha256 == SyncAttachmentRow.sha256)
                .where(sql_text("sync_attachments.state != 'done'"))  # the partial index's term
                .order_by(SyncAttachmentRow.updated_at, SyncAttachmentRow.sha256)
            ).all()
            return [
                LaneFile(
                    r.sha256,
                    r.size,
                    r.media_type,
                    r.filename,
                    self._root / path,
                    r.state,
                    r.upload_id,
                    r.uploaded_bytes,
                    r.attempts,
                )
                for r, path in rows
            ]

    def lane_progress(self, sha256: str, upload_id: str | None, uploaded_bytes: int) -> None:
        with self._session(commit=True) as s:
            s.execute(
                update(SyncAttachmentRow)
                .where(SyncAttachmentRow.sha256 == sha256)
                .values(upload_id=upload_id, uploaded_bytes=uploaded_bytes, state=INFLIGHT, updated_at=_now())
            )

    def lane_done(self, sha256: str) -> None:
        with self._session(commit=True) as s:
            s.execute(
                update(SyncAttachmentRow)
                .where(SyncAttachmentRow.sha256 == sha256)
                .values(state="done", last_error=None, updated_at=_now())
            )
            s.execute(update(AttachmentRow).where(AttachmentRow.sha256 == sha256).values(uploaded=True))

    def lane_failed(
        self, sha256: str, error: str, *, quarantine: bool, next_attempt_at: dt.datetime | None
    ) -> None:
        with self._session(commit=True) as s:
            s.execute(
                update(SyncAttachmentRow)
                .where(SyncAttachmentRow.sha256 == sha256)
                .values(
                    state=QUARANTINED if quarantine else PENDING,
                    attempts=SyncAttachmentRow.attempts + 1,
                    last_error=error[:2000],
                    next_attempt_at=next_attempt_at,
                    updated_at=_now(),
                )
            )

    def lane_restart(self) -> None:
        """After a server restore: every file goes through the lane again."""
        with self._session(commit=True) as s:
            s.execute(
                update(SyncAttachmentRow).values(
                    state=PENDING, upload_id=None, uploaded_bytes=0, updated_at=_now()
                )
            )
            s.execute(update(AttachmentRow).values(uploaded=False))

    # ------------------------------------------------------------ server restore, status

    def synced_cases(self) -> list[str]:
        with self._session() as s:
            return list(s.execute(select(SyncCaseRow.case_id).order_by(SyncCaseRow.case_id)).scalars())

    def high_water(self) -> int:
        raw = self.meta("high_water")
        return int(raw) if raw else 0

    def counts(self) -> SyncCounts:
        with self._session() as s:
            live = and_(SyncOutboxRow.entity == CASE, SyncOutboxRow.state != QUARANTINED)
            pending = s.execute(select(func.count()).select_from(SyncOutboxRow).where(live)).scalar_one()
            cases = s.execute(
                select(func.count(func.distinct(SyncOutboxRow.entity_id))).where(live)
            ).scalar_one()
            quarantined = s.execute(select(func.count()).select_from(SyncQuarantineRow)).scalar_one()
            conflicts = s.execute(
                select(func.count()).select_from(SyncConflictRow).where(SyncConflictRow.status == "open")
            ).scalar_one()
            files = s.execute(
                select(func.count()).select_from(SyncAttachmentRow).where(SyncAttachmentRow.state != "done")
            ).scalar_one()
            tasks = s.execute(select(func.count()).select_from(SyncTaskRow)).scalar_one()
            return SyncCounts(pending, cases, quarantined, conflicts, files, tasks)


# ---------------------------------------------------------------- helpers (in a session)


def _mark_sent(s: Session | Connection, op_ids: Sequence[str]) -> None:
    s.execute(_Q.mark_sent, {"op_ids": list(op_ids), "mark_now": _now()})


def _set_meta(s: Session | Connection, key: str, value: str) -> None:
    """Core statements only (no ORM object of the meta table is ever loaded)."""
    params = {"mt_key": key, "mt_value": value}
    done = s.execute(_Q.update_meta, params)
    if done.rowcount == 0:  # type: ignore[attr-defined]
        s.execute(_Q.insert_meta, params)


def _raise_high_water(s: Session | Connection, seq: int) -> None:
    """Remember the largest ``updated_seq`` the server acknowledged or sent (never lowered)."""
    current = s.execute(_Q.meta, {"key": "high_water"}).scalar_one_or_none()
    if current is None or int(current) < seq:
        _set_meta(s, "high_water", str(seq))


def set_cursor(s: Session, stream: str, cursor: str) -> None:
    """Move ``stream``'s cursor in the caller's transaction; a new cursor clears its read mark."""
    row = s.get(SyncCursorRow, stream)
    if row is None:
        s.add(SyncCursorRow(stream=stream, cursor=cursor, updated_at=_now()))
    elif row.cursor == cursor:
        return  # an empty page: nothing to write (a no-op sync writes nothing)
    else:
        row.cursor = cursor
        row.read_to = None
        row.updated_at = _now()
    s.flush()


def read_to(s: Session, stream: str) -> int | None:
    """The server's ``high_water`` when ``stream`` was last read to its end, since its cursor
    last moved (None: not read to its end since)."""
    return s.execute(select(SyncCursorRow.read_to).where(SyncCursorRow.stream == stream)).scalar_one_or_none()


def mark_read(s: Session, stream: str, high_water: int) -> None:
    """``stream`` was read to its end after a handshake that said ``high_water``."""
    s.execute(
        update(SyncCursorRow)
        .where(SyncCursorRow.stream == stream, SyncCursorRow.read_to.is_distinct_from(high_water))
        .values(read_to=high_water)
    )


def _ensure_state(s: Session, case_id: str) -> SyncCaseRow:
    row = s.get(SyncCaseRow, case_id)
    if row is None:
        row = SyncCaseRow(
            case_id=case_id,
            server_version=0,
            review_status="none",
            locked=False,
            updated_seq=0,
            server_head_seq=0,
        )
        s.add(row)
        s.flush()
    return row


def _state(s: Session, case_id: str) -> CaseSyncState:
    row = s.get(SyncCaseRow, case_id)
    if row is None:
        return CaseSyncState(case_id, 0, None, None, "none", False, 0, None)
    return CaseSyncState(
        case_id,
        row.server_version,
        json.loads(row.base) if row.base else None,
        row.case_number,
        row.review_status,
        bool(row.locked),
        row.server_head_seq,
        row.server_head_hash,
    )


def _save_state(s: Session, remote: RemoteCase) -> None:
    row = _ensure_state(s, remote.case_id)
    row.server_version = remote.version
    row.base = _dumps(dict(remote.document))
    row.case_number = remote.case_number
    row.review_status = remote.review_status
    row.locked = remote.locked
    row.updated_seq = max(row.updated_seq, remote.updated_seq)
    row.synced_at = _now()
    s.flush()


def _ack_upsert(c: Connection, op_id: str, remote: RemoteCase, *, high_water: bool = True) -> None:
    """Drop the acknowledged upsert; the server's document is the new base (unless this
    machine knows a newer version); ``high_water``: raise it too (else the caller does)."""
    c.execute(_Q.drop_op, {"op_id": op_id})
    known = c.execute(_Q.known, {"case_id": remote.case_id}).first()
    if remote.version >= (known[0] if known else 0):  # a replay may be older than what we know
        _save_state_core(c, remote, None if known is None else known[1])
        _apply_server_owned_core(c, remote)
    if high_water:
        _raise_high_water(c, remote.updated_seq)


def _ack_events(c: Connection, ack: EventsAck) -> None:
    c.execute(_Q.drop_ops, {"op_ids": list(ack.op_ids)})
    values = {"hd_case_id": ack.case_id, "hd_seq": ack.head_seq, "hd_hash": ack.head_hash, "hd_now": _now()}
    if c.execute(_Q.update_head, values).rowcount == 0:
        c.execute(_Q.insert_head, values)


def _state_core(c: Connection, case_id: str) -> CaseSyncState:
    """:func:`_state` in a Core statement."""
    row = c.execute(_Q.state, {"case_id": case_id}).first()
    if row is None:
        return CaseSyncState(case_id, 0, None, None, "none", False, 0, None)
    version, base, number, review, locked, head_seq, head_hash = row
    return CaseSyncState(
        case_id,
        version,
        json.loads(base) if base else None,
        number,
        review,
        bool(locked),
        head_seq,
        head_hash,
    )


def _save_state_core(c: Connection, remote: RemoteCase, updated_seq: int | None) -> None:
    """:func:`_save_state` in Core statements; ``updated_seq``: the row's, None when it has none."""
    values: dict[str, Any] = {
        "st_case_id": remote.case_id,
        "st_version": remote.version,
        "st_base": _dumps(dict(remote.document)),
        "st_number": remote.case_number,
        "st_review": remote.review_status,
        "st_locked": remote.locked,
        "st_updated_seq": max(updated_seq or 0, remote.updated_seq),
        "st_now": _now(),
    }
    c.execute(_Q.insert_state if updated_seq is None else _Q.update_state, values)


def _apply_server_owned_core(c: Connection, remote: RemoteCase) -> None:
    """:func:`_apply_server_owned` in Core statements."""
    if not remote.case_number:
        return
    row = c.execute(_Q.case_number, {"case_id": remote.case_id}).first()
    if row is not None and row[0] != remote.case_number:
        c.execute(
            _Q.set_case_number,
            {
                "cn_case_id": remote.case_id,
                "cn_number": remote.case_number,
                "cn_search": search_text(remote.case_number, row[1], row[2]),
            },
        )


def _apply_server_owned(s: Session, remote: RemoteCase) -> None:
    """The 案号 the server recorded replaces this machine's (it owns it once recorded)."""
    if not remote.case_number:
        return
    row = s.get(CaseRow, remote.case_id)
    if row is not None and row.case_number != remote.case_number:
        s.execute(
            update(CaseRow)
            .where(CaseRow.id == remote.case_id)
            .values(
                case_number=remote.case_number,
                search_text=search_text(remote.case_number, row.title, row.party_names),
                row_version=CaseRow.row_version + 1,
            )
            .execution_options(synchronize_session=False)
        )


def _queue_upsert(s: Session, case_id: str) -> None:
    waiting = s.execute(
        select(SyncOutboxRow.id).where(
            SyncOutboxRow.entity_id == case_id,
            SyncOutboxRow.operation == UPSERT,
            SyncOutboxRow.state == PENDING,
        )
    ).first()
    if waiting is None:
        s.execute(
            insert(SyncOutboxRow).values(
                op_id=str(uuid.uuid4()),
                entity=CASE,
                entity_id=case_id,
                operation=UPSERT,
                payload="",
                state=PENDING,
                created_at=_now(),
            )
        )


def _record_conflict(s: Session, case_id: str, conflict: FieldConflict) -> None:
    row = s.execute(
        select(SyncConflictRow).where(
            SyncConflictRow.case_id == case_id,
            SyncConflictRow.field == conflict.field,
            SyncConflictRow.status == "open",
        )
    ).scalar_one_or_none()
    if row is None:
        s.add(
            SyncConflictRow(
                id=str(uuid.uuid4()),
                case_id=case_id,
                field=conflict.field[:200],
                base=_stored_value(conflict.base),
                local=_stored_value(conflict.local),
                remote=_stored_value(conflict.remote),
                status="open",
                created_at=_now(),
            )
        )
    else:
        row.local = _stored_value(conflict.local)
        row.remote = _stored_value(conflict.remote)
    s.flush()


def _conflict(row: SyncConflictRow, title: str | None) -> Conflict:
    return Conflict(
        id=row.id,
        case_id=row.case_id,
        case_title=title or "",
        field=row.field,
        base=_read_value(row.base),
        local=_read_value(row.local),
        remote=_read_value(row.remote),
        status=row.status,
        resolution=_read_value(row.resolution) if row.status == "resolved" else MISSING,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
    )


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _document(within: Session | Connection, case_id: str) -> tuple[dict[str, Any], str | None]:
    """The case's document: its fields, the snapshots a receiving machine needs, its evidence.

    Read with Core statements (what the database holds now; a session's pending changes are
    flushed first)."""
    if isinstance(within, Session):
        within.flush()
        c = within.connection()
    else:
        c = within
    row = c.execute(_Q.document_case, {"case_id": case_id}).first()
    if row is None:
        raise LookupError(case_id)
    party_ids: list[str] = []
    parties: dict[str, Any] = {}
    for p in c.execute(_Q.document_parties, {"case_id": case_id}):
        party_ids.append(p.party_id)
        if p.id is not None:
            parties[p.id] = {
                "id": p.id,
                "kind": p.kind,
                "name": p.name,
                "id_number": p.id_number,
                "credit_code": p.credit_code,
                "legal_representative": p.legal_representative,
                "address": p.address,
            }
    officer_rows = c.execute(_Q.document_officer_ids, {"case_id": case_id}).scalars()
    others = sorted(o for o in officer_rows if o != row.lead_officer_id)
    officer_ids = ([row.lead_officer_id] if row.lead_officer_id else []) + others
    item_code = row.item_code if row.item_id is not None else None
    officers = {
        o.id: {
            "id": o.id,
            "agency_id": o.agency_id,
            "name": o.name,
            "certificate_no": o.certificate_no,
            "certificate_valid_from": _iso(o.certificate_valid_from),
            "certificate_valid_until": _iso(o.certificate_valid_until),
            "roles": o.roles,
        }
        for o in c.execute(_Q.document_officers, {"officer_ids": officer_ids})
    }
    evidence: dict[str, Any] = {}
    for ev in c.execute(_Q.document_evidence, {"case_id": case_id}):
        found = ev.attachment is not None
        evidence[ev.id] = {
            "id": ev.id,
            "kind": ev.kind,
            "title": ev.title,
            "description": ev.description,
            "collected_at": _iso(ev.collected_at),
            "collected_by": ev.collected_by,
            "sha256": ev.sha256 if found else None,
            "size": ev.size if found else None,
            "media_type": ev.media_type if found else None,
            "filename": ev.original_name if found else None,
        }
    document: dict[str, Any] = {
        "agency": None
        if row.agency is None
        else {
            "id": row.agency,
            "code": row.agency_code,
            "name": row.agency_name,
            "region_code": row.agency_region,
        },
        "kind": row.kind,
        "title": row.title,
        "source": row.source,
        "stage": row.stage,
        "status": row.status,
        "opened_on": _iso(row.opened_on),
        "closed_on": _iso(row.closed_on),
        "item_code": item_code,
        "party_ids": party_ids,
        "officer_ids": officer_ids,
        "data": json.loads(row.data or "{}"),
        "parties": parties,
        "officers": officers,
        "evidence": evidence,
    }
    return to_json(document), row.case_number


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def _apply_document(s: Session, case_id: str, doc: Mapping[str, Any], case_number: str | None) -> None:
    """Write a document into the case tables (inserting the case and what it refers to if new)."""
    agency = doc.get("agency") or {}
    agency_id = str(agency.get("id") or "")
    if agency_id and s.get(AgencyRow, agency_id) is None:
        same_code = s.execute(
            select(AgencyRow.id).where(AgencyRow.code == agency.get("code"))
        ).scalar_one_or_none()
        if same_code is not None:
            agency_id = same_code
        else:
            s.add(
                AgencyRow(
                    id=agency_id,
                    code=str(agency.get("code") or agency_id)[:32],
                    name=str(agency.get("name") or "")[:200],
                    region_code=str(agency.get("region_code") or "")[:12],
                )
            )
    for officer in (doc.get("officers") or {}).values():
        complete = officer.get("certificate_valid_from") and officer.get("certificate_valid_until")
        if (
            complete
            and s.get(OfficerRow, officer["id"]) is None
            and s.get(AgencyRow, officer.get("agency_id")) is not None
        ):
            taken = s.execute(
                select(OfficerRow.id).where(OfficerRow.certificate_no == officer.get("certificate_no"))
            ).first()
            if taken is None:
                s.add(
                    OfficerRow(
                        id=officer["id"],
                        agency_id=officer["agency_id"],
                        name=officer["name"],
                        certificate_no=officer["certificate_no"],
                        certificate_valid_from=_date(officer.get("certificate_valid_from")),
                        certificate_valid_until=_date(officer.get("certificate_valid_until")),
                        roles=officer.get("roles") or "officer",
                    )
                )
    for party in (doc.get("parties") or {}).values():
        if s.get(PartyRow, party["id"]) is None:
            clash = s.execute(
                select(PartyRow.id).where(
                    or_(
                        and_(PartyRow.id_number.is_not(None), PartyRow.id_number == party.get("id_number")),
                        and_(
                            PartyRow.credit_code.is_not(None),
                            PartyRow.credit_code == party.get("credit_code"),
                        ),
                    )
                )
            ).first()
            if clash is None:
                s.add(
                    PartyRow(
                        id=party["id"],
                        kind=party["kind"],
                        name=party["name"],
                        id_number=party.get("id_number"),
                        credit_code=party.get("credit_code"),
                        legal_representative=party.get("legal_representative"),
                        address=party.get("address"),
                    )
                )
    s.flush()
    party_ids = [p for p in doc.get("party_ids") or [] if s.get(PartyRow, p) is not None]
    officer_ids = [o for o in doc.get("officer_ids") or [] if s.get(OfficerRow, o) is not None]
    item_id = None
    if doc.get("item_code"):
        item_id = s.execute(
            select(EnforcementItemRow.id).where(EnforcementItemRow.code == doc["item_code"])
        ).scalar_one_or_none()
    names = list(s.execute(select(PartyRow.name).where(PartyRow.id.in_(party_ids))).scalars())
    party_names = "、".join(names)[:400]
    lead = s.get(OfficerRow, officer_ids[0]) if officer_ids else None
    title = str(doc.get("title") or "")
    if case_number:
        # 案号 are issued per machine: another device may have issued the number this machine
        # already gave one of its own cases. The pulled case is kept without a local number
        # (the server's stays in its sync state) rather than stopping the sync on the clash.
        holder = s.execute(
            select(CaseRow.id).where(
                CaseRow.agency_id == agency_id, CaseRow.case_number == case_number, CaseRow.id != case_id
            )
        ).scalar_one_or_none()
        if holder is not None:
            log.warning(
                "case %s pulled without its number %s: case %s holds it here", case_id, case_number, holder
            )
            case_number = None
    values: dict[str, Any] = {
        "kind": str(doc.get("kind") or "ordinary"),
        "title": title,
        "source": str(doc.get("source") or "other"),
        "stage": str(doc.get("stage") or ""),
        "status": str(doc.get("status") or "open"),
        "opened_on": _date(doc.get("opened_on")) or dt.date.today(),
        "closed_on": _date(doc.get("closed_on")),
        "item_id": item_id,
        "lead_officer_id": lead.id if lead else None,
        "data": json.dumps(doc.get("data") or {}, ensure_ascii=False, sort_keys=True),
        "party_names": party_names,
        "lead_officer_name": lead.name if lead else "",
        "search_text": search_text(case_number, title, party_names),
        "case_number": case_number,
    }
    row = s.get(CaseRow, case_id)
    if row is None:
        s.add(CaseRow(id=case_id, agency_id=agency_id, is_training=False, row_version=1, **values))
    else:
        s.execute(
            update(CaseRow)
            .where(CaseRow.id == case_id)
            .values(row_version=CaseRow.row_version + 1, updated_at=_now(), **values)
            .execution_options(synchronize_session=False)
        )
    s.flush()
    s.execute(delete(CasePartyRow).where(CasePartyRow.case_id == case_id))
    s.execute(delete(CaseOfficerRow).where(CaseOfficerRow.case_id == case_id))
    for party_id in party_ids:
        s.add(CasePartyRow(case_id=case_id, party_id=party_id, role="party"))
    for i, officer_id in enumerate(officer_ids):
        s.add(CaseOfficerRow(case_id=case_id, officer_id=officer_id, role="lead" if i == 0 else "assist"))
    for item in (doc.get("evidence") or {}).values():
        if s.get(EvidenceRow, item["id"]) is not None:
            continue
        attachment_id = None
        if item.get("sha256"):
            attachment_id = s.execute(
                select(AttachmentRow.id).where(AttachmentRow.sha256 == item["sha256"])
            ).scalar_one_or_none()
            if attachment_id is None:
                continue  # the file is not here yet: the evidence row follows it
        s.add(pulled_evidence_row(s, case_id, item, attachment_id))
    s.flush()


def pulled_evidence_row(
    s: Session, case_id: str, item: Mapping[str, Any], attachment_id: str | None
) -> EvidenceRow:
    """The evidence row of an item of a pulled case document (its file stored as
    ``attachment_id``); a collector unknown here is left out."""
    collected_by = item.get("collected_by")
    return EvidenceRow(
        id=item["id"],
        case_id=case_id,
        kind=item.get("kind") or "other",
        title=item.get("title") or "",
        description=item.get("description") or "",
        collected_at=dt.datetime.fromisoformat(item["collected_at"]) if item.get("collected_at") else None,
        collected_by=collected_by if collected_by and s.get(OfficerRow, collected_by) else None,
        attachment_id=attachment_id,
    )
