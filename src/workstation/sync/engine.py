"""The offline-first sync engine (no Qt): push the outbox, pull changes and tasks, upload files.

:meth:`SyncEngine.run_once` is one sync (docs/SYNC.md):

1. handshake — :class:`UpgradeRequired` stops with an upgrade message; a server whose instance
   id changed or whose ``high_water`` is below what this machine saw acknowledged was restored
   from an older backup: what it lacks is queued again (cases, events, files) and the cursors
   start over;
2. push — per case, in the order its work was queued: the case upsert first (a version
   conflict fetches the server's document, merges three ways, records conflicts and pushes the
   merged document with the new version), then its 全过程记录 events in order (a record that
   forked while both sides worked offline is continued on the server by rebased copies of this
   machine's events); a refused record is quarantined with the server's reason and the rest
   goes on; transient failures are retried with jittered exponential backoff;
3. pull — the changes feed, each page applied (merged) with its cursor in one transaction,
   then the events the server has beyond this machine's record, and the task feed;
4. attachments — their own lane, chunked and resumable, one stuck file never blocks records;
5. check — the documents pushed are read back and their digests compared; the events each
   batch carried are counted against what the server accepted or already had.

One engine runs at a time per data directory (:class:`~workstation.sync.lock.SyncLock`).
``WORKSTATION_SYNC_CRASH_AT=<point>[:<n>]`` ends the process with ``os._exit(137)`` the n-th
time (default first) it passes a named point — ``local_write``, ``send``, ``ack``,
``pull_applied``, ``chunk_sent`` (an ``after_`` prefix is accepted) — for crash-safety tests.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from workstation.domain.errors import KnownError
from workstation.domain.merge import MISSING
from workstation.domain.ports import CredentialStore
from workstation.domain.record import CaseEvent, append, canonical_json, genesis_hash
from workstation.domain.sync_ports import (
    CaseLocked,
    OfficerInfo,
    Page,
    RecordRejected,
    RetryableError,
    ServerCase,
    ServerInfo,
    ServerRestored,
    SessionExpired,
    SyncError,
    SyncGateway,
    Task,
    TokenListener,
    Tokens,
    UpgradeRequired,
    VersionConflict,
)
from workstation.persistence.sync_store import (
    EVENT,
    INFLIGHT,
    PENDING,
    QUARANTINED,
    REBASE_NAMESPACE,
    UPSERT,
    EventsAck,
    OutboxOp,
    RemoteCase,
    SqlSyncStore,
    UpsertAck,
    UpsertFix,
    document_digest,
    event_body,
    event_from_body,
)
from workstation.services.sync import META_LAST_CONTACT, META_LAST_SUCCESS, META_LAST_SYNC, summary_text
from workstation.sync.backoff import Backoff
from workstation.sync.lock import SyncLock

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from workstation.paths import DataPaths
    from workstation.settings import SettingsStore
    from workstation.sync.steps import SyncSteps

log = logging.getLogger(__name__)

T = TypeVar("T")

CRASH_ENV = "WORKSTATION_SYNC_CRASH_AT"
CRASH_POINTS = ("local_write", "send", "ack", "pull_applied", "chunk_sent")
CHANGES_STREAM = "changes"
TASKS_STREAM = "tasks"
#: Events per request (the server's limit).
EVENT_BATCH = 500
#: Cases whose upsert bodies are fixed in one transaction before their requests, and whose
#: acknowledgements are recorded in one transaction after them.
PUSH_BLOCK = 32
#: Rounds of one case's event push within a run (each acknowledges a batch or rebuilds one).
_MAX_ROUNDS = 1000
#: A ``seq`` no record reaches: a probe event there is always refused with the server's head.
_PROBE_SEQ = 2**40


@runtime_checkable
class EventFeed(Protocol):
    """Optional gateway capability: read a case's events from the server (GET …/events).

    With it the engine also brings other devices' events into this machine's record and skips
    events already rebased onto the server; without it, the server's head is learnt from its
    refusals.
    """

    def pull_events(self, case_id: str, after_seq: int, limit: int = 500) -> Page[CaseEvent]: ...


class CrashPoints:
    """The crash hook of the module doc (a no-op unless the variable is set)."""

    def __init__(self, spec: str | None) -> None:
        self._name: str | None = None
        self._count = 1
        self._seen = 0
        if spec:
            name, _, count = spec.partition(":")
            self._name = name.removeprefix("after_")
            self._count = int(count) if count.isdigit() and int(count) > 0 else 1

    @classmethod
    def from_env(cls) -> CrashPoints:
        return cls(os.environ.get(CRASH_ENV))

    def __call__(self, point: str) -> None:
        if self._name != point:
            return
        self._seen += 1
        if self._seen >= self._count:
            log.warning("sync crash point %s reached: exiting with 137", point)
            logging.shutdown()
            os._exit(137)


@dataclass
class SyncReport:
    """What one run did; ``errors`` are Chinese messages for people."""

    pushed_cases: int = 0
    pushed_events: int = 0
    pulled: int = 0
    pulled_events: int = 0
    conflicts: int = 0
    quarantined: int = 0
    attachments: int = 0
    tasks: int = 0
    requeued: int = 0
    rebased: int = 0
    verified: int = 0
    reference: int = 0
    published: int = 0
    withdrawn: int = 0
    anchored: int = 0
    anchor_alarms: int = 0
    tasks_acked: int = 0
    mismatches: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    needs_login: bool = False
    upgrade_required: bool = False
    server_restored: bool = False
    offline: bool = False

    @property
    def pushed(self) -> int:
        return self.pushed_cases + self.pushed_events

    @property
    def ok(self) -> bool:
        return not (self.errors or self.needs_login or self.upgrade_required or self.offline)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "pushed": self.pushed,
            "pushed_cases": self.pushed_cases,
            "pushed_events": self.pushed_events,
            "pulled": self.pulled,
            "pulled_events": self.pulled_events,
            "conflicts": self.conflicts,
            "quarantined": self.quarantined,
            "attachments": self.attachments,
            "tasks": self.tasks,
            "requeued": self.requeued,
            "rebased": self.rebased,
            "verified": self.verified,
            "reference": self.reference,
            "published": self.published,
            "withdrawn": self.withdrawn,
            "anchored": self.anchored,
            "anchor_alarms": self.anchor_alarms,
            "tasks_acked": self.tasks_acked,
            "mismatches": list(self.mismatches),
            "errors": list(self.errors),
            "needs_login": self.needs_login,
            "upgrade_required": self.upgrade_required,
            "server_restored": self.server_restored,
            "offline": self.offline,
        }


class _Stop(Exception):
    """Ends the run early (the report already says why)."""


@dataclass
class _Block:
    """Cases read ahead of their push: their operations and the upserts to fix."""

    ops: dict[str, list[OutboxOp]]
    fixes: dict[str, UpsertFix]
    #: The events of the first batches marked sent with the fixes, by operation id.
    events: dict[str, CaseEvent] = field(default_factory=dict)


def _remote(case: ServerCase) -> RemoteCase:
    return RemoteCase(
        case_id=case.case_id,
        version=case.version,
        updated_seq=case.updated_seq,
        case_number=case.case_number,
        review_status=case.review_status,
        locked=case.locked,
        document=dict(case.document),
    )


def _task_dict(task: Task) -> dict[str, Any]:
    return {
        "id": task.task_id,
        "kind": task.kind,
        "township_code": task.township_code,
        "title": task.title,
        "description": task.description,
        "location": task.location,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "source": task.source,
        "evidence_sha256": list(task.evidence_sha256),
        "status": task.status,
        "case_id": task.case_id,
        "version": task.version,
        "updated_seq": task.updated_seq,
    }


def _head_stub(case_id: str, seq: int, head_hash: str) -> CaseEvent:
    """Enough of a chain head for :func:`append` to continue it."""
    return CaseEvent(
        event_id="server-head",
        case_id=case_id,
        seq=seq,
        occurred_at=dt.datetime.now(dt.UTC),
        actor_id=None,
        actor_role="server",
        action="head",
        changes=(),
        payload={},
        prev_hash="",
        hash=head_hash,
    )


def rebased_copy(original: CaseEvent, head_seq: int, head_hash: str | None) -> CaseEvent:
    """``original`` re-sealed to follow the server's head (a deterministic new event id), with
    ``rebased_from`` naming the original's id, seq and hash."""
    parent = head_hash or genesis_hash(original.case_id)
    return append(
        None if head_seq == 0 else _head_stub(original.case_id, head_seq, parent),
        case_id=original.case_id,
        actor_id=original.actor_id,
        actor_role=original.actor_role,
        action=original.action,
        occurred_at=original.occurred_at,
        changes=original.changes,
        payload={
            **original.payload,
            "rebased_from": {"event_id": original.event_id, "seq": original.seq, "hash": original.hash},
        },
        event_id=str(uuid.uuid5(REBASE_NAMESPACE, f"{original.event_id}:{parent}")),
    )


