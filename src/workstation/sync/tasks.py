"""What a person does with the results of the sync steps (no Qt): accept a pushed task into a
case, attach a clue's files that could not be downloaded, and read what needs looking at.

:class:`SyncDesk` is used by services/sync.py (the 工作台 and the 同步 page) and by
cli_sync.py (``workstation sync tasks | accept | status``); app.py builds it.

Accepting a task (发现—推送—处理; 《中华人民共和国行政处罚法》第五十四条: a clue is registered
and checked so the case can be filed in time):

1. The stored task (``sync_tasks``) is found; a task already linked to a case returns that case
   (never a second one), and so does a task the server already records as accepted into a case
   this machine has.
2. With a login and the server reachable, the case is made by :func:`steps.case_from_task` at
   线索登记 with the officer at this desk as actor and 承办人, the clue's files are downloaded
   (checked by SHA-256) and added as 电子数据 (第四十六条), and the server is told
   (:func:`steps.accept_task`).
3. Without a login, without the network, or while another sync holds the lock, the case is
   still made and linked here: the next sync sends the acknowledgement
   (:func:`steps.acknowledge_tasks`) and :meth:`SyncDesk.attach_pending`, which runs after every
   sync started by this app, downloads the files not yet on the case. Nothing is lost: the
   task keeps its files on the server and its link here; running 转为案件 again also retries.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workstation.domain.errors import KnownError, NotFound
from workstation.domain.sync_ports import (
    RecordRejected,
    RetryableError,
    SessionExpired,
    SyncGateway,
    Task,
    UpgradeRequired,
)
from workstation.persistence.reference_sync import SqlReferenceSync, SyncNotice
from workstation.sync import steps
from workstation.sync.backoff import Backoff
from workstation.sync.lock import SyncAlreadyRunning, SyncLock

if TYPE_CHECKING:
    from workstation.services.cases import CaseService
    from workstation.services.evidence import EvidenceService
    from workstation.sync.engine import SyncClient

log = logging.getLogger(__name__)

#: Retries of one request when a person waits for the answer (short: the offline path is fine).
INTERACTIVE_BACKOFF = Backoff(base=0.3, cap=2.0, max_attempts=3, max_wait=5.0)
#: How long :meth:`SyncDesk.accept` waits for a running sync before working offline.
LOCK_WAIT_SECONDS = 10.0

STATUS_LABELS = {"open": "待处理", "accepted": "已受理", "done": "已办结"}
KIND_LABELS = {"clue": "线索", "task": "任务"}


class NoOfficer(KnownError):
    code = "no_officer"

    def __init__(self) -> None:
        super().__init__(
            "转为案件须有承办的执法人员，但本机尚未选择当前用户。",
            "请先选择当前用户（图形界面：切换用户；命令行：--as 执法人员编号）。",
        )


class TaskTaken(KnownError):
    code = "task_taken"


@dataclass(frozen=True, slots=True)
class TaskAcceptance:
    """The outcome of :meth:`SyncDesk.accept`."""

    task_id: str
    title: str
    case_id: str
    #: A case was made now (False: the case made before was returned).
    created: bool
    #: The server has recorded the acceptance (now or before).
    acknowledged: bool
    files_total: int
    files_attached: int
    #: SHA-256 of the clue's files not yet on the case.
    files_missing: tuple[str, ...]
    #: Chinese notes for the person (offline, files to follow, a refusal).
    notes: tuple[str, ...]

    @property
    def text(self) -> str:
        head = (
            f"已将“{self.title}”转为案件（线索登记）：{self.case_id}。"
            if self.created
            else f"“{self.title}”已转为案件 {self.case_id}，未重复立案。"
        )
        files = (
            f"所附材料 {self.files_attached}/{self.files_total} 个已作为电子数据附入案件。"
            if self.files_total
            else ""
        )
        sent = "已报送中心服务器（已受理）。" if self.acknowledged else ""
        return "".join((head, files, sent, *self.notes))

    def as_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "title": self.title,
            "case_id": self.case_id,
            "created": self.created,
            "acknowledged": self.acknowledged,
            "files_total": self.files_total,
            "files_attached": self.files_attached,
            "files_missing": list(self.files_missing),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class _Connection:
    gateway: SyncGateway
    retrying: steps.Retrying


def _offline_note(reason: str, files: int) -> str:
    note = f"{reason}：案件已在本机登记，受理情况将在下次同步时报送中心服务器。"
    if files:
        note += (
            f"线索所附 {files} 个材料文件需联网下载，联网同步后将自动作为电子数据附入案件"
            "（也可联网后再点“转为案件”）。"
        )
    return note


class SyncDesk:
    """Pushed tasks accepted into cases, clue files attached later, and the steps' notices."""

    def __init__(
        self,
        client: SyncClient,
        store: SqlReferenceSync,
        cases: Callable[[], CaseService],
        evidence: Callable[[], EvidenceService],
        today: Callable[[], dt.date],
        run_dir: Path,
        *,
        backoff: Backoff = INTERACTIVE_BACKOFF,
        lock_wait: float = LOCK_WAIT_SECONDS,
    ) -> None:
        self._client = client
        self.store = store
        self._cases = cases
        self._evidence = evidence
        self._today = today
        self._run_dir = run_dir
        self._backoff = backoff
        self._lock_wait = lock_wait

    # ------------------------------------------------------------ reading

    def tasks(self) -> list[dict[str, Any]]:
        """The stored tasks, each with what this machine did with it: ``status`` is the server's
        unless a case was made here (then ``accepted``, or ``done`` once the case is finished),
        ``case_id`` the case, ``acknowledged`` whether the server has heard."""
        links = {link.task_id: link for link in self.store.task_links()}
        shown: list[dict[str, Any]] = []
        for raw in self._client.store.tasks():
            task = dict(raw)
            server_status = str(task.get("status") or "open")
            link = links.get(str(task.get("id")))
            task["server_status"] = server_status
            if link is not None:
                task["case_id"] = link.case_id
                local = "done" if link.case_handled else "accepted"
                task["status"] = max(server_status, local, key=lambda st: _STATUS_ORDER.get(st, 0))
                task["acknowledged"] = (link.done_at if local == "done" else link.accepted_at) is not None
            else:
                task["acknowledged"] = server_status != "open"
            shown.append(task)
        return shown

    def notices(self) -> list[SyncNotice]:
        """Anchor alarms, refused 公示 and refused reference items (SqlReferenceSync.notices)."""
        return self.store.notices()

    # ------------------------------------------------------------ accepting

    def _stored(self, task_id: str) -> Task:
        wanted = task_id.strip()
        rows = self._client.store.tasks()
        raw = next((r for r in rows if str(r.get("id")) == wanted), None)
        if raw is None and len(wanted) >= 6:
            starting = [r for r in rows if str(r.get("id", "")).startswith(wanted)]
            raw = starting[0] if len(starting) == 1 else None
        if raw is None:
            raise NotFound(
                f"本机没有编号为 {task_id} 的推送任务。",
                "请先同步，再用 workstation sync tasks（或工作台“省平台推送任务”）查看任务编号。",
            )
        return steps.task_from_stored(raw)

    def _case_exists(self, case_id: str) -> bool:
        try:
            self._cases().show(case_id, self._today())
        except NotFound:
            return False
        return True

    def accept(self, task_id: str, officer_id: str | None) -> TaskAcceptance:
        """Make (or find) the case of a pushed task and tell the server (see the module doc)."""
        task = self._stored(task_id)
        existing = self.store.case_for_task(task.task_id)
        if existing is None and task.case_id and task.status != "open":
            if not self._case_exists(task.case_id):
                raise TaskTaken(
                    f"该任务已由其他工作站受理为案件 {task.case_id}，本机尚未收到该案件。",
                    "请先同步，案件下载到本机后即可在“案件”中打开。",
                )
            existing = task.case_id
            self.store.link_task(task.task_id, existing)  # the server's case, never a second one
        elif existing is None and task.status == "done":
            raise TaskTaken("该任务在中心服务器上已办结，不能再转为案件。")
        actor = officer_id or (self._lead(existing) if existing else None)
        if not actor:
            raise NoOfficer()
        notes: list[str] = []
        acknowledged = False
        with self._connection() as connection:
            if isinstance(connection, str):
                offline = replace(task, evidence_sha256=())
                case_id = self._make(offline, actor, None)
                link = self.store.task_link(task.task_id)
                waiting = len(self._missing(task, case_id))
                if waiting or link is None or link.accepted_at is None:
                    notes.append(_offline_note(connection, waiting))
            else:
                try:
                    case_id = self._make(task, actor, connection)
                except (RetryableError, SessionExpired, UpgradeRequired) as exc:
                    case_id = self._made(task, exc)
                    notes.append(
                        _offline_note(f"材料未能下载（{exc.message}）", len(self._missing(task, case_id)))
                    )
                else:
                    acknowledged, note = self._acknowledge(task, case_id, connection)
                    if note:
                        notes.append(note)
        missing = self._missing(task, case_id)
        if acknowledged is False:
            link = self.store.task_link(task.task_id)
            acknowledged = link is not None and link.accepted_at is not None
        return TaskAcceptance(
            task_id=task.task_id,
            title=task.title,
            case_id=case_id,
            created=existing is None,
            acknowledged=acknowledged,
            files_total=len(task.evidence_sha256),
            files_attached=len(task.evidence_sha256) - len(missing),
            files_missing=tuple(missing),
            notes=tuple(notes),
        )

    def _made(self, task: Task, exc: KnownError) -> str:
        """The case case_from_task made before ``exc`` stopped it (it links before downloading)."""
        case_id = self.store.case_for_task(task.task_id)
        if case_id is None:
            raise exc
        return case_id

    def _lead(self, case_id: str) -> str | None:
        officers = self._cases().show(case_id, self._today()).value.case.officer_ids
        return officers[0] if officers else None

    def _make(self, task: Task, actor: str, connection: _Connection | None) -> str:
        return steps.case_from_task(
            task,
            cases=self._cases(),
            evidence=self._evidence(),
            gateway=connection.gateway if connection is not None else _NO_GATEWAY,
            store=self.store,
            actor_id=actor,
            opened_on=self._today(),
            officer_ids=(actor,),
            retrying=connection.retrying if connection is not None else steps.call_once,
        )

    def _acknowledge(self, task: Task, case_id: str, connection: _Connection) -> tuple[bool, str]:
        link = self.store.task_link(task.task_id)
        if link is not None and link.accepted_at is not None:
            return True, ""
        try:
            steps.accept_task(
                connection.gateway, self.store, task.task_id, case_id, retrying=connection.retrying
            )
        except RecordRejected as exc:
            log.warning("task %s acceptance refused: %s", task.task_id, exc.code)
            return False, (
                f"中心服务器未接受受理报送：{exc.message}。案件已在本机登记，"
                "请核对该任务在省平台上的状态；如系重复受理，可对本案作不予立案处理。"
            )
        except (RetryableError, SessionExpired, UpgradeRequired) as exc:
            return False, f"受理情况暂未报送（{exc.message}），将在下次同步时报送。"
        return True, ""

    def _missing(self, task: Task, case_id: str) -> list[str]:
        have = {item.sha256 for item in self._evidence().list(case_id).value if item.sha256}
        return [sha for sha in task.evidence_sha256 if sha not in have]

    # ------------------------------------------------------------ files after a sync

    def attach_pending(self) -> list[str]:
        """Download the files of accepted clues not yet on their case (after a sync); Chinese
        lines for the report: what was attached, or why not. Quiet when nothing waits."""
        waiting: list[tuple[Task, str]] = []
        stored = {str(r.get("id")): r for r in self._client.store.tasks()}
        for link in self.store.task_links():
            raw = stored.get(link.task_id)
            if raw is None or link.case_handled or not raw.get("evidence_sha256"):
                continue
            task = steps.task_from_stored(raw)
            if self._missing(task, link.case_id):
                waiting.append((task, link.case_id))
        if not waiting:
            return []
        lines: list[str] = []
        with self._connection() as connection:
            if isinstance(connection, str):
                return [f"{len(waiting)} 个案件的线索材料尚未下载（{connection}），联网同步后自动下载。"]
            for task, case_id in waiting:
                actor = self._lead(case_id)
                if actor is None:
                    continue
                before = len(self._missing(task, case_id))
                try:
                    self._make(task, actor, connection)
                except (RetryableError, SessionExpired, UpgradeRequired, RecordRejected) as exc:
                    lines.append(f"“{task.title}”的线索材料未能下载：{exc.message}（下次同步时重试）")
                    continue
                except KnownError as exc:
                    lines.append(f"“{task.title}”的线索材料未能附入案件 {case_id}：{exc.message}")
                    continue
                lines.append(f"“{task.title}”的线索材料 {before} 个已下载并附入案件 {case_id}。")
        return lines

    # ------------------------------------------------------------ the server

    @contextmanager
    def _connection(self) -> Iterator[_Connection | str]:
        """A gateway over the stored login with the sync lock held, or why there is none."""
        from workstation.sync.engine import NotLoggedIn

        try:
            engine, close = self._client.engine(steps=None, backoff=self._backoff)
        except NotLoggedIn:
            yield "尚未登录中心服务器"
            return
        except KnownError as exc:  # e.g. the keyring is unavailable
            yield f"无法使用中心服务器的登录（{exc.message}）"
            return
        try:
            lock = SyncLock(self._run_dir)
            if not self._acquire(lock):
                yield "另一个同步正在进行"
                return
            try:
                # The engine's gateway and retry policy: the same login, token refresh and backoff
                # as a sync run, without running one.
                yield _Connection(engine.gateway, engine.call)
            finally:
                lock.release()
        finally:
            close()

    def _acquire(self, lock: SyncLock) -> bool:
        deadline = time.monotonic() + self._lock_wait
        while True:
            try:
                lock.acquire()
            except SyncAlreadyRunning:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.2)
            else:
                return True


