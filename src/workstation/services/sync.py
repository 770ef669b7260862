"""同步 for the desktop: what the sync page, the status bar and the 工作台 show.

:class:`SyncService` wraps the sync client that app.py injects (``workstation.sync.engine.
SyncClient``, typed here by the :class:`SyncClientPort` protocol so this module imports no
HTTP, SQL or keyring code). Every method returns frozen dataclasses with Chinese texts ready to
show. The time and outcome of the last sync started here are kept in the sync store's meta
table (``last_sync``, ``last_success_at``, ``last_contact_at``), beside the cursors, so they
survive a restart; tokens stay in the OS keyring (the client's business), the password is
never kept.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from workstation.domain.clock import CHINA_TZ
from workstation.domain.errors import InvalidInput, KnownError
from workstation.domain.formatting import chinese_date
from workstation.domain.merge import MISSING
from workstation.domain.sync_ports import Tokens
from workstation.domain.vocabulary import FIELD_LABELS, value_text
from workstation.services.changes import Changes, Result, Topic

if TYPE_CHECKING:
    from workstation.domain.workflow import WorkflowDefinition

log = logging.getLogger(__name__)

#: Meta keys of the sync store written by this service.
META_LAST_SYNC = "last_sync"
META_LAST_SUCCESS = "last_success_at"
META_LAST_CONTACT = "last_contact_at"
#: A contact with the server older than this many sync intervals no longer counts as online.
ONLINE_INTERVALS = 2
#: ... but never less than this.
MIN_ONLINE_WINDOW = dt.timedelta(minutes=10)

Take = Literal["local", "remote", "manual"]


# ---------------------------------------------------------------- the client it wraps


class SyncReportLike(Protocol):
    """What one run reports (``workstation.sync.engine.SyncReport``)."""

    @property
    def pushed_cases(self) -> int: ...
    @property
    def pushed_events(self) -> int: ...
    @property
    def pulled(self) -> int: ...
    @property
    def pulled_events(self) -> int: ...
    @property
    def conflicts(self) -> int: ...
    @property
    def quarantined(self) -> int: ...
    @property
    def attachments(self) -> int: ...
    @property
    def tasks(self) -> int: ...
    @property
    def requeued(self) -> int: ...
    @property
    def mismatches(self) -> list[str]: ...
    @property
    def errors(self) -> list[str]: ...
    @property
    def needs_login(self) -> bool: ...
    @property
    def upgrade_required(self) -> bool: ...
    @property
    def server_restored(self) -> bool: ...
    @property
    def offline(self) -> bool: ...
    @property
    def ok(self) -> bool: ...


class StatusViewLike(Protocol):
    """``SyncClient.status()`` (``workstation.sync.engine.StatusView``)."""

    @property
    def server_url(self) -> str: ...
    @property
    def logged_in(self) -> bool: ...
    @property
    def officer_name(self) -> str | None: ...
    @property
    def pending_ops(self) -> int: ...
    @property
    def pending_cases(self) -> int: ...
    @property
    def pending_attachments(self) -> int: ...
    @property
    def quarantined(self) -> tuple[dict[str, Any], ...]: ...
    @property
    def conflicts(self) -> tuple[dict[str, Any], ...]: ...
    @property
    def tasks(self) -> int: ...


class SyncStorePort(Protocol):
    """The parts of the sync store the service reads and writes."""

    def meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def tasks(self) -> list[dict[str, Any]]: ...


class TaskAcceptanceLike(Protocol):
    """What accepting a pushed task did (``workstation.sync.tasks.TaskAcceptance``)."""

    @property
    def task_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def case_id(self) -> str: ...
    @property
    def created(self) -> bool: ...
    @property
    def acknowledged(self) -> bool: ...
    @property
    def files_total(self) -> int: ...
    @property
    def files_attached(self) -> int: ...
    @property
    def files_missing(self) -> tuple[str, ...]: ...
    @property
    def notes(self) -> tuple[str, ...]: ...
    @property
    def text(self) -> str: ...


class NoticeLike(Protocol):
    """Something the sync steps kept for a person (``persistence.reference_sync.SyncNotice``)."""

    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def case_id(self) -> str | None: ...
    @property
    def detail(self) -> str: ...
    @property
    def version(self) -> int | None: ...


class SyncDeskPort(Protocol):
    """Tasks accepted into cases and the steps' notices (``workstation.sync.tasks.SyncDesk``)."""

    def tasks(self) -> list[dict[str, Any]]: ...
    def accept(self, task_id: str, officer_id: str | None) -> TaskAcceptanceLike: ...
    def attach_pending(self) -> list[str]: ...
    def notices(self) -> Sequence[NoticeLike]: ...