class SyncEngine:
    """One sync at a time against ``gateway`` (see the module doc)."""

    def __init__(
        self,
        store: SqlSyncStore,
        gateway: SyncGateway,
        lock: SyncLock,
        *,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        crash: CrashPoints | None = None,
        chunk_bytes: int = 1024 * 1024,
        page_size: int = 500,
        steps: SyncSteps | None = None,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._store = store
        self._steps = steps
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._gateway = gateway
        self._lock = lock
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._crash = crash if crash is not None else CrashPoints.from_env()
        self._chunk = chunk_bytes
        self._page = page_size
        self._pushed: set[str] = set()
        #: This run's acknowledgements: the version of each case's upsert and the server's head
        #: after its events; and the digest of each case as the changes feed served it.
        self._acked_version: dict[str, int] = {}
        self._acked_head: dict[str, int] = {}
        self._served: dict[str, tuple[int, str]] = {}
        #: Event operations marked sent in the transaction that fixed their case's upsert.
        self._premarked: set[str] = set()
        #: Their events, read with their block (an event operation's body never changes).
        self._parsed: dict[str, CaseEvent] = {}
        #: Acknowledgements received but not recorded yet (see :meth:`_flush_acks`).
        self._acks: list[UpsertAck | EventsAck] = []
        #: This run's handshake ``high_water`` when the server's feeds follow it (else None):
        #: a feed read to its end at that mark has nothing new (:meth:`_current`).
        self._read_mark: int | None = None

    @property
    def gateway(self) -> SyncGateway:
        """The gateway this engine talks through (its login, token refresh, version check)."""
        return self._gateway

    def call(self, call: Callable[[], T]) -> T:
        """``call`` under the engine's retry policy (jittered backoff honouring Retry-After),
        for work beside a run that holds the sync lock (e.g. accepting a task)."""
        return self._retrying(call)

    # ------------------------------------------------------------ the run

    def run_once(self) -> SyncReport:
        """One sync; SyncAlreadyRunning (Chinese) when another engine holds the lock."""
        with self._lock:
            report = SyncReport()
            self._pushed = set()
            self._acked_version, self._acked_head, self._served = {}, {}, {}
            self._premarked, self._parsed = set(), {}
            self._acks = []
            self._read_mark = None
            try:
                info = self._retrying(self._gateway.handshake)
                self._check_restore(info, report)
                self._read_mark = info.high_water if info.feeds_follow_high_water else None
                self._push(report)
                self._pull(report)
                self._pull_tasks(report)
                self._upload_files(report)
                self._run_steps(report)
                self._verify(report)
            except _Stop:
                pass
            except ServerRestored as exc:
                report.errors.append(exc.user_text())
                self._recover(report, None)
            except SessionExpired as exc:
                report.needs_login = True
                report.errors.append(exc.user_text())
            except UpgradeRequired as exc:
                report.upgrade_required = True
                report.errors.append(exc.user_text())
            except RetryableError as exc:
                report.offline = True
                report.errors.append(f"{exc.message}（本机数据已保存，联网后自动继续）")
            log.info("sync run: %s", {k: v for k, v in report.as_dict().items() if v})
            self._record_run(report)
            return report

    def _record_run(self, report: SyncReport) -> None:
        """The time and outcome of this run in the sync meta, as the desktop shows them
        (``last_sync``; ``last_contact_at`` when the server answered; ``last_success_at`` when
        all went well), whoever started it (the GUI, ``workstation sync``, a timer)."""
        at = self._now().astimezone(dt.UTC).isoformat()
        contact = not report.offline
        values = {
            META_LAST_SYNC: json.dumps(
                {
                    "at": at,
                    "ok": report.ok,
                    "contact": contact,
                    "summary": summary_text(report),
                    "errors": list(report.errors),
                    "needs_login": report.needs_login,
                },
                ensure_ascii=False,
            )
        }
        if contact:
            values[META_LAST_CONTACT] = at
        if report.ok:
            values[META_LAST_SUCCESS] = at
        try:
            self._store.set_metas(values)
        except KnownError as exc:  # the run itself is done and recorded where it matters
            log.warning("last sync not recorded: %s", exc.code)

    def _run_steps(self, report: SyncReport) -> None:
        """Reference data, 公示, anchors and task acknowledgements (sync/steps.py)."""
        if self._steps is None:
            return
        done = self._steps.run(self._gateway, self._retrying, high_water=self._read_mark)
        report.reference += done.reference.total
        report.published += done.publications.published
        report.withdrawn += done.publications.withdrawn
        report.anchored += done.anchors.anchored
        report.anchor_alarms += done.anchors.alarms
        report.tasks_acked += done.tasks.accepted + done.tasks.done
        report.errors += done.errors

    def _retrying(self, call: Callable[[], T], op_ids: Sequence[str] = ()) -> T:
        """``call`` retried on RetryableError with backoff; re-raised once the run gives up."""
        attempt = 0
        while True:
            try:
                return call()
            except RetryableError as exc:
                attempt += 1
                delay = self._backoff.delay(attempt, exc.retry_after)
                if self._backoff.gives_up(attempt, delay):
                    if op_ids:
                        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=delay)
                        self._store.note_failure(op_ids, exc.message, later)
                    raise
                log.info("retrying in %.2fs after %s", delay, exc.code)
                self._sleep(delay)

    # ------------------------------------------------------------ handshake, restore

    def _check_restore(self, info: ServerInfo, report: SyncReport) -> None:
        known_instance = self._store.meta("instance_id")
        seen = self._store.high_water()
        if known_instance is None:
            self._store.set_meta("instance_id", info.instance_id)
            return
        if known_instance != info.instance_id or info.high_water < seen:
            log.warning(
                "central server restored or replaced (instance %s→%s, high water %d < %d)",
                known_instance,
                info.instance_id,
                info.high_water,
                seen,
            )
            self._recover(report, info)

    def _recover(self, report: SyncReport, info: ServerInfo | None) -> None:
        """Queue again whatever the server lacks, and start the feeds over."""
        info = info or self._retrying(self._gateway.handshake)
        report.server_restored = True
        for case_id in self._store.synced_cases():
            remote = self._retrying(partial(self._gateway.get_case, case_id))
            if remote is None:
                self._store.requeue_upsert(case_id, reset_version=True)
                report.requeued += 1 + self._store.requeue_events(case_id, 0)
                continue
            self._store.merge_remote(_remote(remote), force=True)
            self._store.set_server_head(case_id, 0, None)
            report.requeued += self._store.requeue_events(case_id, 0)
        self._store.lane_restart()
        self._store.reset_cursors()
        self._store.set_meta("instance_id", info.instance_id)
        self._store.set_meta("high_water", str(info.high_water))

    # ------------------------------------------------------------ push

    def _push(self, report: SyncReport) -> None:
        """Push the cases with work, :data:`PUSH_BLOCK` at a time: the new upserts' bodies of a
        block are fixed in one transaction (:meth:`_fix`), then each case is sent, and the
        acknowledgements are recorded in one transaction at the end of the block. While a block
        is sent, the next one is read on a worker thread (:meth:`_read`: reads only; every
        write stays on this thread).

        An acknowledgement not recorded yet only means its operation is still in the outbox: a
        crash before it is recorded sends it again with the same key and bytes, and the server
        answers it as before. Every step that reads or changes what an acknowledgement changes
        records the waiting ones first (:meth:`_flush_acks`); so does the end of the push,
        whatever ends it."""
        cases = self._store.cases_with_work()
        blocks = [cases[start : start + PUSH_BLOCK] for start in range(0, len(cases), PUSH_BLOCK)]
        if not blocks:
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-read") as reader:
            ahead: Future[_Block] = reader.submit(self._read, blocks[0])
            try:
                for number, block in enumerate(blocks):
                    found = self._fix(ahead.result())
                    if number + 1 < len(blocks):
                        ahead = reader.submit(self._read, blocks[number + 1])
                    for case_id in block:
                        self._push_case(case_id, report, found.get(case_id))
                    self._flush_acks()
            finally:
                self._flush_acks()

    def _flush_acks(self) -> None:
        """Record the acknowledgements received and not yet recorded, in one transaction."""
        if not self._acks:
            return
        acks, self._acks = self._acks, []
        self._store.record_acks(acks)
        for _ in acks:
            self._crash("ack")

    def _read(self, block: Sequence[str]) -> _Block:
        """The block's operations and the bodies of its waiting upserts (reads only).

        When a case's first event batch can follow its upsert at once (no other upsert queued,
        no event in flight or quarantined, the record continues the server's head), it is
        marked sent with the body (it may reach the server from then on)."""
        found = self._store.ops_of(block)
        fixes: dict[str, UpsertFix] = {}
        parsed: dict[str, CaseEvent] = {}
        for case_id in block:
            ops = found.get(case_id, [])
            upserts = [o for o in ops if o.operation == UPSERT]
            if not upserts or upserts[0].state != PENDING or any(o.state == QUARANTINED for o in upserts):
                continue
            events = [o for o in ops if o.operation == EVENT]
            first = events[:EVENT_BATCH] if len(upserts) == 1 else []
            if first and any(o.state != PENDING for o in events):
                first = []  # a batch in flight or a quarantined event: the events' own loop decides
            fixes[case_id] = fix = self._fix_for(case_id, upserts[0].op_id, first)
            by_id = {o.op_id: o for o in first}
            for op_id in fix.send:
                parsed[op_id] = event_from_body(by_id[op_id].payload, case_id)
        return _Block(found, fixes, parsed)

    def _fix_for(self, case_id: str, op_id: str, first: Sequence[OutboxOp]) -> UpsertFix:
        """An upsert's arguments: the case's document against the server version known here
        (``first``: the event batch to mark sent with it, dropped unless it continues the
        server's head)."""
        source = self._store.upsert_source(case_id)
        state = source.state
        head_seq, head_hash = state.server_head_seq, state.server_head_hash
        if first and head_seq > 0 and not self._continues(first, head_seq, head_hash):
            first = []
        body = {
            "base_version": state.server_version,
            "fields": source.document,
            "case_number": state.case_number or source.local_number,
        }
        text = canonical_json(body).decode("utf-8")  # made here, off the sending thread
        return UpsertFix(op_id, body, tuple(o.op_id for o in first), source.seen, text)

    def _fix(self, block: _Block) -> dict[str, list[OutboxOp]]:
        """Fix the block's upserts in one transaction; the cases' operations as they then are
        (a case changed since it was read is left out: its operations are read again)."""
        found = block.ops
        if not block.fixes:
            return found
        fixed = list(block.fixes)
        texts = self._store.fix_upserts([block.fixes[case_id] for case_id in fixed])
        for text in texts:
            if text is not None:
                self._crash("local_write")
        for case_id, text in zip(fixed, texts, strict=True):
            fix = block.fixes[case_id]
            if text is None:
                del found[case_id]
                continue
            sent = set(fix.send)
            self._premarked |= sent
            self._parsed.update((op_id, block.events[op_id]) for op_id in sent if op_id in block.events)
            found[case_id] = [
                replace(o, state=INFLIGHT, payload=text)
                if o.op_id == fix.op_id
                else replace(o, state=INFLIGHT)
                if o.op_id in sent
                else o
                for o in found[case_id]
            ]
        return found

    def _push_case(self, case_id: str, report: SyncReport, known: list[OutboxOp] | None = None) -> None:
        """Push one case; ``known``: its operations as just read (None: read them)."""
        ops = known if known is not None else self._store.ops(case_id)
        for _ in range(8):
            upserts = [o for o in ops if o.operation == UPSERT]
            if any(o.state == QUARANTINED for o in upserts):
                return  # the case waits for a person (sync status shows why)
            if not upserts:
                break
            pushed = self._push_upsert(case_id, upserts[0], report, ops)
            if pushed is None:
                return
            ops = pushed
        if case_id in self._acked_version or self._store.server_head(case_id)[0] > 0:
            self._push_events(case_id, report, ops)

    def _push_upsert(
        self, case_id: str, op: OutboxOp, report: SyncReport, ops: Sequence[OutboxOp]
    ) -> list[OutboxOp] | None:
        """Send one upsert; the case's operations after it, None when the case cannot go on in
        this run. Its acknowledgement waits in :attr:`_acks`."""
        if op.state == PENDING:  # not fixed with its block (e.g. the merged upsert after a conflict)
            self._flush_acks()
            fix = self._fix_for(case_id, op.op_id, ())
            if self._store.fix_upserts([fix])[0] is None:
                return None  # the case is being changed here right now: the next run sends it
            body = dict(fix.body)
            self._crash("local_write")
        else:
            body = dict(json.loads(op.payload))
        try:
            ack = self._retrying(
                lambda: self._gateway.push_case(
                    case_id, body["fields"], body["base_version"], op.op_id, body["case_number"]
                ),
                [op.op_id],
            )
        except VersionConflict as exc:
            self._flush_acks()
            if exc.server_document is None:
                self._store.requeue_upsert(case_id, reset_version=True)
            else:
                conflicts = self._store.merge_remote(_remote(exc.server_document), replace_op=op.op_id)
                report.conflicts += len(conflicts)
            return self._store.ops(case_id)
        except CaseLocked as exc:
            self._flush_acks()
            self._store.quarantine(op.op_id, exc.code, exc.user_text())
            report.quarantined += 1
            if exc.server_document is not None:
                self._store.merge_remote(_remote(exc.server_document))
            return None
        except RecordRejected as exc:
            self._flush_acks()
            self._store.quarantine(op.op_id, exc.code, f"{exc.message}（{exc.code}）")
            report.quarantined += 1
            return None
        self._crash("send")
        self._acks.append(UpsertAck(op.op_id, _remote(ack)))
        self._pushed.add(case_id)
        self._acked_version[case_id] = ack.version
        report.pushed_cases += 1
        return [o for o in ops if o.op_id != op.op_id]

    def _known_head(self, case_id: str) -> tuple[int, str | None]:
        self._flush_acks()
        _, head_seq, head_hash = self._store.server_head(case_id)
        return head_seq, head_hash

    def _push_events(self, case_id: str, report: SyncReport, known: Sequence[OutboxOp] | None = None) -> None:
        """Push the case's events in batches; ``known``: its operations as just read (or None)."""
        rejections = 0
        for _ in range(_MAX_ROUNDS):
            if known is None:
                self._flush_acks()
            source = known if known is not None else self._store.ops(case_id)
            known = None
            ops = [o for o in source if o.operation == EVENT]
            if not ops or any(o.state == QUARANTINED for o in ops):
                return
            inflight = [o for o in ops if o.state == INFLIGHT]
            if inflight:
                batch = inflight[:EVENT_BATCH]  # exactly what may have reached the server, again
            else:
                head_seq, head_hash = self._known_head(case_id)
                batch = ops[:EVENT_BATCH]
                if head_seq > 0 and not self._continues(batch, head_seq, head_hash):
                    self._rebase(case_id, ops, head_seq, head_hash, report)
                    continue
            events = [self._event(o, case_id) for o in batch]
            ids = [o.op_id for o in batch]
            if not set(ids) <= self._premarked:  # else marked sent when its upsert was fixed
                self._store.mark_sent(ids)
            self._premarked.difference_update(ids)
            try:
                ack = self._retrying(partial(self._gateway.push_events, case_id, events), ids)
            except RecordRejected as exc:
                self._flush_acks()
                rejections += 1
                outcome = (
                    "quarantine" if rejections > 4 else self._after_rejection(case_id, batch, exc, report)
                )
                if outcome == "quarantine":
                    self._store.quarantine(batch[0].op_id, exc.code, f"{exc.message}（{exc.code}）")
                    report.quarantined += 1
                if outcome != "retry":
                    return
                continue
            self._crash("send")
            if ack.accepted + ack.duplicates != len(batch):
                report.mismatches.append(
                    f"案件 {case_id}：上传 {len(batch)} 条记录，服务器确认 {ack.accepted + ack.duplicates} 条"
                )
            self._acks.append(EventsAck(case_id, ids, ack.head_seq, ack.head_hash))
            self._pushed.add(case_id)
            self._acked_head[case_id] = ack.head_seq
            report.pushed_events += len(batch)
            if len(batch) == len(source):
                return  # the case's last operations (new ones wait for the next run)
        log.warning("events of case %s still waiting after %d rounds", case_id, _MAX_ROUNDS)

    def _event(self, op: OutboxOp, case_id: str) -> CaseEvent:
        """The event an operation carries (read with its block, or now)."""
        event = self._parsed.pop(op.op_id, None)
        return event if event is not None else event_from_body(op.payload, case_id)

    @staticmethod
    def _continues(batch: Sequence[OutboxOp], head_seq: int, head_hash: str | None) -> bool:
        first = event_from_body(batch[0].payload)
        return first.seq == head_seq + 1 and first.prev_hash == head_hash

    def _after_rejection(
        self, case_id: str, batch: Sequence[OutboxOp], exc: RecordRejected, report: SyncReport
    ) -> str:
        """React to a refused batch (nothing of it was stored): ``retry`` now, ``later`` (next
        run), or ``quarantine`` it."""
        if exc.code == "not_found":  # the server lost the case: upload it again first
            self._store.requeue_upsert(case_id, reset_version=True)
            self._reset(batch)
            return "later"
        if exc.code not in ("event_gap", "chain_conflict"):
            return "quarantine"
        head = self._server_head(case_id, exc)
        if head is None:
            return "quarantine"
        head_seq, head_hash = head
        self._store.set_server_head(case_id, head_seq, head_hash)
        self._reset(batch)
        local = {e.seq: e for e in self._store.local_events(case_id)}
        first = event_from_body(batch[0].payload)
        at_head = local.get(head_seq)
        if head_seq < first.seq - 1 and (
            head_seq == 0 or (at_head is not None and at_head.hash == head_hash)
        ):
            report.requeued += self._store.requeue_events(case_id, head_seq)  # the server lost events
            return "retry"
        ops = [o for o in self._store.ops(case_id) if o.operation == EVENT and o.state != QUARANTINED]
        self._rebase(case_id, ops, head_seq, head_hash, report)
        return "retry"

    def _reset(self, batch: Sequence[OutboxOp]) -> None:
        """A refused batch was not stored: its operations may be rebuilt."""
        self._store.reset_pending([o.op_id for o in batch])

    def _server_head(self, case_id: str, exc: RecordRejected) -> tuple[int, str | None] | None:
        details: Mapping[str, Any] = exc.details
        if exc.code == "event_gap" and isinstance(details.get("head_seq"), int):
            head_hash = details.get("head_hash")
            return int(details["head_seq"]), head_hash if isinstance(head_hash, str) else None
        if self._reads_events():
            events = self._server_events(case_id, 0)
            if events:
                return events[-1].seq, events[-1].hash
            return 0, None
        return self._probe_head(case_id)

    def _reads_events(self) -> bool:
        """Whether the gateway offers the events reader (a gateway made before it may not)."""
        gateway: object = self._gateway
        return isinstance(gateway, EventFeed)

    def _probe_head(self, case_id: str) -> tuple[int, str | None] | None:
        """The server's head, learnt from the refusal of an event no record can reach."""
        probe = append(
            _head_stub(case_id, _PROBE_SEQ - 1, "0" * 64),
            case_id=case_id,
            actor_id=None,
            actor_role="system",
            action="probe_head",
            occurred_at=dt.datetime.now(dt.UTC),
        )
        try:
            self._retrying(lambda: self._gateway.push_events(case_id, [probe]))
        except RecordRejected as exc:
            if exc.code == "event_gap" and isinstance(exc.details.get("head_seq"), int):
                head_hash = exc.details.get("head_hash")
                return int(exc.details["head_seq"]), head_hash if isinstance(head_hash, str) else None
            return None
        return None  # pragma: no cover - a server cannot accept the probe

    def _server_events(self, case_id: str, after_seq: int) -> list[CaseEvent]:
        assert isinstance(self._gateway, EventFeed)
        feed = self._gateway
        out: list[CaseEvent] = []
        cursor_seq = after_seq
        while True:
            page = self._retrying(partial(feed.pull_events, case_id, cursor_seq, EVENT_BATCH))
            out.extend(page.items)
            if not page.items or not page.has_more:
                return out
            cursor_seq = page.items[-1].seq

    def _rebase(
        self, case_id: str, ops: Sequence[OutboxOp], head_seq: int, head_hash: str | None, report: SyncReport
    ) -> None:
        """Continue the server's record with copies of this machine's events not yet on it."""
        on_server: set[str] = set()
        if isinstance(self._gateway, EventFeed):
            for event in self._server_events(case_id, 0):
                on_server.add(event.event_id)
                origin = event.payload.get("rebased_from")
                if isinstance(origin, Mapping) and isinstance(origin.get("event_id"), str):
                    on_server.add(origin["event_id"])
        local = {e.event_id: e for e in self._store.local_events(case_id)}
        seq, parent = head_seq, head_hash
        replace_ids: list[str] = []
        bodies: list[str] = []
        for op in sorted(ops, key=lambda o: o.seq or 0):
            if op.ref_id in on_server:
                self._store.drop_op(op.op_id)  # already there (an earlier copy was stored)
                continue
            current = event_from_body(op.payload, case_id)
            if current.seq == seq + 1 and current.prev_hash == (parent or genesis_hash(case_id)):
                seq, parent = current.seq, current.hash
                continue
            original = local.get(op.ref_id or "", current)
            copy = rebased_copy(original, seq, parent)
            replace_ids.append(op.op_id)
            bodies.append(event_body(copy))
            seq, parent = copy.seq, copy.hash
        if replace_ids:
            self._store.rebase(case_id, replace_ids, bodies)
            report.rebased += len(replace_ids)

    # ------------------------------------------------------------ pull

    def _current(self, stream: str) -> bool:
        """Whether ``stream`` was read to its end at this run's handshake high water: nothing
        was written on the server since, so there is nothing new to ask for."""
        return self._read_mark is not None and self._store.read_to(stream) == self._read_mark

    def _read_to_end(self, stream: str) -> None:
        if self._read_mark is not None:
            self._store.mark_read(stream, self._read_mark)

    def _pull(self, report: SyncReport) -> None:
        """The changes feed from its cursor to its end (not asked for when nothing was written
        on the server since it was last read to its end, and nothing was pushed in this run)."""
        if not self._pushed and self._current(CHANGES_STREAM):
            return
        cursor = self._store.cursor(CHANGES_STREAM)
        while True:
            page = self._retrying(partial(self._gateway.pull_changes, cursor, self._page))
            # The events of the page's cases are read before the page (and its cursor) is
            # applied: a failed read leaves the cursor where it was, so the next run reads the
            # page again instead of skipping those events for good.
            fetched: dict[str, list[CaseEvent]] = {}
            if self._reads_events():
                for case in page.items:
                    if not self._up_to_date(case):
                        local = self._store.local_events(case.case_id)
                        fetched[case.case_id] = self._server_events(
                            case.case_id, local[-1].seq if local else 0
                        )
            applied, conflicts = self._store.apply_pulled(
                CHANGES_STREAM, [_remote(c) for c in page.items], page.next_cursor
            )
            self._crash("pull_applied")
            report.pulled += applied
            report.conflicts += len(conflicts)
            for case in page.items:
                if case.case_id in self._pushed:
                    self._served[case.case_id] = (case.version, document_digest(case.document))
            for case_id, events in fetched.items():
                if events:
                    report.pulled_events += self._store.apply_remote_events(case_id, events)
            cursor = page.next_cursor
            if not page.has_more or not page.items:
                self._read_to_end(CHANGES_STREAM)
                return

    def _up_to_date(self, case: ServerCase) -> bool:
        """The feed serves the version this run's push was acknowledged with, and this run's
        last event batch left the server's record at this machine's head: nothing to read."""
        head = self._acked_head.get(case.case_id)
        return (
            head is not None
            and self._acked_version.get(case.case_id) == case.version
            and self._store.local_head_seq(case.case_id) == head
        )

    def _pull_tasks(self, report: SyncReport) -> None:
        if self._current(TASKS_STREAM):
            return
        cursor = self._store.cursor(TASKS_STREAM)
        while True:
            page = self._retrying(partial(self._gateway.pull_tasks, cursor, self._page))
            report.tasks += self._store.apply_tasks(
                TASKS_STREAM, [_task_dict(t) for t in page.items], page.next_cursor
            )
            cursor = page.next_cursor
            if not page.has_more or not page.items:
                self._read_to_end(TASKS_STREAM)
                return

    # ------------------------------------------------------------ attachments

    def _upload_files(self, report: SyncReport) -> None:
        self._store.scan_attachments()
        for item in self._store.lane():
            if item.state == QUARANTINED:
                continue
            try:
                self._upload(item.sha256, item.size, item.filename, item.media_type, item.path)
            except RecordRejected as exc:
                retry = exc.code == "hash_mismatch"
                self._store.lane_failed(
                    item.sha256, f"{exc.message}（{exc.code}）", quarantine=not retry, next_attempt_at=None
                )
                report.errors.append(f"附件 {item.filename} 未能上传：{exc.message}")
                continue
            except RetryableError as exc:
                self._store.lane_failed(item.sha256, exc.message, quarantine=False, next_attempt_at=None)
                report.errors.append(f"附件 {item.filename} 暂时未能上传，下次同步继续：{exc.message}")
                continue
            except OSError as exc:
                self._store.lane_failed(
                    item.sha256, f"本机附件文件无法读取：{exc}", quarantine=True, next_attempt_at=None
                )
                report.errors.append(f"附件 {item.filename} 的本机文件无法读取")
                continue
            self._store.lane_done(item.sha256)
            report.attachments += 1

    def _upload(self, sha256: str, size: int, filename: str, media_type: str, path: Path) -> None:
        state = self._retrying(lambda: self._gateway.start_upload(sha256, size, filename, media_type))
        if state.already_present or state.complete:
            return
        upload_id = state.upload_id
        if upload_id is None:
            raise RetryableError("服务器响应不完整（缺少上传编号），稍后重试", code="malformed_response")
        chunk = max(1, min(state.max_chunk_bytes, self._chunk))
        offset = state.offset
        mismatches = 0
        with path.open("rb") as fh:
            while offset < size:
                fh.seek(offset)
                data = fh.read(min(chunk, size - offset))
                if not data:
                    raise RecordRejected("file_changed", "附件文件被改动或截短，已停止上传")
                try:
                    offset = self._retrying(partial(self._gateway.send_chunk, upload_id, offset, data))
                except RecordRejected as exc:
                    server_offset = exc.details.get("offset")
                    if exc.code != "offset_mismatch" or not isinstance(server_offset, int) or mismatches >= 3:
                        raise
                    mismatches += 1
                    offset = server_offset
                self._store.lane_progress(sha256, upload_id, offset)
                self._crash("chunk_sent")
        self._retrying(lambda: self._gateway.complete_upload(upload_id))

    # ------------------------------------------------------------ check

    def _verify(self, report: SyncReport) -> None:
        """Read back the cases pushed in this run and compare document digests.

        A case the changes feed served after the push (at the version this machine knows) was
        read back by the pull: its digest is compared without another request."""
        digests = self._store.base_digests(sorted(self._pushed))
        for case_id in sorted(self._pushed):
            version, base_digest = digests.get(case_id, (0, None))
            served = self._served.get(case_id)
            if served is None or served[0] != version:
                remote = self._retrying(partial(self._gateway.get_case, case_id))
                if remote is None:
                    report.verified += 1
                    report.mismatches.append(f"案件 {case_id}：服务器上没有找到")
                    continue
                served = (remote.version, document_digest(remote.document))
            report.verified += 1
            if served[0] == version and base_digest is not None and served[1] != base_digest:
                report.mismatches.append(f"案件 {case_id}：服务器保存的内容与本机上传的不一致")


