"""The 全过程记录 in SQLite: :class:`CaseEvent` rows of the append-only ``case_events`` table.

An event is written in the caller's transaction (a Session or a Connection), so a change
to a case and the event recording it commit together or not at all. The ``payload``
column holds :func:`canonical_json` of ``{"changes": [...], "payload": {...}}`` and
``occurred_at`` holds the instant in UTC (without offset); the hash is computed over the
UTC instant, so the event reads back exactly as it was hashed.

Rows are read defensively: a row someone edited so that it no longer parses still becomes
an event (with an unreadable marker in its payload, or the earliest possible time), whose
hash then fails in :func:`verify` instead of crashing the check.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, String, insert, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workstation.domain.record import (
    Anchor,
    CaseEvent,
    ConcurrentEdit,
    FieldChange,
    VerifyReport,
    append,
    canonical_json,
    genesis_hash,
    has_valid_hash,
    verify,
)
from workstation.persistence.models import CaseEventRow
from workstation.persistence.sync_store import enqueue_event

#: What a caller's transaction may be: an ORM session or a Core connection.
Executor = Session | Connection

#: Payload key of an event whose stored payload could not be read back as written.
UNREADABLE = "<unreadable>"

_T = CaseEventRow
_COLUMNS = (
    _T.event_id,
    _T.case_id,
    _T.seq,
    type_coerce(_T.occurred_at, String).label("occurred_at"),  # raw text, parsed defensively
    _T.actor_id,
    _T.actor_role,
    _T.action,
    _T.payload,
    _T.prev_hash,
    _T.hash,
)


def _stored_payload(event: CaseEvent) -> str:
    changes = [{"field": c.field, "old": c.old, "new": c.new} for c in event.changes]
    return canonical_json({"changes": changes, "payload": event.payload}).decode("utf-8")


def _stored_time(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _read_payload(raw: object) -> tuple[tuple[FieldChange, ...], dict[str, Any]]:
    """Changes and payload of a stored row; an unreadable marker unless stored canonically."""
    unreadable: tuple[tuple[FieldChange, ...], dict[str, Any]] = ((), {UNREADABLE: str(raw)})
    if not isinstance(raw, str):
        return unreadable
    try:
        data = json.loads(raw)
        if canonical_json(data).decode("utf-8") != raw:
            return unreadable
    except (ValueError, TypeError, RecursionError):
        return unreadable
    if not isinstance(data, dict) or set(data) != {"changes", "payload"}:
        return unreadable
    changes, payload = data["changes"], data["payload"]
    if not isinstance(changes, list) or not isinstance(payload, dict):
        return unreadable
    out: list[FieldChange] = []
    for change in changes:
        if not isinstance(change, dict) or set(change) != {"field", "old", "new"}:
            return unreadable
        out.append(FieldChange(change["field"], change["old"], change["new"]))
    return tuple(out), payload


def _read_time(raw: object) -> dt.datetime:
    """The stored UTC instant; the earliest time when the column no longer holds one."""
    try:
        value = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _event(row: RowMapping) -> CaseEvent:
    changes, payload = _read_payload(row["payload"])
    return CaseEvent(
        event_id=row["event_id"],
        case_id=row["case_id"],
        seq=row["seq"],
        occurred_at=_read_time(row["occurred_at"]),
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        action=row["action"],
        changes=changes,
        payload=payload,
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _is_seq_conflict(exc: IntegrityError) -> bool:
    """True when the unique (case_id, seq) constraint refused the row."""
    orig = exc.orig
    return isinstance(orig, sqlite3.IntegrityError) and "case_events.seq" in str(orig)


class SqlCaseEventStore:
    """Append-only storage of each case's events, with verification."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------------ writing

    def append(self, within: Executor, event: CaseEvent, *, enqueue: bool = True) -> None:
        """Write ``event`` in the caller's transaction; nothing is committed here.

        With ``enqueue`` (the default) the event and its case's upsert are queued for the
        central server in the same transaction (persistence/sync_store.py); events that came
        from the server are appended with ``enqueue=False``.

        Raises :class:`ConcurrentEdit` when another event already holds ``event.seq`` (another
        operation appended first: refresh and retry), and ValueError for an event whose hash
        is wrong or that does not follow the stored event before it (a programming error).
        """
        if not has_valid_hash(event):
            raise ValueError(f"event {event.event_id} does not match its hash")
        if event.seq == 1:
            before: str | None = genesis_hash(event.case_id)
        else:
            before = within.execute(
                select(_T.hash).where(_T.case_id == event.case_id, _T.seq == event.seq - 1)
            ).scalar_one_or_none()
        if before is None:
            raise ValueError(f"case {event.case_id} has no event {event.seq - 1} to follow")
        if event.prev_hash != before:
            raise ValueError(f"event {event.event_id} does not follow the stored event {event.seq - 1}")
        try:
            within.execute(
                insert(CaseEventRow).values(
                    event_id=event.event_id,
                    case_id=event.case_id,
                    seq=event.seq,
                    occurred_at=_stored_time(event.occurred_at),
                    actor_id=event.actor_id,
                    actor_role=event.actor_role,
                    action=event.action,
                    payload=_stored_payload(event),
                    prev_hash=event.prev_hash,
                    hash=event.hash,
                )
            )
        except IntegrityError as exc:
            if _is_seq_conflict(exc):
                raise ConcurrentEdit(event.case_id) from exc
            raise
        if enqueue:
            enqueue_event(within, event)

    def record(
        self,
        within: Executor,
        *,
        case_id: str,
        actor_id: str | None,
        actor_role: str,
        action: str,
        occurred_at: dt.datetime,
        changes: Iterable[FieldChange] = (),
        payload: Mapping[str, object] | None = None,
        event_id: str | None = None,
    ) -> CaseEvent:
        """Make the next event of the case (after the head read in ``within``) and append it."""
        event = append(
            self.head(case_id, within=within),
            case_id=case_id,
            actor_id=actor_id,
            actor_role=actor_role,
            action=action,
            occurred_at=occurred_at,
            changes=changes,
            payload=payload,
            event_id=event_id,
        )
        self.append(within, event)
        return event

    # ------------------------------------------------------------------ reading

    def _rows(
        self, within: Executor | None, case_id: str, order: Any, limit: int | None = None
    ) -> list[CaseEvent]:
        stmt = select(*_COLUMNS).where(_T.case_id == case_id).order_by(*order).limit(limit)
        if within is not None:
            return [_event(r) for r in within.execute(stmt).mappings()]
        with self._engine.connect() as conn:
            return [_event(r) for r in conn.execute(stmt).mappings()]

    def events(self, case_id: str, *, within: Executor | None = None) -> list[CaseEvent]:
        """The case's events ordered by ``seq`` (read in ``within`` when given)."""
        return self._rows(within, case_id, (_T.seq, _T.id))

    def head(self, case_id: str, *, within: Executor | None = None) -> CaseEvent | None:
        """The case's last event, or None before its first."""
        rows = self._rows(within, case_id, (_T.seq.desc(), _T.id.desc()), limit=1)
        return rows[0] if rows else None

    def verify_case(
        self,
        case_id: str,
        *,
        expected_head: str | None = None,
        expected_count: int | None = None,
        anchors: Iterable[Anchor] = (),
        within: Executor | None = None,
    ) -> VerifyReport:
        """:func:`verify` the case's events, read in the order they were written.

        Rows are read by their autoincrement id: events are only ever appended after their
        predecessor, so write order equals numbering order unless rows were deleted and
        written again, which then shows as REORDERED.
        """
        return verify(
            self._rows(within, case_id, (_T.id,)),
            case_id=case_id,
            expected_head=expected_head,
            expected_count=expected_count,
            anchors=anchors,
        )