class SyncClientPort(Protocol):
    """Login, logout, run, status, resolve and retry (``workstation.sync.engine.SyncClient``)."""

    @property
    def store(self) -> SyncStorePort: ...
    def login(self, url: str, username: str, password: str) -> Tokens: ...
    def logout(self) -> bool: ...
    def run(self) -> SyncReportLike: ...
    def status(self) -> StatusViewLike: ...
    def resolve(self, conflict_id: str, take: str) -> dict[str, Any]: ...
    def retry(self, op_id: str | None = None) -> int: ...


# ---------------------------------------------------------------- what the UI shows


@dataclass(frozen=True, slots=True)
class LastSync:
    """The outcome of the last sync started on this machine."""

    at: dt.datetime
    ok: bool
    #: The server answered (even if it refused something).
    contact: bool
    summary: str
    errors: tuple[str, ...] = ()
    needs_login: bool = False


@dataclass(frozen=True, slots=True)
class QuarantineView:
    """A change the server refused: it waits for a person (重试 puts it back in line)."""

    op_id: str
    case_id: str
    what: str
    reason: str
    reason_code: str
    attempts: int
    quarantined_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ConflictView:
    """One field both sides changed differently since they last agreed."""

    id: str
    case_id: str
    case_title: str
    field: str
    field_label: str
    base_text: str
    local_text: str
    remote_text: str
    #: The local value as an editable text (the start of 手工填写).
    local_edit: str


@dataclass(frozen=True, slots=True)
class NoticeView:
    """An anchor alarm, a refused 公示 or a refused reference item, for a person to look at."""

    kind: str
    kind_label: str
    subject: str
    reason: str
    at: dt.datetime
    case_id: str | None
    #: An anchor alarm (the record may have been altered): shown first and in red.
    alarm: bool


@dataclass(frozen=True, slots=True)
class SyncStatus:
    configured: bool
    server_url: str
    logged_in: bool
    officer_name: str | None
    online: bool
    last: LastSync | None
    last_success_at: dt.datetime | None
    pending_records: int
    pending_cases: int
    pending_attachments: int
    quarantined: tuple[QuarantineView, ...]
    conflicts: tuple[ConflictView, ...]
    tasks: int
    #: Why the status could not be read completely (e.g. the keyring is unavailable).
    problem: str = ""
    #: Anchor alarms, refused 公示 and refused reference items.
    notices: tuple[NoticeView, ...] = ()

    @property
    def alarms(self) -> int:
        return sum(1 for n in self.notices if n.alarm)

    @property
    def pending(self) -> int:
        return self.pending_records + self.pending_attachments

    @property
    def login_text(self) -> str:
        if not self.configured:
            return "未登录（未配置省级平台，单机工作）"
        if not self.logged_in:
            return "未登录"
        return f"已登录：{self.officer_name or '（未知人员）'}"

    @property
    def network_text(self) -> str:
        return "在线" if self.online else "离线"

    def last_sync_text(self, now: dt.datetime) -> str:
        """``上次同步 14:05`` (a successful sync), or what is known instead."""
        if not self.configured:
            return "未配置省级平台，单机工作"
        if self.last_success_at is not None:
            return f"上次同步 {short_time(self.last_success_at, now)}"
        if self.last is not None:
            return "尚未同步成功"
        return "尚未同步"


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """One run, as the sync page shows it."""

    at: dt.datetime
    ok: bool
    pushed_cases: int
    pushed_events: int
    pulled: int
    pulled_events: int
    tasks: int
    attachments: int
    conflicts: int
    quarantined: int
    needs_login: bool
    offline: bool
    errors: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class LoginResult:
    server_url: str
    officer_name: str
    township_name: str


@dataclass(frozen=True, slots=True)
class ServerTask:
    """A task or clue pushed by the provincial platform (发现—推送—处理)."""

    id: str
    kind_label: str
    title: str
    description: str
    location: str
    deadline: dt.date | None
    status: str
    status_label: str
    source: str
    case_id: str | None
    #: The server has heard of this machine's acceptance (or the task was never accepted here).
    acknowledged: bool = True
    #: Files (材料) attached to the clue on the server.
    files: int = 0

    @property
    def deadline_text(self) -> str:
        return chinese_date(self.deadline) if self.deadline else "—"

    @property
    def can_accept(self) -> bool:
        """Open, or accepted into a case (转为案件 then opens that case)."""
        return self.status == "open" or self.case_id is not None