# ---------------------------------------------------------------- the façade for app and CLI


@dataclass(frozen=True, slots=True)
class StatusView:
    """``workstation sync status``: what waits, what the server refused, what needs a person."""

    server_url: str
    logged_in: bool
    officer_name: str | None
    pending_ops: int
    pending_cases: int
    pending_attachments: int
    quarantined: tuple[dict[str, Any], ...]
    conflicts: tuple[dict[str, Any], ...]
    tasks: int
    high_water: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "server_url": self.server_url,
            "logged_in": self.logged_in,
            "officer_name": self.officer_name,
            "pending": self.pending_ops,
            "pending_cases": self.pending_cases,
            "pending_attachments": self.pending_attachments,
            "quarantined": list(self.quarantined),
            "conflicts": list(self.conflicts),
            "tasks": self.tasks,
            "high_water": self.high_water,
        }


class NotLoggedIn(KnownError):
    code = "not_logged_in"

    def __init__(self) -> None:
        super().__init__("尚未登录中心服务器，无法同步。", "请先运行 workstation login --server 地址 登录。")


class NoSuchConflict(KnownError):
    code = "conflict_not_found"

    def __init__(self, conflict_id: str) -> None:
        super().__init__(
            f"没有找到待处理的冲突：{conflict_id}", "请用 workstation sync status 查看冲突编号。"
        )


