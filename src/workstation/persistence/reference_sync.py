"""The SQL of the sync steps beside push and pull (sync/steps.py; docs/SYNC.md, "Reference data,
公示, anchors and tasks").

- Reference items (``sync_reference_items``): each item at the version last received and how it
  was taken. :meth:`SqlReferenceSync.apply_officers` and :meth:`SqlReferenceSync.apply_holidays`
  write a page of items **and its cursor in one transaction** (their target tables are in this
  database); the benchmark and statute paths import through their own services (which commit on
  their own), then :meth:`SqlReferenceSync.record_items` marks the items and moves the cursor.
  A version not newer than the one recorded as taken is skipped, so re-applying a page is
  harmless and an older version never overwrites a newer one.
- 公示 (``sync_publications``), anchors (``sync_anchors``) and the cases made from tasks
  (``sync_task_cases``).
- Evidence of cases pulled from another device whose file was not here when the case was
  applied (read from ``sync_cases.base``, with a mark in ``sync_cursors``), and its row once
  the file is stored.

Cursors live in the ``sync_cursors`` table of the engine, one stream per reference kind
(``reference:<kind>``), so a server restore (which clears the cursors) starts them over too.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from workstation.domain.errors import InvalidInput
from workstation.domain.record import canonical_json
from workstation.domain.sync_ports import AnchorReceipt
from workstation.persistence.models import (
    NOT_TRAINING,
    PUBLISHED_ON,
    AgencyRow,
    CaseEventRow,
    CasePartyRow,
    CaseRow,
    DocumentRow,
    EvidenceRow,
    OfficerRow,
    PartyRow,
    SyncAnchorRow,
    SyncCaseRow,
    SyncCursorRow,
    SyncOutboxRow,
    SyncPublicationRow,
    SyncReferenceItemRow,
    SyncTaskCaseRow,
)
from workstation.persistence.repositories import session_scope
from workstation.persistence.sync_store import mark_read, pulled_evidence_row, read_to, set_cursor

#: How a reference item was taken.
APPLIED, DELETED, REFUSED = "applied", "deleted", "refused"
#: Publication states.
PUB_PENDING, PUB_PUBLISHED, PUB_WITHDRAWN, PUB_REFUSED = "pending", "published", "withdrawn", "refused"
#: Anchor states.
ANCHORED, MISMATCH = "anchored", "mismatch"
#: Namespace of the local ids of officers that came from the server without one.
OFFICER_NAMESPACE = uuid.UUID("0b7f7c5e-2f3a-4d4e-9a51-3c2d1e0f9a77")
#: Stages at which a case made from a task counts as handled (结案, 归档, 不予立案).
HANDLED_STAGES = ("closed", "archived", "not_filed")


#: The ``sync_cursors`` stream of the evidence-file download (an ``updated_seq`` of sync_cases).
EVIDENCE_FILES_STREAM = "evidence_files"


def cursor_stream(kind: str) -> str:
    return f"reference:{kind}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _dumps(value: Any) -> str:
    return canonical_json(value).decode("utf-8")


# ---------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class ReferenceItem:
    """A reference item as the store takes it (the port's RefItem values)."""

    kind: str
    item_id: str
    version: int
    updated_seq: int
    deleted: bool
    township_code: str | None
    payload: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class StoredReference:
    kind: str
    item_id: str
    version: int
    state: str
    reason: str | None
    target_id: str | None
    payload: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class OfficerEntry:
    """An officer item read from its payload (sync/steps.py parses and checks it)."""

    officer_id: str | None
    name: str
    certificate_no: str
    valid_from: dt.date
    valid_until: dt.date
    roles: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class PublicationState:
    case_id: str
    idempotency_key: str
    decision_number: str
    published_on: dt.date
    content: str
    publication_id: str | None
    status: str
    withdraw_reason: str | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class PublishCandidate:
    """A synced case whose decision was published (公示) or withdrawn here."""

    case_id: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PartyFacts:
    kind: str
    name: str
    id_number: str | None
    credit_code: str | None


@dataclass(frozen=True, slots=True)
class DecisionFacts:
    """What a 公示 text is built from: the case, its parties, agency and issued decisions."""

    case_id: str
    kind: str
    title: str
    agency_name: str
    data: dict[str, Any]
    parties: tuple[PartyFacts, ...]
    #: (doc_type, number, issued_on) of issued (not voided) decisions, newest first.
    decisions: tuple[tuple[str, str, dt.date | None], ...]


@dataclass(frozen=True, slots=True)
class AnchorCandidate:
    case_id: str
    head_seq: int
    head_hash: str


@dataclass(frozen=True, slots=True)
class AnchorAlarm:
    case_id: str
    head_seq: int
    head_hash: str
    server_head_seq: int | None
    server_head_hash: str | None
    reason: str
    recorded_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "server_head_seq": self.server_head_seq,
            "server_head_hash": self.server_head_hash,
            "reason": self.reason,
            "recorded_at": self.recorded_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class PulledEvidence:
    """An evidence item of a synced case's server document (``id``, ``kind``, ``title``,
    ``description``, ``collected_at``, ``collected_by``, ``sha256``, ``size``, ``media_type``,
    ``filename``) whose row is not here yet."""

    case_id: str
    item: dict[str, Any]
    updated_seq: int = 0


@dataclass(frozen=True, slots=True)
class TaskLink:
    task_id: str
    case_id: str
    accepted_at: dt.datetime | None
    done_at: dt.datetime | None
    case_handled: bool


@dataclass(frozen=True, slots=True)
class SyncNotice:
    """Something the steps kept that a person must look at: an anchor alarm
    (``anchor_alarm``), a 公示 the server refused or did not withdraw
    (``publication_refused``), a reference item not taken (``reference_refused``)."""

    kind: str
    #: The case id, or ``<kind>/<item id>`` of a reference item.
    subject: str
    reason: str
    at: dt.datetime
    case_id: str | None = None
    #: The reference kind (officers, holidays, statutes, benchmarks) or the decision number.
    detail: str = ""
    version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "case_id": self.case_id,
            "detail": self.detail,
            "version": self.version,
            "reason": self.reason,
            "at": self.at.replace(tzinfo=dt.UTC).isoformat()
            if self.at.tzinfo is None
            else self.at.isoformat(),
        }