@dataclass(frozen=True, slots=True)
class TaskAccepted:
    """A pushed task made into a case (or the case made before)."""

    task_id: str
    case_id: str
    created: bool
    acknowledged: bool
    files_missing: int
    text: str


_KINDS = {"clue": "线索", "task": "任务"}
_STATUSES = {"open": "待处理", "accepted": "已受理", "done": "已办结"}
_NOTICE_LABELS = {
    "anchor_alarm": "锚定告警",
    "publication_refused": "公示被拒",
    "reference_refused": "参考数据未采用",
}
_REFERENCE_LABELS = {
    "officers": "执法人员",
    "holidays": "节假日表",
    "statutes": "法规包",
    "benchmarks": "裁量基准",
}
_OPERATIONS = {"upsert": "案件内容", "event": "全过程记录"}
#: The case document's top-level keys (docs/SYNC.md), as people call them.
_DOCUMENT_LABELS = {
    "agency": "执法主体",
    "kind": "程序类型",
    "title": "案由",
    "source": "案件来源",
    "stage": "阶段",
    "status": "案件状态",
    "opened_on": "登记日期",
    "closed_on": "结案日期",
    "item_code": "执法事项",
    "party_ids": "当事人",
    "officer_ids": "执法人员",
    "parties": "当事人",
    "officers": "执法人员",
    "evidence": "证据",
    "data": "案件信息",
}


def short_time(at: dt.datetime, now: dt.datetime) -> str:
    """``14:05`` today, ``11月25日 14:05`` another day (China time)."""
    local = at.astimezone(CHINA_TZ)
    today = now.astimezone(CHINA_TZ).date()
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return clock
    if local.year == today.year:
        return f"{local.month}月{local.day}日 {clock}"
    return f"{chinese_date(local.date())} {clock}"


def workflow_field_labels(definitions: Iterable[WorkflowDefinition]) -> dict[str, str]:
    """Field name → label from the workflows' forms, then the service's own fields."""
    labels: dict[str, str] = {}
    for definition in definitions:
        for action in definition.actions:
            for spec in action.required_fields:
                labels.setdefault(spec.name, spec.label)
    return {**labels, **FIELD_LABELS}


def field_label(path: str, labels: Mapping[str, str]) -> str:
    """A conflict's field path (``data.brief_facts``, ``parties.<id>.name``) in Chinese."""
    head, _, rest = path.partition(".")
    if head == "data" and rest:
        first = rest.split(".")[0]
        return labels.get(rest) or labels.get(first) or rest
    top = _DOCUMENT_LABELS.get(head) or labels.get(head) or head
    if not rest:
        return top
    leaf = rest.split(".")[-1]
    return f"{top}·{labels.get(leaf) or leaf}"


def _shown(path: str, value: Any) -> str:
    if value is MISSING or value is None:
        return "（空）"
    leaf = path.split(".")[-1]
    return value_text(leaf, value)