#: Builds the gateway for a server URL, with the device id and the token listener.
GatewayFactory = Callable[[str, str, TokenListener], SyncGateway]


class SyncClient:
    """Login, logout, sync, status, resolve and retry over one data directory (used by app.py).

    Tokens live only in ``credentials`` (the OS keyring), under the account
    ``central:<server url>``; the server URL lives in the settings.
    """

    def __init__(
        self,
        store: SqlSyncStore,
        credentials: CredentialStore,
        gateway_factory: GatewayFactory,
        server_url: Callable[[], str],
        save_server_url: Callable[[str], None],
        run_dir: Path,
        current_officer: Callable[[], tuple[str | None, str | None]],
        now: Callable[[], dt.datetime],
        steps: Callable[[], SyncSteps] | None = None,
    ) -> None:
        self.store = store
        self._steps = steps
        self._credentials = credentials
        self._factory = gateway_factory
        self._server_url = server_url
        self._save_server_url = save_server_url
        self._run_dir = run_dir
        self._current_officer = current_officer
        self._now = now

    @staticmethod
    def _account(url: str) -> str:
        return f"central:{url.rstrip('/')}"

    def _gateway(self, url: str) -> SyncGateway:
        def keep(tokens: Tokens | None) -> None:
            if tokens is None:
                self._credentials.delete(self._account(url))
            else:
                self._credentials.set(self._account(url), _tokens_json(tokens))

        return self._factory(url, self.store.device_id(), keep)

    def login(self, url: str, username: str, password: str) -> Tokens:
        url = url.rstrip("/")
        gateway = self._gateway(url)
        try:
            gateway.handshake()
            tokens = gateway.login(username, password, self.store.device_id())
        finally:
            _close(gateway)
        self._save_server_url(url)
        return tokens

    def logout(self) -> bool:
        url = self._server_url()
        if not url:
            return False
        gateway = self._gateway(url)
        tokens = self._stored_tokens(url)
        try:
            if tokens is not None:
                gateway.set_tokens(tokens)
                gateway.logout()
        except SyncError as exc:
            log.info("logout not confirmed: %s", exc.code)
        finally:
            _close(gateway)
            self._credentials.delete(self._account(url))
        return tokens is not None

    def _stored_tokens(self, url: str) -> Tokens | None:
        raw = self._credentials.get(self._account(url))
        return _tokens_from_json(raw) if raw else None

    def engine(self, **options: Any) -> tuple[SyncEngine, Callable[[], None]]:
        """An engine over the stored login, and the function that closes its gateway."""
        url = self._server_url()
        tokens = self._stored_tokens(url) if url else None
        if not url or tokens is None:
            raise NotLoggedIn()
        gateway = self._gateway(url)
        gateway.set_tokens(tokens)
        if self._steps is not None and "steps" not in options:
            options["steps"] = self._steps()
        engine = SyncEngine(self.store, gateway, SyncLock(self._run_dir), **options)
        return engine, lambda: _close(gateway)

    def run(self, **options: Any) -> SyncReport:
        engine, close = self.engine(**options)
        try:
            return engine.run_once()
        finally:
            close()

    def status(self) -> StatusView:
        url = self._server_url()
        tokens = self._stored_tokens(url) if url else None
        counts = self.store.counts()
        officer = tokens.officer if tokens is not None else None
        return StatusView(
            server_url=url,
            logged_in=tokens is not None,
            officer_name=officer.name if officer is not None else None,
            pending_ops=counts.pending_ops,
            pending_cases=counts.pending_cases,
            pending_attachments=counts.pending_attachments,
            quarantined=tuple(q.as_dict() for q in self.store.quarantined()),
            conflicts=tuple(c.as_dict() for c in self.store.conflicts()),
            tasks=counts.tasks,
            high_water=self.store.high_water(),
        )

    def resolve(self, conflict_id: str, take: str) -> dict[str, Any]:
        """Decide a conflict: ``local``, ``remote`` or a value (JSON, else text)."""
        conflict = self.store.conflict(conflict_id)
        if conflict is None or conflict.status != "open":
            raise NoSuchConflict(conflict_id)
        if take == "local":
            value = conflict.local
        elif take == "remote":
            value = conflict.remote
        else:
            try:
                value = json.loads(take)
            except ValueError:
                value = take
        officer_id, officer_name = self._current_officer()
        url = self._server_url()
        tokens = self._stored_tokens(url) if url else None
        login_name = tokens.officer.name if tokens is not None and tokens.officer is not None else None
        name = officer_name or login_name or "本机"
        event = self.store.resolve(
            conflict.id, value, resolved_by=name, actor_id=officer_id or None, now=self._now()
        )
        resolved = replace(conflict, status="resolved", resolution=value, resolved_by=name)
        return {
            **resolved.as_dict(),
            "event_id": event.event_id,
            "value": None if value is MISSING else value,
        }

    def retry(self, op_id: str | None = None) -> int:
        return self.store.retry(op_id)