_STATUS_ORDER = {"open": 0, "accepted": 1, "done": 2}


class _NoGateway:
    """Stands in for the gateway when a case is made offline (its files are not asked for)."""

    def download(self, sha256: str, sink: Any) -> int:
        raise RetryableError("未连接中心服务器", code="network")


_NO_GATEWAY: Any = _NoGateway()


def task_rows(tasks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Tasks as ``workstation sync tasks`` prints them (JSON)."""
    return [
        {
            "id": str(t.get("id")),
            "kind": str(t.get("kind") or "clue"),
            "kind_label": KIND_LABELS.get(str(t.get("kind")), str(t.get("kind") or "任务")),
            "title": str(t.get("title") or ""),
            "description": str(t.get("description") or ""),
            "location": str(t.get("location") or ""),
            "deadline": t.get("deadline"),
            "source": str(t.get("source") or ""),
            "files": len(t.get("evidence_sha256") or ()),
            "status": str(t.get("status") or "open"),
            "status_label": STATUS_LABELS.get(str(t.get("status")), str(t.get("status") or "")),
            "server_status": str(t.get("server_status") or t.get("status") or "open"),
            "case_id": t.get("case_id"),
            "acknowledged": bool(t.get("acknowledged")),
        }
        for t in tasks
    ]


__all__ = [
    "INTERACTIVE_BACKOFF",
    "KIND_LABELS",
    "STATUS_LABELS",
    "NoOfficer",
    "SyncDesk",
    "TaskAcceptance",
    "TaskTaken",
    "task_rows",
]