def _editable(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _parse_time(raw: Any) -> dt.datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        at = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _parse_date(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def summary_text(report: SyncReportLike) -> str:
    """One run in a sentence or two (the same counts ``workstation sync`` prints)."""
    if report.offline:
        return "无法连接中心服务器，本机数据已保存，联网后自动继续。"
    if report.needs_login:
        return "登录已失效，请重新登录后再同步。"
    if report.upgrade_required:
        return "工作站版本与中心服务器不兼容，请升级工作站。"
    text = (
        f"上传 {report.pushed_cases + report.pushed_events} 条（案件 {report.pushed_cases}，"
        f"记录 {report.pushed_events}），下载案件 {report.pulled} 件（记录 {report.pulled_events} 条），"
        f"任务 {report.tasks} 个，附件 {report.attachments} 个；"
        f"新冲突 {report.conflicts} 个，被拒收 {report.quarantined} 条。"
    )
    if report.server_restored:
        text += f"中心服务器曾从备份恢复，已重新排队 {report.requeued} 条数据上传。"
    return text


# ---------------------------------------------------------------- the service


class SyncService:
    """The sync page's use cases over the injected sync client (see the module doc).

    ``client`` is called on first use (on a worker thread), so the sync adapters, HTTP and
    SQLAlchemy load only then. ``interval_minutes`` is the background sync interval (settings).
    """

    def __init__(
        self,
        client: Callable[[], SyncClientPort],
        now: Callable[[], dt.datetime],
        interval_minutes: Callable[[], int],
        field_labels: Callable[[], Mapping[str, str]] = lambda: FIELD_LABELS,
        desk: Callable[[], SyncDeskPort] | None = None,
    ) -> None:
        self._make_client = client
        self._client: SyncClientPort | None = None
        self._make_desk = desk
        self._desk: SyncDeskPort | None = None
        self._now = now
        self._interval = interval_minutes
        self._make_labels = field_labels
        self._labels: Mapping[str, str] | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> SyncClientPort:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    @property
    def desk(self) -> SyncDeskPort | None:
        """Pushed tasks into cases and the steps' notices (None when not wired)."""
        with self._lock:
            if self._desk is None and self._make_desk is not None:
                self._desk = self._make_desk()
            return self._desk

    def _field_labels(self) -> Mapping[str, str]:
        if self._labels is None:
            self._labels = self._make_labels()
        return self._labels

    # ------------------------------------------------------------ status

    def status(self) -> Result[SyncStatus]:
        client = self.client
        try:
            view = client.status()
        except KnownError as exc:  # e.g. the keyring is unavailable: say so, show what is known
            log.warning("sync status incomplete: %s", exc.code)
            return Result(self._without_status(client, exc.message))
        last = self._last(client.store)
        now = self._now()
        success = _parse_time(client.store.meta(META_LAST_SUCCESS))
        contact = _parse_time(client.store.meta(META_LAST_CONTACT))
        window = max(MIN_ONLINE_WINDOW, dt.timedelta(minutes=ONLINE_INTERVALS * self._interval()))
        online = (
            view.logged_in
            and contact is not None
            and now - contact <= window
            and (last is None or last.contact or last.at < contact)
        )
        labels = self._field_labels()
        return Result(
            SyncStatus(
                configured=bool(view.server_url),
                server_url=view.server_url,
                logged_in=view.logged_in,
                officer_name=view.officer_name,
                online=online,
                last=last,
                last_success_at=success,
                pending_records=view.pending_ops,
                pending_cases=view.pending_cases,
                pending_attachments=view.pending_attachments,
                quarantined=tuple(self._quarantine(q) for q in view.quarantined),
                conflicts=tuple(self._conflict(c, labels) for c in view.conflicts),
                tasks=view.tasks,
                notices=self._notices(),
            )
        )

    def _notices(self) -> tuple[NoticeView, ...]:
        desk = self.desk
        if desk is None:
            return ()
        return tuple(notice_view(n) for n in desk.notices())

    def _without_status(self, client: SyncClientPort, problem: str) -> SyncStatus:
        return SyncStatus(
            configured=True,
            server_url="",
            logged_in=False,
            officer_name=None,
            online=False,
            last=self._last(client.store),
            last_success_at=_parse_time(client.store.meta(META_LAST_SUCCESS)),
            pending_records=0,
            pending_cases=0,
            pending_attachments=0,
            quarantined=(),
            conflicts=(),
            tasks=0,
            problem=problem,
            notices=self._notices(),
        )

    @staticmethod
    def _last(store: SyncStorePort) -> LastSync | None:
        raw = store.meta(META_LAST_SYNC)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            at = _parse_time(data["at"])
            if at is None:
                return None
            return LastSync(
                at=at,
                ok=bool(data["ok"]),
                contact=bool(data["contact"]),
                summary=str(data.get("summary") or ""),
                errors=tuple(str(e) for e in data.get("errors") or ()),
                needs_login=bool(data.get("needs_login")),
            )
        except (ValueError, KeyError, TypeError):
            log.warning("stored last sync unreadable")
            return None

    @staticmethod
    def _quarantine(item: Mapping[str, Any]) -> QuarantineView:
        return QuarantineView(
            op_id=str(item["op_id"]),
            case_id=str(item["case_id"]),
            what=_OPERATIONS.get(str(item.get("operation")), "数据"),
            reason=str(item.get("reason") or "中心服务器拒绝了这条数据"),
            reason_code=str(item.get("reason_code") or ""),
            attempts=int(item.get("attempts") or 0),
            quarantined_at=_parse_time(item.get("quarantined_at")),
        )

    @staticmethod
    def _conflict(item: Mapping[str, Any], labels: Mapping[str, str]) -> ConflictView:
        path = str(item["field"])
        return ConflictView(
            id=str(item["id"]),
            case_id=str(item["case_id"]),
            case_title=str(item.get("case_title") or item["case_id"]),
            field=path,
            field_label=field_label(path, labels),
            base_text=_shown(path, item.get("base")),
            local_text=_shown(path, item.get("local")),
            remote_text=_shown(path, item.get("remote")),
            local_edit=_editable(item.get("local")),
        )

    # ------------------------------------------------------------ login

    def login(self, url: str, username: str, password: str) -> Result[LoginResult]:
        url = url.strip().rstrip("/")
        username = username.strip()
        if not url.startswith(("http://", "https://")) or len(url) <= len("https://"):
            raise InvalidInput(
                "服务器地址无效，应以 http:// 或 https:// 开头。", "请填写省级平台提供的地址。"
            )
        if not username or not password:
            raise InvalidInput("请填写用户名和密码。")
        client = self.client
        tokens = client.login(url, username, password)
        self._contact(client.store)
        officer = tokens.officer
        return Result(
            LoginResult(
                server_url=url,
                officer_name=officer.name if officer else username,
                township_name=(officer.township_name or officer.township_code) if officer else "",
            ),
            Changes.of(Topic.SYNC, Topic.SETTINGS),
        )

    def logout(self) -> Result[bool]:
        return Result(self.client.logout(), Changes.of(Topic.SYNC))

    def _contact(self, store: SyncStorePort) -> None:
        store.set_meta(META_LAST_CONTACT, self._now().astimezone(dt.UTC).isoformat())

    # ------------------------------------------------------------ run

    def run(self) -> Result[SyncSummary]:
        """One sync now; NotLoggedIn or SyncAlreadyRunning (Chinese) when it cannot start."""
        client = self.client
        report = client.run()
        at = self._now()
        text = summary_text(report)
        if self.desk is not None and not report.offline and not report.needs_login:
            try:
                attached = self.desk.attach_pending()
            except KnownError as exc:  # the run itself is recorded either way
                log.warning("clue files not attached: %s", exc.code)
                attached = [f"线索材料未能附入案件：{exc.message}"]
            if attached:
                text += "\n" + "\n".join(attached)
        contact = not report.offline
        store = client.store
        store.set_meta(
            META_LAST_SYNC,
            json.dumps(
                {
                    "at": at.astimezone(dt.UTC).isoformat(),
                    "ok": report.ok,
                    "contact": contact,
                    "summary": text,
                    "errors": list(report.errors),
                    "needs_login": report.needs_login,
                },
                ensure_ascii=False,
            ),
        )
        if contact:
            self._contact(store)
        if report.ok:
            store.set_meta(META_LAST_SUCCESS, at.astimezone(dt.UTC).isoformat())
        summary = SyncSummary(
            at=at,
            ok=report.ok,
            pushed_cases=report.pushed_cases,
            pushed_events=report.pushed_events,
            pulled=report.pulled,
            pulled_events=report.pulled_events,
            tasks=report.tasks,
            attachments=report.attachments,
            conflicts=report.conflicts,
            quarantined=report.quarantined,
            needs_login=report.needs_login,
            offline=report.offline,
            errors=tuple(report.errors) + tuple(f"核对：{m}" for m in report.mismatches),
            text=text,
        )
        return Result(summary, Changes.of(Topic.SYNC, Topic.CASES))

    # ------------------------------------------------------------ conflicts and quarantine

    def resolve(self, conflict_id: str, take: Take, text: str = "") -> Result[ConflictView]:
        """Decide a conflict: this machine's value, the server's, or ``text`` typed by hand
        (read as a number, 是/否 or a list when the field holds one)."""
        client = self.client
        current = next((c for c in client.status().conflicts if str(c["id"]) == conflict_id), None)
        if current is None:
            raise InvalidInput("这个冲突已经处理过或不存在。", "请刷新同步页后再看。")
        if take == "manual":
            value = _manual_value(text, current.get("local"), current.get("remote"))
            choice = json.dumps(value, ensure_ascii=False)
        else:
            choice = take
        client.resolve(conflict_id, choice)
        return Result(self._conflict(current, self._field_labels()), Changes.of(Topic.SYNC, Topic.CASES))

    def retry(self, op_id: str | None = None) -> Result[int]:
        """Put refused changes (one, or all) back in line for the next sync."""
        return Result(self.client.retry(op_id), Changes.of(Topic.SYNC))

    # ------------------------------------------------------------ tasks

    def tasks(self) -> Result[tuple[ServerTask, ...]]:
        """Tasks and clues the last syncs brought: open ones first, the nearest deadline first."""
        desk = self.desk
        made = [_task(t) for t in (desk.tasks() if desk is not None else self.client.store.tasks())]
        order = {"open": 0, "accepted": 1, "done": 2}
        made.sort(key=lambda t: (order.get(t.status, 3), t.deadline or dt.date.max, t.title))
        return Result(tuple(made))

    def accept_task(self, task_id: str, officer_id: str | None) -> Result[TaskAccepted]:
        """转为案件: the pushed task becomes a case at 线索登记 with ``officer_id`` (the officer at
        this desk) as 承办人 — or the case made before is returned. Online the clue's files are
        attached and the server told; offline the case is still made and the rest follows with
        the next sync (the text says so)."""
        desk = self.desk
        if desk is None:
            raise InvalidInput("本机未配置省级平台的推送任务处理。")
        done = desk.accept(task_id, officer_id)
        return Result(
            TaskAccepted(
                task_id=done.task_id,
                case_id=done.case_id,
                created=done.created,
                acknowledged=done.acknowledged,
                files_missing=len(done.files_missing),
                text=done.text,
            ),
            Changes.of(Topic.SYNC, Topic.CASES),
        )


def notice_view(notice: NoticeLike) -> NoticeView:
    """A notice of the steps with its subject in Chinese."""
    if notice.kind == "reference_refused":
        kind, _, item_id = notice.subject.partition("/")
        version = f"（第{notice.version}版）" if notice.version is not None else ""
        subject = f"{_REFERENCE_LABELS.get(kind, kind)} {item_id}{version}"
    elif notice.kind == "publication_refused":
        subject = f"案件 {notice.case_id or notice.subject}" + (
            f"（{notice.detail}）" if notice.detail else ""
        )
    else:
        seq = f"第{notice.version}条记录" if notice.version is not None else ""
        subject = f"案件 {notice.case_id or notice.subject}" + (f"（{seq}）" if seq else "")
    return NoticeView(
        kind=notice.kind,
        kind_label=_NOTICE_LABELS.get(notice.kind, notice.kind),
        subject=subject,
        reason=notice.reason,
        at=notice.at if notice.at.tzinfo else notice.at.replace(tzinfo=dt.UTC),
        case_id=notice.case_id,
        alarm=notice.kind == "anchor_alarm",
    )


def _task(raw: Mapping[str, Any]) -> ServerTask:
    kind = str(raw.get("kind") or "")
    status = str(raw.get("status") or "")
    acknowledged = bool(raw.get("acknowledged", True))
    label = _STATUSES.get(status, status)
    if status in ("accepted", "done") and not acknowledged:
        label += "（待报送）"
    return ServerTask(
        id=str(raw.get("id") or ""),
        kind_label=_KINDS.get(kind, kind or "任务"),
        title=str(raw.get("title") or ""),
        description=str(raw.get("description") or ""),
        location=str(raw.get("location") or ""),
        deadline=_parse_date(raw.get("deadline")),
        status=status,
        status_label=label,
        source=str(raw.get("source") or ""),
        case_id=str(raw["case_id"]) if raw.get("case_id") else None,
        acknowledged=acknowledged,
        files=len(raw.get("evidence_sha256") or ()),
    )


def _manual_value(text: str, *examples: Any) -> Any:
    """``text`` as the kind of value the field holds (judged by the two sides' values)."""
    text = text.strip()
    kinds: Sequence[Any] = [e for e in examples if e is not None and e is not MISSING]
    if not text:
        return None
    if any(isinstance(e, bool) for e in kinds):
        if text in ("是", "true", "True"):
            return True
        if text in ("否", "false", "False"):
            return False
        raise InvalidInput(f"“{text}”不是有效的取值。", "请填写“是”或“否”。")
    if any(isinstance(e, int | float) for e in kinds):
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise InvalidInput(f"“{text}”不是数字。", "这个字段应填写数字。") from None
        return int(number) if number.is_integer() and all(isinstance(e, int) for e in kinds) else number
    if any(isinstance(e, list | dict) for e in kinds):
        try:
            return json.loads(text)
        except ValueError:
            raise InvalidInput(
                "这个字段是一组数据，手工填写须按本机的值的格式（JSON）。", "可先采用一方的值再修改案件。"
            ) from None
    return text