def _close(gateway: object) -> None:
    close = getattr(gateway, "close", None)
    if callable(close):
        close()


def _tokens_json(tokens: Tokens) -> str:
    officer = tokens.officer
    return json.dumps(
        {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "access_expires_at": tokens.access_expires_at.isoformat(),
            "refresh_expires_at": tokens.refresh_expires_at.isoformat()
            if tokens.refresh_expires_at
            else None,
            "officer": None
            if officer is None
            else {
                "officer_id": officer.officer_id,
                "username": officer.username,
                "name": officer.name,
                "township_code": officer.township_code,
                "township_name": officer.township_name,
            },
        },
        ensure_ascii=False,
    )


def _tokens_from_json(raw: str) -> Tokens | None:
    try:
        data = json.loads(raw)
        officer = data.get("officer")
        return Tokens(
            access_token=data["access_token"],
            refresh_token=data["refresh_token"],
            access_expires_at=dt.datetime.fromisoformat(data["access_expires_at"]),
            refresh_expires_at=dt.datetime.fromisoformat(data["refresh_expires_at"])
            if data.get("refresh_expires_at")
            else None,
            officer=OfficerInfo(**officer) if isinstance(officer, dict) else None,
        )
    except (ValueError, KeyError, TypeError):
        log.warning("stored sync tokens unreadable; a new login is needed")
        return None


def make_sync_client(
    engine: Engine,
    paths: DataPaths,
    settings_store: SettingsStore,
    credentials: CredentialStore,
    now: Callable[[], dt.datetime],
    steps: Callable[[], SyncSteps] | None = None,
) -> SyncClient:
    """The SyncClient over the central server's API v1 (CentralV1Gateway), for app.py."""
    from workstation import __version__
    from workstation.sync.central_v1 import CentralV1Gateway

    def gateway(url: str, device_id: str, on_tokens: TokenListener) -> SyncGateway:
        return CentralV1Gateway(url, client_version=__version__, device_id=device_id, on_tokens=on_tokens)

    def save_url(url: str) -> None:
        settings_store.save(replace(settings_store.load(), central_server_url=url))

    def officer() -> tuple[str | None, str | None]:
        settings = settings_store.load()
        return settings.current_officer_id or None, settings.current_officer_name or None

    return SyncClient(
        SqlSyncStore(engine, paths.root),
        credentials,
        gateway,
        lambda: settings_store.load().central_server_url,
        save_url,
        paths.sessions,
        officer,
        now,
        steps,
    )
