"""Numbered sequences in SQLite: gapless serials per (agency, kind, year), and voided numbers.

A serial is issued by one statement in the caller's transaction (an ORM Session or a Core
Connection)::

    INSERT INTO number_sequences (agency_id, kind, year, last) VALUES (?, ?, ?, 1)
    ON CONFLICT (agency_id, kind, year) DO UPDATE SET last = last + 1 RETURNING last

- Unique: the statement writes, and SQLite lets one connection write at a time; a second
  connection allocating meanwhile waits (busy_timeout) until the first commits or rolls
  back, then reads the committed ``last``.
- Gapless: the increment is part of the caller's transaction, so a case or document that
  is rolled back takes its number back with it. A number that was committed and then not
  used is voided with :func:`void` (recorded with reason and actor), never issued again.

Issue the number with the transaction's first write (or begin it with BEGIN IMMEDIATE):
a deferred SQLite transaction that has already read and then writes while another
connection committed meanwhile fails at once with "database is locked" instead of
waiting; that surfaces here as :class:`~workstation.domain.errors.DatabaseLocked`, and
retrying the whole transaction is safe.

Triggers (migrations/versions/2026_11_26_0003_numbering.py) keep this true even for
writers that bypass this module: a sequence never goes back or disappears, a void needs
an issued number, and voids are append-only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, and_, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from workstation.domain.errors import InvalidInput
from workstation.domain.numbering import (
    VoidedNumber,
    check_kind,
    check_reason,
    check_serial,
    check_voidable,
    check_year,
    kind_label,
)
from workstation.persistence import errors as sqlerrors
from workstation.persistence.models import NumberSequenceRow, NumberVoidRow

#: What a caller's transaction may be: an ORM session or a Core connection.
Executor = Session | Connection

_SEQ = cast(Table, NumberSequenceRow.__table__)
_VOID = cast(Table, NumberVoidRow.__table__)


def _where(within: Executor) -> Path:
    bind = within.get_bind() if isinstance(within, Session) else within
    return Path(str(bind.engine.url.database or ""))


def _translated(exc: DBAPIError, within: Executor, agency_id: str) -> BaseException:
    if isinstance(exc, IntegrityError) and "FOREIGN KEY constraint failed" in str(exc.orig):
        return InvalidInput(f"执法主体不存在：{agency_id}", "请先在设置中登记本机的执法主体。")
    known = sqlerrors.translate(exc, _where(within))
    return known if known is not None else exc


def _check_agency(agency_id: str) -> str:
    if not isinstance(agency_id, str) or not agency_id:
        raise InvalidInput("编号必须属于一个执法主体。", "请先在设置中选择本机的执法主体。")
    return agency_id


def _key(agency_id: str, kind: str, year: int) -> tuple[str, str, int]:
    return _check_agency(agency_id), check_kind(kind), check_year(year)


# ------------------------------------------------------------------ issuing


def allocate(within: Executor, agency_id: str, kind: str, year: int) -> int:
    """Issue the next serial of ``(agency_id, kind, year)`` in the caller's transaction.

    The first serial of a sequence is 1. Nothing is committed here: the number belongs to
    the caller once their transaction commits, and is free again if it rolls back.
    Raises DatabaseLocked when another connection kept the database busy past the busy
    timeout (or a deferred transaction's snapshot went stale: retry the transaction).
    """
    agency_id, kind, year = _key(agency_id, kind, year)
    stmt = (
        sqlite_insert(_SEQ)
        .values(agency_id=agency_id, kind=kind, year=year, last=1)
        .on_conflict_do_update(
            index_elements=[_SEQ.c.agency_id, _SEQ.c.kind, _SEQ.c.year],
            set_={"last": _SEQ.c.last + 1},
        )
        .returning(_SEQ.c.last)
    )
    try:
        return int(within.execute(stmt).scalar_one())
    except DBAPIError as exc:
        raise _translated(exc, within, agency_id) from exc


def last_issued(within: Executor, agency_id: str, kind: str, year: int) -> int:
    """The last serial issued in ``(agency_id, kind, year)``; 0 before the first."""
    agency_id, kind, year = _key(agency_id, kind, year)
    last = within.execute(
        select(_SEQ.c.last).where(_SEQ.c.agency_id == agency_id, _SEQ.c.kind == kind, _SEQ.c.year == year)
    ).scalar_one_or_none()
    return 0 if last is None else int(last)


def advance_to(within: Executor, agency_id: str, kind: str, year: int, last: int) -> int:
    """Record that serials up to ``last`` are already taken (e.g. issued on paper before go-live).

    The next :func:`allocate` then issues ``last + 1``. A sequence never goes back: a
    ``last`` below the serials already issued is refused (InvalidInput in Chinese).
    Returns ``last``.
    """
    agency_id, kind, year = _key(agency_id, kind, year)
    check_serial(last)
    insert = sqlite_insert(_SEQ).values(agency_id=agency_id, kind=kind, year=year, last=last)
    stmt = insert.on_conflict_do_update(
        index_elements=[_SEQ.c.agency_id, _SEQ.c.kind, _SEQ.c.year],
        set_={"last": func.max(_SEQ.c.last, insert.excluded.last)},  # never back
    ).returning(_SEQ.c.last)
    try:
        current = int(within.execute(stmt).scalar_one())
    except DBAPIError as exc:
        raise _translated(exc, within, agency_id) from exc
    if current != last:
        raise InvalidInput(
            f"{kind_label(kind)}{year}年已发放到第{current}号，不能退回到第{last}号。",
            "已发放的编号不会重新使用；如有编号未使用，请将其作废。",
        )
    return last


# ------------------------------------------------------------------ voids


def _stored_time(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("voided_at must be timezone-aware")
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _read_time(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _voided_number(row: Row[Any]) -> VoidedNumber:
    return VoidedNumber(
        agency_id=str(row.agency_id),
        kind=str(row.kind),
        year=int(row.year),
        serial=int(row.serial),
        reason=str(row.reason),
        voided_at=_read_time(row.voided_at),
        voided_by=str(row.voided_by),
    )


def voids(
    within: Executor, agency_id: str, kind: str | None = None, year: int | None = None
) -> list[VoidedNumber]:
    """The voided numbers of an agency (optionally of one kind and/or year), in number order."""
    conditions = [_VOID.c.agency_id == _check_agency(agency_id)]
    if kind is not None:
        conditions.append(_VOID.c.kind == check_kind(kind))
    if year is not None:
        conditions.append(_VOID.c.year == check_year(year))
    stmt = select(_VOID).where(and_(*conditions)).order_by(_VOID.c.kind, _VOID.c.year, _VOID.c.serial)
    return [_voided_number(row) for row in within.execute(stmt)]


def voided(within: Executor, agency_id: str, kind: str, year: int, serial: int) -> VoidedNumber | None:
    """The void of one number, or None when it is not voided."""
    agency_id, kind, year = _key(agency_id, kind, year)
    row = within.execute(
        select(_VOID).where(
            _VOID.c.agency_id == agency_id,
            _VOID.c.kind == kind,
            _VOID.c.year == year,
            _VOID.c.serial == serial,
        )
    ).first()
    return None if row is None else _voided_number(row)


def void(
    within: Executor,
    agency_id: str,
    kind: str,
    year: int,
    serial: int,
    reason: str,
    actor: str,
    *,
    at: dt.datetime | None = None,
) -> VoidedNumber:
    """Record in the caller's transaction that an issued number is voided (作废).

    The number stays issued: :func:`allocate` never gives it out again. Refused with
    InvalidInput (Chinese) for a number never issued, one already voided, a blank reason
    or no actor. Whether the number is still in use by a case or document is the
    caller's to check. ``at`` (timezone-aware, default now) is stored in UTC.
    """
    agency_id, kind, year = _key(agency_id, kind, year)
    check_serial(serial)
    reason = check_reason(reason)
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidInput("作废编号必须记录操作人。", "请先登录后再作废编号。")
    voided_at = _stored_time(at if at is not None else dt.datetime.now(dt.UTC))
    try:  # written first, so a deferred transaction takes the write lock before any read
        within.execute(
            _VOID.insert().values(
                agency_id=agency_id,
                kind=kind,
                year=year,
                serial=serial,
                reason=reason,
                voided_at=voided_at,
                voided_by=actor,
            )
        )
    except IntegrityError as exc:
        # Refused by the trigger (never issued) or the primary key (already voided): say which.
        last = last_issued(within, agency_id, kind, year)
        check_voidable(kind, year, serial, last, voided(within, agency_id, kind, year, serial))
        raise _translated(exc, within, agency_id) from exc
    except DBAPIError as exc:
        raise _translated(exc, within, agency_id) from exc
    return VoidedNumber(agency_id, kind, year, serial, reason, _read_time(voided_at), actor)