ALARM_NOTICE, PUBLICATION_NOTICE, REFERENCE_NOTICE = (
    "anchor_alarm",
    "publication_refused",
    "reference_refused",
)


class ItemRefused(InvalidInput):
    """A reference item (and the page it came in) was not taken; ``item_id`` names it."""

    code = "reference_refused"

    def __init__(self, item_id: str, message: str, advice: str = "") -> None:
        super().__init__(message, advice)
        self.item_id = item_id
        #: Items of the same page taken (and recorded) before this one was refused.
        self.applied = 0


# ---------------------------------------------------------------- the store


class SqlReferenceSync:
    """Reference items, 公示, anchors and task links in SQLite (see the module doc)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def engine(self) -> Engine:
        """The database these tables live in (other stores of the same steps open it too)."""
        return self._engine

    @contextmanager
    def _session(self, commit: bool = False) -> Iterator[Session]:
        with session_scope(self._sessions, self._engine, commit=commit) as session:
            yield session

    # ------------------------------------------------------------ cursors, items

    def cursor(self, kind: str) -> str | None:
        with self._session() as s:
            return s.execute(
                select(SyncCursorRow.cursor).where(SyncCursorRow.stream == cursor_stream(kind))
            ).scalar_one_or_none()

    def read_to(self, kind: str) -> int | None:
        """The server's high water when the kind's feed was last read to its end (None: not
        since its cursor last moved)."""
        with self._session() as s:
            return read_to(s, cursor_stream(kind))

    def mark_read(self, kind: str, high_water: int) -> None:
        """The kind's feed was read to its end after a handshake that said ``high_water``."""
        with self._session(commit=True) as s:
            mark_read(s, cursor_stream(kind), high_water)

    def item(self, kind: str, item_id: str) -> StoredReference | None:
        with self._session() as s:
            row = s.get(SyncReferenceItemRow, (kind, item_id))
            return None if row is None else _stored(row)

    def items(self, kind: str) -> list[StoredReference]:
        with self._session() as s:
            rows = s.execute(
                select(SyncReferenceItemRow)
                .where(SyncReferenceItemRow.kind == kind)
                .order_by(SyncReferenceItemRow.item_id)
            ).scalars()
            return [_stored(r) for r in rows]

    def refusals(self) -> list[StoredReference]:
        """Items not taken (refused, or a newer version refused while an older one stays)."""
        with self._session() as s:
            rows = s.execute(
                select(SyncReferenceItemRow)
                .where(SyncReferenceItemRow.reason.is_not(None))
                .order_by(SyncReferenceItemRow.kind, SyncReferenceItemRow.item_id)
            ).scalars()
            return [_stored(r) for r in rows]

    def is_taken(self, item: ReferenceItem) -> bool:
        """Whether this version (or a newer one) was already applied or deleted here."""
        with self._session() as s:
            return _taken(s, item)

    def record_items(
        self, kind: str, taken: Sequence[tuple[ReferenceItem, str | None]], next_cursor: str | None
    ) -> None:
        """Mark items applied (or deleted) with their local target, and move the cursor unless
        ``next_cursor`` is None (one transaction; for the kinds whose import committed on its
        own before)."""
        with self._session(commit=True) as s:
            for item, target in taken:
                _record(s, item, DELETED if item.deleted else APPLIED, None, target)
            if next_cursor is not None:
                set_cursor(s, cursor_stream(kind), next_cursor)

    def record_refusal(self, item: ReferenceItem, reason: str) -> None:
        """An item was not taken: the reason is kept; an applied older version stays as it is."""
        with self._session(commit=True) as s:
            row = s.get(SyncReferenceItemRow, (item.kind, item.item_id))
            if row is not None and row.state in (APPLIED, DELETED):
                row.reason = f"第{item.version}版未采用：{reason}"
                row.received_at = _now()
                return
            _record(s, item, REFUSED, reason, None)

    # ------------------------------------------------------------ officers

    def apply_officers(
        self,
        items: Sequence[tuple[ReferenceItem, OfficerEntry | None]],
        next_cursor: str,
    ) -> int:
        """Upsert the page's officers and store the cursor, in one transaction; how many changed.

        An officer is matched by id, else by 执法证号; a deleted item deactivates the officer
        (an officer is never deleted: cases refer to them). ItemRefused (nothing written) when an
        officer cannot be stored.
        """
        changed = 0
        with self._session(commit=True) as s:
            for item, entry in items:
                if _taken(s, item):
                    continue
                target = _officer_target(s, item)
                if item.deleted or entry is None:
                    if target is not None:
                        row = s.get(OfficerRow, target)
                        if row is not None and row.is_active:
                            row.is_active = False
                            row.row_version += 1
                    _record(s, item, DELETED, None, target)
                    changed += 1
                    continue
                officer_id = _store_officer(s, item, entry, target)
                _record(s, item, APPLIED, None, officer_id)
                changed += 1
            set_cursor(s, cursor_stream("officers"), next_cursor)
        return changed

    # ------------------------------------------------------------ holidays

    def apply_holidays(
        self,
        items: Sequence[ReferenceItem],
        next_cursor: str,
        check: Callable[[list[dict[str, Any]]], None],
    ) -> int:
        """Store the page's holiday tables and the cursor in one transaction.

        ``check(payloads)`` receives every applied holiday payload after the page (the table
        the calendar will read) and raises InvalidInput when they do not make a valid table;
        then nothing of the page is written.
        """
        changed = 0
        with self._session(commit=True) as s:
            for item in items:
                if _taken(s, item):
                    continue
                _record(s, item, DELETED if item.deleted else APPLIED, None, None)
                changed += 1
            s.flush()
            check(_holiday_payloads(s))
            set_cursor(s, cursor_stream("holidays"), next_cursor)
        return changed

    def holiday_payloads(self) -> list[dict[str, Any]]:
        """The server's holiday tables in force here (applied, not deleted), by item id."""
        with self._session() as s:
            return _holiday_payloads(s)

    # ------------------------------------------------------------ 公示

    def publication_candidates(self) -> list[PublishCandidate]:
        """Cases on the server (not training) whose data has ``published_on`` and whose 公示
        has something to do: not made yet, waiting to be sent, or published here and withdrawn
        since (``withdrawn_on`` or ``withdrawal_reason``).

        The partial index ``ix_cases_published`` (0012_sync_marks) holds the cases with a
        publication date, so the cases without one are not read."""
        withdrawn = or_(
            func.json_extract(CaseRow.data, "$.withdrawn_on").is_not(None),
            func.json_extract(CaseRow.data, "$.withdrawal_reason").is_not(None),
        )
        with self._session() as s:
            rows = s.execute(
                select(CaseRow.id, CaseRow.data)
                .join(SyncCaseRow, SyncCaseRow.case_id == CaseRow.id)
                .outerjoin(SyncPublicationRow, SyncPublicationRow.case_id == CaseRow.id)
                .where(
                    text(f"{PUBLISHED_ON} IS NOT NULL"),  # the very term of the partial index
                    text(NOT_TRAINING),
                    SyncCaseRow.server_version > 0,
                    or_(
                        SyncPublicationRow.case_id.is_(None),
                        SyncPublicationRow.status == PUB_PENDING,
                        and_(SyncPublicationRow.status == PUB_PUBLISHED, withdrawn),
                    ),
                )
                .order_by(CaseRow.id)
            ).all()
            return [PublishCandidate(case_id, json.loads(data or "{}")) for case_id, data in rows]

    def decision_facts(self, case_id: str, decision_types: Sequence[str]) -> DecisionFacts | None:
        with self._session() as s:
            case = s.get(CaseRow, case_id)
            if case is None:
                return None
            agency = s.get(AgencyRow, case.agency_id)
            parties = s.execute(
                select(PartyRow)
                .join(CasePartyRow, CasePartyRow.party_id == PartyRow.id)
                .where(CasePartyRow.case_id == case_id)
                .order_by(PartyRow.name)
            ).scalars()
            documents = s.execute(
                select(DocumentRow.doc_type, DocumentRow.number, DocumentRow.issued_on)
                .where(
                    DocumentRow.case_id == case_id,
                    DocumentRow.doc_type.in_(decision_types),
                    DocumentRow.status != "voided",
                    DocumentRow.number.is_not(None),
                )
                .order_by(DocumentRow.issued_on.desc(), DocumentRow.created_at.desc())
            ).all()
            return DecisionFacts(
                case_id=case.id,
                kind=case.kind,
                title=case.title,
                agency_name=agency.name if agency is not None else "",
                data=json.loads(case.data or "{}"),
                parties=tuple(PartyFacts(p.kind, p.name, p.id_number, p.credit_code) for p in parties),
                decisions=tuple((t, str(n), d) for t, n, d in documents),
            )

    def publication(self, case_id: str) -> PublicationState | None:
        with self._session() as s:
            row = s.get(SyncPublicationRow, case_id)
            return None if row is None else _publication(row)

    def publications(self) -> list[PublicationState]:
        with self._session() as s:
            rows = s.execute(select(SyncPublicationRow).order_by(SyncPublicationRow.case_id)).scalars()
            return [_publication(r) for r in rows]

    def fix_publication(
        self, case_id: str, decision_number: str, published_on: dt.date, content: str
    ) -> PublicationState:
        """The publication's arguments and idempotency key, fixed once (a retry reuses both)."""
        with self._session(commit=True) as s:
            row = s.get(SyncPublicationRow, case_id)
            if row is None:
                row = SyncPublicationRow(
                    case_id=case_id,
                    idempotency_key=str(uuid.uuid4()),
                    decision_number=decision_number,
                    published_on=published_on,
                    content=content,
                    status=PUB_PENDING,
                    updated_at=_now(),
                )
                s.add(row)
                s.flush()
            return _publication(row)

    def publication_done(self, case_id: str, publication_id: str, status: str) -> None:
        with self._session(commit=True) as s:
            row = s.get(SyncPublicationRow, case_id)
            if row is None:
                return
            row.publication_id = publication_id
            row.status = status
            row.last_error = None
            row.updated_at = _now()

    def publication_withdrawn(self, case_id: str, reason: str) -> None:
        with self._session(commit=True) as s:
            row = s.get(SyncPublicationRow, case_id)
            if row is None:
                return
            row.status = PUB_WITHDRAWN
            row.withdraw_reason = reason
            row.withdrawn_at = _now()
            row.last_error = None
            row.updated_at = _now()

    def publication_failed(self, case_id: str, error: str, *, refused: bool) -> None:
        with self._session(commit=True) as s:
            row = s.get(SyncPublicationRow, case_id)
            if row is None:
                return
            row.last_error = error[:2000]
            if refused:
                row.status = PUB_REFUSED
            row.updated_at = _now()

    # ------------------------------------------------------------ anchors

    def anchor_candidates(self) -> list[AnchorCandidate]:
        """Cases whose every local event the server acknowledged (its head is this machine's
        head), whose head is not anchored yet, and with no anchor alarm.

        Only the cases in ``ix_sync_cases_unanchored`` (server head not the one last anchored,
        0012_sync_marks) are read, so a sync with nothing new reads none."""
        with self._session() as s:
            later = (
                select(CaseEventRow.seq)
                .where(
                    CaseEventRow.case_id == SyncCaseRow.case_id,
                    CaseEventRow.seq > SyncCaseRow.server_head_seq,
                )
                .correlate(SyncCaseRow)
                .exists()
            )
            waiting = (
                select(SyncOutboxRow.id)
                .where(SyncOutboxRow.entity_id == SyncCaseRow.case_id, SyncOutboxRow.operation == "event")
                .correlate(SyncCaseRow)
                .exists()
            )
            alarmed = (
                select(SyncAnchorRow.head_seq)
                .where(SyncAnchorRow.case_id == SyncCaseRow.case_id, SyncAnchorRow.state == MISMATCH)
                .correlate(SyncCaseRow)
                .exists()
            )
            anchored = (
                select(SyncAnchorRow.head_seq)
                .where(
                    SyncAnchorRow.case_id == SyncCaseRow.case_id,
                    SyncAnchorRow.head_seq == SyncCaseRow.server_head_seq,
                )
                .correlate(SyncCaseRow)
                .exists()
            )
            rows = s.execute(
                select(SyncCaseRow.case_id, SyncCaseRow.server_head_seq, SyncCaseRow.server_head_hash)
                .join(
                    CaseEventRow,
                    and_(
                        CaseEventRow.case_id == SyncCaseRow.case_id,
                        CaseEventRow.seq == SyncCaseRow.server_head_seq,
                        CaseEventRow.hash == SyncCaseRow.server_head_hash,
                    ),
                )
                .where(
                    SyncCaseRow.server_head_seq != SyncCaseRow.anchored_seq,  # the partial index
                    SyncCaseRow.server_head_seq > 0,
                    ~later,
                    ~waiting,
                    ~alarmed,
                    ~anchored,
                )
                .order_by(SyncCaseRow.case_id)
            ).all()
            return [AnchorCandidate(case_id, seq, str(head_hash)) for case_id, seq, head_hash in rows]

    def record_anchor(self, case_id: str, head_seq: int, head_hash: str, anchored_at: dt.datetime) -> bool:
        """Record an anchor the server acknowledged; False when a row for that head exists (kept)."""
        return self.record_anchors([AnchorReceipt(case_id, head_seq, head_hash, anchored_at)]) == 1

    def record_anchors(self, receipts: Sequence[AnchorReceipt]) -> int:
        """Record anchors the server acknowledged, in one transaction; how many rows were new
        (a row for a head that has one is kept as it is). Each case's ``anchored_seq`` moves to
        its head, so it leaves ``ix_sync_cases_unanchored``."""
        added = 0
        with self._session(commit=True) as s:
            for receipt in receipts:
                existing = s.get(SyncAnchorRow, (receipt.case_id, receipt.head_seq))
                if existing is None or existing.state == ANCHORED:
                    s.execute(
                        update(SyncCaseRow)
                        .where(
                            SyncCaseRow.case_id == receipt.case_id,
                            SyncCaseRow.anchored_seq < receipt.head_seq,
                        )
                        .values(anchored_seq=receipt.head_seq)
                    )
                if existing is not None:
                    continue
                at = receipt.anchored_at
                s.add(
                    SyncAnchorRow(
                        case_id=receipt.case_id,
                        head_seq=receipt.head_seq,
                        head_hash=receipt.head_hash,
                        state=ANCHORED,
                        anchored_at=at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at,
                        recorded_at=_now(),
                    )
                )
                s.flush()
                added += 1
        return added

    def record_alarm(
        self,
        case_id: str,
        head_seq: int,
        head_hash: str,
        server_head_seq: int | None,
        server_head_hash: str | None,
        reason: str,
    ) -> bool:
        """Record an anchor mismatch (an integrity alarm); never overwrites a row."""
        with self._session(commit=True) as s:
            if s.get(SyncAnchorRow, (case_id, head_seq)) is not None:
                return False
            s.add(
                SyncAnchorRow(
                    case_id=case_id,
                    head_seq=head_seq,
                    head_hash=head_hash,
                    state=MISMATCH,
                    server_head_seq=server_head_seq,
                    server_head_hash=server_head_hash,
                    reason=reason,
                    recorded_at=_now(),
                )
            )
            return True

    def anchors(self, case_id: str) -> list[tuple[int, str, str]]:
        """(head_seq, head_hash, state) of the case's anchor rows, ascending."""
        with self._session() as s:
            rows = s.execute(
                select(SyncAnchorRow.head_seq, SyncAnchorRow.head_hash, SyncAnchorRow.state)
                .where(SyncAnchorRow.case_id == case_id)
                .order_by(SyncAnchorRow.head_seq)
            ).all()
            return [(seq, head_hash, state) for seq, head_hash, state in rows]

    def alarms(self) -> list[AnchorAlarm]:
        with self._session() as s:
            rows = s.execute(
                select(SyncAnchorRow)
                .where(SyncAnchorRow.state == MISMATCH)
                .order_by(SyncAnchorRow.recorded_at, SyncAnchorRow.case_id)
            ).scalars()
            return [
                AnchorAlarm(
                    r.case_id,
                    r.head_seq,
                    r.head_hash,
                    r.server_head_seq,
                    r.server_head_hash,
                    r.reason or "",
                    r.recorded_at,
                )
                for r in rows
            ]

    # ------------------------------------------------------------ officers

    def inactive_officer_ids(self) -> set[str]:
        """Officers the server deactivated (``is_active`` false): kept for the cases that name
        them, never offered for new work."""
        with self._session() as s:
            return set(s.execute(select(OfficerRow.id).where(OfficerRow.is_active.is_(False))).scalars())

    # ------------------------------------------------------------ what needs a person

    def notices(self) -> list[SyncNotice]:
        """Anchor alarms, refused 公示 (or withdrawals not accepted) and refused reference
        items, each with its Chinese reason, alarms first, then newest first."""
        with self._session() as s:
            alarms = s.execute(
                select(SyncAnchorRow)
                .where(SyncAnchorRow.state == MISMATCH)
                .order_by(SyncAnchorRow.recorded_at)
            ).scalars()
            found = [
                SyncNotice(
                    ALARM_NOTICE,
                    r.case_id,
                    r.reason or "",
                    r.recorded_at,
                    case_id=r.case_id,
                    detail=r.head_hash,
                    version=r.head_seq,
                )
                for r in alarms
            ]
            publications = s.execute(
                select(SyncPublicationRow)
                .where(
                    (SyncPublicationRow.status == PUB_REFUSED) | SyncPublicationRow.last_error.is_not(None)
                )
                .order_by(SyncPublicationRow.updated_at.desc())
            ).scalars()
            others = [
                SyncNotice(
                    PUBLICATION_NOTICE,
                    r.case_id,
                    r.last_error or "中心服务器拒绝了公示",
                    r.updated_at,
                    case_id=r.case_id,
                    detail=r.decision_number,
                )
                for r in publications
            ]
            items = s.execute(
                select(SyncReferenceItemRow)
                .where(SyncReferenceItemRow.reason.is_not(None))
                .order_by(SyncReferenceItemRow.received_at.desc())
            ).scalars()
            others += [
                SyncNotice(
                    REFERENCE_NOTICE,
                    f"{r.kind}/{r.item_id}",
                    r.reason or "",
                    r.received_at,
                    detail=r.kind,
                    version=r.version,
                )
                for r in items
            ]
        others.sort(key=lambda n: n.at, reverse=True)
        return found + others

    # ------------------------------------------------------------ tasks

    def task_link(self, task_id: str) -> TaskLink | None:
        """The link of one task to the case made from it (None when not linked)."""
        return next((link for link in self.task_links() if link.task_id == task_id), None)

    def case_for_task(self, task_id: str) -> str | None:
        """The case made from the task: the link, else a case whose data names the task (a case
        made just before a crash, whose link was not written yet)."""
        with self._session() as s:
            linked = s.execute(
                select(SyncTaskCaseRow.case_id).where(SyncTaskCaseRow.task_id == task_id)
            ).scalar_one_or_none()
            if linked is not None:
                return linked
            return s.execute(
                select(CaseRow.id)
                .where(func.json_extract(CaseRow.data, "$.source_task_id") == task_id)
                .order_by(CaseRow.created_at)
                .limit(1)
            ).scalar_one_or_none()

    def link_task(self, task_id: str, case_id: str) -> None:
        with self._session(commit=True) as s:
            if s.get(SyncTaskCaseRow, task_id) is None:
                s.add(SyncTaskCaseRow(task_id=task_id, case_id=case_id, created_at=_now()))

    def task_acked(self, task_id: str, status: str) -> None:
        with self._session(commit=True) as s:
            row = s.get(SyncTaskCaseRow, task_id)
            if row is None:
                return
            if status == "accepted" and row.accepted_at is None:
                row.accepted_at = _now()
            if status == "done" and row.done_at is None:
                row.done_at = _now()
                row.accepted_at = row.accepted_at or row.done_at

    def task_links(self, *, unfinished: bool = False) -> list[TaskLink]:
        """The cases made from tasks; ``unfinished``: only those whose ``done`` has not been
        acknowledged (what the acknowledgement step reads, not every task ever accepted)."""
        query = select(SyncTaskCaseRow, CaseRow.stage, CaseRow.closed_on).outerjoin(
            CaseRow, CaseRow.id == SyncTaskCaseRow.case_id
        )
        if unfinished:
            query = query.where(SyncTaskCaseRow.done_at.is_(None))
        with self._session() as s:
            rows = s.execute(query.order_by(SyncTaskCaseRow.created_at, SyncTaskCaseRow.task_id)).all()
            return [
                TaskLink(
                    link.task_id,
                    link.case_id,
                    link.accepted_at,
                    link.done_at,
                    closed_on is not None or stage in HANDLED_STAGES,
                )
                for link, stage, closed_on in rows
            ]

    def server_case(self, case_id: str) -> bool:
        """Whether the case is on the server (its upsert was acknowledged)."""
        with self._session() as s:
            version = s.execute(
                select(SyncCaseRow.server_version).where(SyncCaseRow.case_id == case_id)
            ).scalar_one_or_none()
            return bool(version)

    # ------------------------------------------------------------ evidence files of pulled cases

    def evidence_mark(self) -> int:
        """The ``updated_seq`` up to which every synced case's evidence files are here."""
        with self._session() as s:
            mark = s.execute(
                select(SyncCursorRow.cursor).where(SyncCursorRow.stream == EVIDENCE_FILES_STREAM)
            ).scalar_one_or_none()
        return int(mark) if mark and mark.isdigit() else 0

    def set_evidence_mark(self, updated_seq: int) -> None:
        with self._session(commit=True) as s:
            set_cursor(s, EVIDENCE_FILES_STREAM, str(updated_seq))

    def missing_evidence(self, after_seq: int = 0) -> tuple[list[PulledEvidence], int]:
        """Evidence the server's copy of a synced case lists (``sync_cases.base``, with its file's
        SHA-256) that has no ``evidence`` row here — a case pulled from another device whose file
        was not here when the case was applied —, among the cases whose ``updated_seq`` is above
        ``after_seq``; and the largest ``updated_seq`` of those cases (``after_seq`` if none)."""
        with self._session() as s:
            rows = s.execute(
                select(SyncCaseRow.case_id, SyncCaseRow.base, SyncCaseRow.updated_seq)
                .join(CaseRow, CaseRow.id == SyncCaseRow.case_id)
                .where(
                    SyncCaseRow.updated_seq > after_seq,
                    SyncCaseRow.base.is_not(None),
                    text(NOT_TRAINING),
                )
                .order_by(SyncCaseRow.updated_seq, SyncCaseRow.case_id)
            ).all()
            found: list[PulledEvidence] = []
            for case_id, base, updated_seq in rows:
                listed = json.loads(base or "{}").get("evidence") or {}
                items = [
                    i for i in listed.values() if isinstance(i, dict) and i.get("id") and i.get("sha256")
                ]
                if not items:
                    continue
                ids = [str(i["id"]) for i in items]
                have = set(s.execute(select(EvidenceRow.id).where(EvidenceRow.id.in_(ids))).scalars())
                found += [
                    PulledEvidence(case_id, dict(i), updated_seq)
                    for i in sorted(items, key=lambda i: str(i["id"]))
                    if i["id"] not in have
                ]
            return found, max((r.updated_seq for r in rows), default=after_seq)

    def add_pulled_evidence(self, pulled: PulledEvidence, attachment_id: str) -> bool:
        """Insert the evidence row of a pulled case once its file is stored (as applying the case
        does when the file is here); False when the row or the case is not to be written."""
        item = pulled.item
        with self._session(commit=True) as s:
            if s.get(EvidenceRow, item["id"]) is not None or s.get(CaseRow, pulled.case_id) is None:
                return False
            s.add(pulled_evidence_row(s, pulled.case_id, item, attachment_id))
            return True


