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

**Central numbering (号段).** Once the sync has stored a block of serials reserved from the
central server for an agency and a year (``number_blocks``, migration 0011; docs/SYNC.md,
"Numbering"), every kind of that agency and year is numbered from blocks: :func:`allocate`
takes the next serial of the earliest block with numbers left (one UPDATE, the transaction's
first write; gapless within a block, a rolled-back transaction gives it back) and moves the
sequence's ``last`` up to it, so voiding and the triggers work as before. With no serial left
in any block of that kind and year it raises :class:`NumbersUsedUp` (Chinese: connect and
sync for a new block) and the caller's transaction rolls back whole. An agency and year
without any block (a machine that never synced, tests) keep the local sequence. A block's
serials that this machine already issued from its local sequence are skipped when the block
is stored (:meth:`SqlNumberBlocks.store_block`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, Row, Table, and_, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from workstation.domain.errors import InvalidInput
from workstation.domain.numbering import (
    CASE_KIND,
    VoidedNumber,
    check_kind,
    check_reason,
    check_serial,
    check_voidable,
    check_year,
    is_training_kind,
    kind_label,
)
from workstation.persistence import errors as sqlerrors
from workstation.persistence.models import (
    AgencyRow,
    NumberBlockRow,
    NumberReservationRow,
    NumberSequenceRow,
    NumberVoidRow,
)
from workstation.persistence.repositories import session_scope

#: What a caller's transaction may be: an ORM session or a Core connection.
Executor = Session | Connection

_SEQ = cast(Table, NumberSequenceRow.__table__)
_VOID = cast(Table, NumberVoidRow.__table__)
_BLOCK = cast(Table, NumberBlockRow.__table__)
_PENDING = cast(Table, NumberReservationRow.__table__)


class NumbersUsedUp(InvalidInput):
    """The blocks reserved from the central server for this kind and year are used up."""

    def __init__(self, kind: str, year: int) -> None:
        label = kind_label(kind)
        then = "再立案" if kind == CASE_KIND else "再出具文书"
        super().__init__(
            f"本机预领的{label}（{year}年）已用完，请联网同步领取新号段后{then}。",
            "编号由中心平台统一分配：连接网络后在“同步”页点击“立即同步”（或运行 workstation sync），"
            "领取新号段后重试。本次操作未保存，案件保持原状。",
        )
        self.kind = kind
        self.year = year


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


def _from_block(within: Executor, agency_id: str, kind: str, year: int) -> int | None:
    """The next serial of the earliest block of the key with numbers left, taken (one UPDATE)."""
    same = and_(_BLOCK.c.agency_id == agency_id, _BLOCK.c.kind == kind, _BLOCK.c.year == year)
    earliest = select(func.min(_BLOCK.c.first)).where(same, _BLOCK.c.next <= _BLOCK.c.last).scalar_subquery()
    stmt = (
        update(_BLOCK)
        .where(same, _BLOCK.c.first == earliest)
        .values(next=_BLOCK.c.next + 1)
        .returning(_BLOCK.c.next - 1)
    )
    serial = within.execute(stmt).scalar_one_or_none()
    return None if serial is None else int(serial)


def _central(within: Executor, agency_id: str, year: int) -> bool:
    """Whether the agency numbers ``year`` from central blocks (any block of any kind stored)."""
    found = within.execute(
        select(_BLOCK.c.first).where(_BLOCK.c.agency_id == agency_id, _BLOCK.c.year == year).limit(1)
    ).first()
    return found is not None


def _raise_to(within: Executor, agency_id: str, kind: str, year: int, serial: int) -> int:
    """Move the local sequence's ``last`` up to ``serial`` (never down); the ``last`` it has now."""
    insert = sqlite_insert(_SEQ).values(agency_id=agency_id, kind=kind, year=year, last=serial)
    stmt = insert.on_conflict_do_update(
        index_elements=[_SEQ.c.agency_id, _SEQ.c.kind, _SEQ.c.year],
        set_={"last": func.max(_SEQ.c.last, insert.excluded.last)},  # never back
    ).returning(_SEQ.c.last)
    return int(within.execute(stmt).scalar_one())


def allocate(within: Executor, agency_id: str, kind: str, year: int) -> int:
    """Issue the next serial of ``(agency_id, kind, year)`` in the caller's transaction.

    From the central blocks when the agency has any for ``year`` (see the module doc;
    :class:`NumbersUsedUp` when none is left for ``kind``), else from the local sequence,
    whose first serial is 1. A training kind (``domain.numbering.sequence_kind``) is always
    local. Nothing is committed here: the number belongs to the caller
    once their transaction commits, and is free again if it rolls back.
    Raises DatabaseLocked when another connection kept the database busy past the busy
    timeout (or a deferred transaction's snapshot went stale: retry the transaction).
    """
    agency_id, kind, year = _key(agency_id, kind, year)
    if not is_training_kind(kind):  # a training case numbers from its own sequence, never a block
        try:
            serial = _from_block(within, agency_id, kind, year)
            if serial is not None:
                _raise_to(within, agency_id, kind, year, serial)
                return serial
            if _central(within, agency_id, year):
                raise NumbersUsedUp(kind, year)
        except DBAPIError as exc:
            raise _translated(exc, within, agency_id) from exc
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
    try:
        current = _raise_to(within, agency_id, kind, year, last)
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


# ------------------------------------------------------------------ central blocks (号段)


@dataclass(frozen=True, slots=True)
class StoredBlock:
    """A block of serials reserved from the central server, as stored here."""

    agency_id: str
    kind: str
    year: int
    first: int
    last: int
    next: int
    reserved_at: dt.datetime
    source: str

    @property
    def free(self) -> int:
        """Serials of the block not issued yet."""
        return self.last - self.next + 1


@dataclass(frozen=True, slots=True)
class Reservation:
    """A block asked for (or about to be): its idempotency key is stored before the request."""

    idempotency_key: str
    agency_id: str
    kind: str
    year: int
    count: int


def _block(row: Row[Any]) -> StoredBlock:
    return StoredBlock(
        agency_id=str(row.agency_id),
        kind=str(row.kind),
        year=int(row.year),
        first=int(row.first),
        last=int(row.last),
        next=int(row.next),
        reserved_at=_read_time(row.reserved_at),
        source=str(row.source),
    )


def _reservation(row: Row[Any]) -> Reservation:
    values = row._mapping  # ``count`` is also a method of rows (tuples)
    return Reservation(
        str(values["idempotency_key"]),
        str(values["agency_id"]),
        str(values["kind"]),
        int(values["year"]),
        int(values["count"]),
    )


class SqlNumberBlocks:
    """The sync's side of central numbering: which agency a township is, the free serials of
    each sequence, reservations written before their request, and blocks stored once.

    Each method is one transaction of its own (the sync runs outside any case's transaction).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self, commit: bool = False) -> Iterator[Session]:
        with session_scope(self._sessions, self._engine, commit=commit) as session:
            yield session

    def agency_for(self, township_code: str) -> str | None:
        """The agency numbering for ``township_code``: the agency with that code, else the only
        (real) agency of this machine, as the officers feed maps townships; None otherwise."""
        with self._session() as s:
            if township_code:
                same = s.execute(
                    select(AgencyRow.id).where(AgencyRow.code == township_code)
                ).scalar_one_or_none()
                if same is not None:
                    return str(same)
            agencies = s.execute(select(AgencyRow.id, AgencyRow.is_sample).order_by(AgencyRow.code)).all()
        real = [str(a) for a, sample in agencies if not sample]
        if len(real) == 1:
            return real[0]
        if not real and len(agencies) == 1:
            return str(agencies[0][0])
        return None

    def kinds(self, agency_id: str) -> set[str]:
        """The kinds this agency has numbered here (local sequences and blocks), any year."""
        with self._session() as s:
            local = s.execute(select(_SEQ.c.kind).where(_SEQ.c.agency_id == agency_id).distinct()).scalars()
            central = s.execute(
                select(_BLOCK.c.kind).where(_BLOCK.c.agency_id == agency_id).distinct()
            ).scalars()
            return {str(k) for k in (*local, *central) if not is_training_kind(str(k))}

    def blocks(self, agency_id: str, kind: str | None = None, year: int | None = None) -> list[StoredBlock]:
        """The stored blocks of an agency (optionally one kind and/or year), by kind, year, first."""
        conditions = [_BLOCK.c.agency_id == agency_id]
        if kind is not None:
            conditions.append(_BLOCK.c.kind == kind)
        if year is not None:
            conditions.append(_BLOCK.c.year == year)
        stmt = select(_BLOCK).where(*conditions).order_by(_BLOCK.c.kind, _BLOCK.c.year, _BLOCK.c.first)
        with self._session() as s:
            return [_block(row) for row in s.execute(stmt)]

    def free(self, agency_id: str, kind: str, year: int) -> int:
        """Serials left in the blocks of ``(agency_id, kind, year)``."""
        with self._session() as s:
            left = s.execute(
                select(func.coalesce(func.sum(_BLOCK.c.last - _BLOCK.c.next + 1), 0)).where(
                    _BLOCK.c.agency_id == agency_id,
                    _BLOCK.c.kind == kind,
                    _BLOCK.c.year == year,
                    _BLOCK.c.next <= _BLOCK.c.last,
                )
            ).scalar_one()
        return int(left)

    def free_by_kind(self, agency_id: str, year: int) -> dict[str, int]:
        """Serials left per kind in the agency's blocks of ``year`` (kinds without any: absent)."""
        stmt = (
            select(_BLOCK.c.kind, func.sum(_BLOCK.c.last - _BLOCK.c.next + 1))
            .where(_BLOCK.c.agency_id == agency_id, _BLOCK.c.year == year, _BLOCK.c.next <= _BLOCK.c.last)
            .group_by(_BLOCK.c.kind)
        )
        with self._session() as s:
            return {str(kind): int(left) for kind, left in s.execute(stmt)}

    def pending(self, agency_id: str, kind: str, year: int) -> Reservation | None:
        """The reservation of ``(agency_id, kind, year)`` asked for and not stored, if any."""
        with self._session() as s:
            row = s.execute(
                select(_PENDING).where(
                    _PENDING.c.agency_id == agency_id, _PENDING.c.kind == kind, _PENDING.c.year == year
                )
            ).first()
        return None if row is None else _reservation(row)

    def reservations(self) -> list[Reservation]:
        """Every reservation asked for and not stored."""
        with self._session() as s:
            rows = s.execute(select(_PENDING).order_by(_PENDING.c.requested_at, _PENDING.c.idempotency_key))
            return [_reservation(row) for row in rows]

    def begin_reservation(
        self, agency_id: str, kind: str, year: int, count: int, *, at: dt.datetime | None = None
    ) -> Reservation:
        """Store (committed) a new reservation with a fresh idempotency key before its request;
        the one already pending for the key is returned instead, unchanged."""
        agency_id, kind, year = _key(agency_id, kind, year)
        check_serial(count)
        key = str(uuid.uuid4())
        when = _stored_time(at if at is not None else dt.datetime.now(dt.UTC))
        with self._session(commit=True) as s:
            s.execute(
                sqlite_insert(_PENDING)
                .values(
                    idempotency_key=key,
                    agency_id=agency_id,
                    kind=kind,
                    year=year,
                    count=count,
                    requested_at=when,
                )
                .on_conflict_do_nothing(
                    index_elements=[_PENDING.c.agency_id, _PENDING.c.kind, _PENDING.c.year]
                )
            )
            row = s.execute(
                select(_PENDING).where(
                    _PENDING.c.agency_id == agency_id, _PENDING.c.kind == kind, _PENDING.c.year == year
                )
            ).one()
            return _reservation(row)

    def drop_reservation(self, reservation: Reservation) -> None:
        """Forget a reservation the server refused (it stored nothing under the key)."""
        with self._session(commit=True) as s:
            s.execute(_PENDING.delete().where(_PENDING.c.idempotency_key == reservation.idempotency_key))

    def store_block(
        self, reservation: Reservation, first: int, last: int, *, at: dt.datetime | None = None
    ) -> StoredBlock:
        """Store the block the server answered to ``reservation`` and close the reservation, in
        one transaction. Serials of the block this machine already issued from its local
        sequence are skipped (``next`` starts above them). Storing the same answer again
        returns the stored block."""
        agency_id, kind, year = reservation.agency_id, reservation.kind, reservation.year
        check_serial(first)
        if last < first:
            raise InvalidInput(f"号段无效：{first}–{last}", "请重新同步领取号段。")
        when = _stored_time(at if at is not None else dt.datetime.now(dt.UTC))
        with self._session(commit=True) as s:
            s.execute(_PENDING.delete().where(_PENDING.c.idempotency_key == reservation.idempotency_key))
            stored = s.execute(select(_BLOCK).where(_BLOCK.c.source == reservation.idempotency_key)).first()
            if stored is not None:
                return _block(stored)
            issued = last_issued(s, agency_id, kind, year)
            start = min(max(first, issued + 1), last + 1)
            s.execute(
                _BLOCK.insert().values(
                    agency_id=agency_id,
                    kind=kind,
                    year=year,
                    first=first,
                    last=last,
                    next=start,
                    reserved_at=when,
                    source=reservation.idempotency_key,
                )
            )
            row = s.execute(select(_BLOCK).where(_BLOCK.c.source == reservation.idempotency_key)).one()
            return _block(row)