# ---------------------------------------------------------------- helpers (in a session)


def _stored(row: SyncReferenceItemRow) -> StoredReference:
    return StoredReference(
        row.kind,
        row.item_id,
        row.version,
        row.state,
        row.reason,
        row.target_id,
        json.loads(row.payload) if row.payload else None,
    )


def _taken(s: Session, item: ReferenceItem) -> bool:
    row = s.get(SyncReferenceItemRow, (item.kind, item.item_id))
    return row is not None and row.state in (APPLIED, DELETED) and row.version >= item.version


def _record(s: Session, item: ReferenceItem, state: str, reason: str | None, target: str | None) -> None:
    row = s.get(SyncReferenceItemRow, (item.kind, item.item_id))
    values: dict[str, Any] = {
        "version": item.version,
        "updated_seq": item.updated_seq,
        "deleted": item.deleted,
        "township_code": item.township_code,
        "payload": None if item.payload is None else _dumps(dict(item.payload)),
        "state": state,
        "reason": reason,
        "received_at": _now(),
    }
    if target is not None or row is None:
        values["target_id"] = target
    if row is None:
        s.add(SyncReferenceItemRow(kind=item.kind, item_id=item.item_id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    s.flush()


def _holiday_payloads(s: Session) -> list[dict[str, Any]]:
    rows = s.execute(
        select(SyncReferenceItemRow.payload)
        .where(
            SyncReferenceItemRow.kind == "holidays",
            SyncReferenceItemRow.state == APPLIED,
            SyncReferenceItemRow.payload.is_not(None),
        )
        .order_by(SyncReferenceItemRow.item_id)
    ).scalars()
    return [json.loads(p) for p in rows if p]


def _officer_target(s: Session, item: ReferenceItem) -> str | None:
    """The local officer an item became before (by the recorded target)."""
    row = s.get(SyncReferenceItemRow, (item.kind, item.item_id))
    return row.target_id if row is not None else None


def _agency_for(s: Session, item: ReferenceItem) -> str:
    township_code = item.township_code
    if township_code:
        same = s.execute(select(AgencyRow.id).where(AgencyRow.code == township_code)).scalar_one_or_none()
        if same is not None:
            return same
    agencies = s.execute(select(AgencyRow.id, AgencyRow.is_sample).order_by(AgencyRow.code)).all()
    real = [a for a, sample in agencies if not sample]
    if len(real) == 1:
        return real[0]
    if not real and len(agencies) == 1:
        return str(agencies[0][0])
    raise ItemRefused(
        item.item_id,
        f"无法确定执法人员所属的执法主体（乡镇代码 {township_code or '未给出'}）。",
        "请先在本机设置本乡镇的执法主体（代码与中心服务器的乡镇代码一致）。",
    )


def _store_officer(s: Session, item: ReferenceItem, entry: OfficerEntry, target: str | None) -> str:
    officer_id = target or entry.officer_id or str(uuid.uuid5(OFFICER_NAMESPACE, item.item_id))
    row = s.get(OfficerRow, officer_id)
    holder = s.execute(
        select(OfficerRow).where(OfficerRow.certificate_no == entry.certificate_no)
    ).scalar_one_or_none()
    if row is None and holder is not None:
        row = holder  # the same 执法证: the same officer, already here under another id
    elif row is not None and holder is not None and holder.id != row.id:
        raise ItemRefused(
            item.item_id,
            f"执法证号 {entry.certificate_no} 在本机已属于另一名执法人员（{holder.name}），"
            f"未能更新执法人员 {entry.name}。",
            "请核对中心服务器下发的执法人员信息。",
        )
    if row is None:
        row = OfficerRow(
            id=officer_id,
            agency_id=_agency_for(s, item),
            name=entry.name,
            certificate_no=entry.certificate_no,
            certificate_valid_from=entry.valid_from,
            certificate_valid_until=entry.valid_until,
            roles=entry.roles or "officer",
            is_active=entry.active,
            row_version=1,
        )
        s.add(row)
        s.flush()
        return row.id
    values: dict[str, Any] = {
        "name": entry.name,
        "certificate_no": entry.certificate_no,
        "certificate_valid_from": entry.valid_from,
        "certificate_valid_until": entry.valid_until,
        "is_active": entry.active,
    }
    if entry.roles:
        values["roles"] = entry.roles
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    if changed:
        row.row_version += 1
    s.flush()
    return row.id


def _publication(row: SyncPublicationRow) -> PublicationState:
    return PublicationState(
        row.case_id,
        row.idempotency_key,
        row.decision_number,
        row.published_on,
        row.content,
        row.publication_id,
        row.status,
        row.withdraw_reason,
        row.last_error,
    )


__all__ = [
    "ALARM_NOTICE",
    "ANCHORED",
    "APPLIED",
    "DELETED",
    "MISMATCH",
    "PUBLICATION_NOTICE",
    "PUB_PENDING",
    "PUB_PUBLISHED",
    "PUB_REFUSED",
    "PUB_WITHDRAWN",
    "REFERENCE_NOTICE",
    "REFUSED",
    "AnchorAlarm",
    "AnchorCandidate",
    "DecisionFacts",
    "ItemRefused",
    "OfficerEntry",
    "PartyFacts",
    "PublicationState",
    "PublishCandidate",
    "ReferenceItem",
    "SqlReferenceSync",
    "StoredReference",
    "SyncNotice",
    "TaskLink",
    "cursor_stream",
]
