"""The SyncGateway port: what the sync engine needs from a central server, and nothing more.

An adapter (``workstation.sync.central_v1`` for docs/CENTRAL.md, ``workstation.sync.township_v2``
for the older provincial API) implements :class:`SyncGateway` over HTTP; the engine is written
against this module only (docs/SYNC-ADAPTERS.md). Everything here is pure Python: values are
frozen dataclasses, failures are the typed errors below, and the engine never sees HTTP.

Rules every adapter keeps
-------------------------
- **All or nothing.** A response that is not exactly what the API promises (wrong
  ``Content-Type`` such as a captive portal's HTML page, invalid JSON, a missing or mistyped
  field, a truncated body) raises :class:`RetryableError`; no method ever returns partial data.
- **Feeds.** ``pull_*`` methods return a :class:`Page`: apply its ``items``, then store
  ``next_cursor``; loop while ``has_more``. Cursors are opaque strings (an adapter may encode
  offsets or sequence numbers in them; the engine never parses them). ``None`` = from the start.
  Storing the cursor after applying a page never misses and never repeats a change; an object
  changed after it was read comes again later at its new ``updated_seq``.
- **Idempotent writes.** :meth:`SyncGateway.push_case` and :meth:`SyncGateway.publish` take an
  ``idempotency_key``. The adapter builds the request body from the arguments alone and
  serialises it with :func:`canonical_json`, so a retry with equal arguments sends equal bytes.
  The engine stores the arguments (``canonical_json(document)`` reads back equal) with the key
  and retries with both unchanged; a new write takes a new key. Adapters whose API cannot
  replay say so in their docstring (docs/SYNC-ADAPTERS.md lists the limits).
- **Tokens.** After :meth:`SyncGateway.login` the adapter holds the tokens and refreshes them
  itself once when the server says the access token expired; every new pair (and ``None``
  when the session ends) goes to the ``on_tokens`` callback given to the adapter's
  constructor, so the caller can keep them in the keyring. :meth:`SyncGateway.set_tokens`
  restores a stored pair at start-up.
- **Errors.** Only :class:`SyncError` subclasses escape (programming errors aside).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Generic, Protocol, TypeVar

from workstation.domain import record
from workstation.domain.errors import KnownError
from workstation.domain.record import CaseEvent

T = TypeVar("T")


def canonical_json(obj: object) -> bytes:
    """The one byte form of ``obj`` that idempotent requests send: keys sorted, ``","`` and
    ``":"`` separators, non-ASCII written as itself, UTF-8.

    The same function as :func:`workstation.domain.record.canonical_json` (the 全过程记录
    hashes these bytes too): ``datetime`` must be aware and becomes UTC ISO 8601 with
    microseconds, ``Decimal`` becomes its string, NaN and other non-JSON values raise
    TypeError. ``canonical_json(json.loads(canonical_json(x))) == canonical_json(x)``.
    """
    return record.canonical_json(obj)


# ---------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What the server says about itself before login (handshake).

    ``high_water`` is the largest change number the server has issued: when it is lower than
    the largest ``updated_seq`` the workstation has seen acknowledged, the server was restored
    from an older backup (see :class:`ServerRestored`). With ``feeds_follow_high_water`` it also
    tells a workstation which feeds have nothing new.
    """

    api_version: str
    instance_id: str
    high_water: int
    min_client_version: str
    max_client_version: str
    server_version: str = ""
    server_time: dt.datetime | None = None
    #: The server says every change any feed serves takes a number from the counter
    #: ``high_water`` reports: a feed read to its end while the handshake said H has nothing
    #: new while it still says H, and a sync need not ask (docs/SYNC.md, "Speed").
    feeds_follow_high_water: bool = False


@dataclass(frozen=True, slots=True)
class OfficerInfo:
    """The officer a login belongs to."""

    officer_id: str
    username: str
    name: str
    township_code: str
    township_name: str = ""


@dataclass(frozen=True, slots=True)
class Tokens:
    """A login session's tokens; secrets, so ``repr`` hides them."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: dt.datetime
    refresh_expires_at: dt.datetime | None = None
    officer: OfficerInfo | None = None


#: Called by an adapter with every new token pair, and with ``None`` when the session ended.
TokenListener = Callable[[Tokens | None], None]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a feed: apply ``items``, store ``next_cursor``, loop while ``has_more``."""

    items: tuple[T, ...]
    next_cursor: str
    has_more: bool


@dataclass(frozen=True, slots=True)
class RefItem:
    """One reference item (statute pack, 裁量基准, officer, holiday table …).

    ``payload`` is ``None`` when ``deleted``; ``township_code`` is ``None`` for province-wide
    items.
    """

    kind: str
    item_id: str
    version: int
    updated_seq: int
    deleted: bool
    township_code: str | None
    payload: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class ServerCase:
    """A case as the server holds it.

    ``document`` is the case's field document (what the workstation pushes); the server owns
    ``case_number`` once recorded, ``review_status`` (``none``, ``submitted``, ``approved``,
    ``returned``) and ``locked``.
    """

    case_id: str
    township_code: str
    version: int
    updated_seq: int
    case_number: str | None
    review_status: str
    locked: bool
    document: Mapping[str, Any]
    updated_at: dt.datetime | None = None


#: An item of the changes feed: a case at its latest version.
CaseChange = ServerCase


@dataclass(frozen=True, slots=True)
class CaseAck(ServerCase):
    """The server's answer to :meth:`SyncGateway.push_case`.

    ``replayed`` is true when the answer was a stored replay of an earlier identical request.
    """

    replayed: bool = False


@dataclass(frozen=True, slots=True)
class EventsAck:
    """The server's answer to :meth:`SyncGateway.push_events`: its head after the batch."""

    accepted: int
    duplicates: int
    head_seq: int
    head_hash: str | None


@dataclass(frozen=True, slots=True)
class UploadState:
    """Where an attachment upload stands.

    ``already_present``: the server has the bytes (``upload_id`` is ``None``, nothing to send).
    Otherwise send bytes from ``offset``; ``complete`` after a successful
    :meth:`SyncGateway.complete_upload`.
    """

    upload_id: str | None
    sha256: str
    size: int
    offset: int
    already_present: bool = False
    complete: bool = False
    max_chunk_bytes: int = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Task:
    """A clue or task pushed to the township (发现—推送—处理).

    ``kind`` is ``clue`` or ``task``; ``status`` is ``open``, ``accepted`` or ``done``.
    """

    task_id: str
    kind: str
    township_code: str
    title: str
    description: str
    location: str
    deadline: dt.date | None
    source: str
    evidence_sha256: tuple[str, ...]
    status: str
    case_id: str | None
    version: int
    updated_seq: int


@dataclass(frozen=True, slots=True)
class Publication:
    """A published (公示) decision; ``content`` is ``None`` once withdrawn."""

    publication_id: str
    case_id: str
    decision_number: str
    content: str | None
    published_on: dt.date
    status: str
    withdrawn_reason: str | None
    updated_seq: int


@dataclass(frozen=True, slots=True)
class NumberBlock:
    """Serials ``first`` … ``last`` of one series (案号 ``case`` or a 文书 number kind) and year,
    reserved for this machine by the server: unique within ``township_code``, never handed out
    again (docs/SYNC.md, "Numbering")."""

    series: str
    year: int
    first: int
    last: int
    township_code: str

    @property
    def count(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True, slots=True)
class AnchorReceipt:
    """The server's record of a case's chain head, with the server's time."""

    case_id: str
    head_seq: int
    head_hash: str
    anchored_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AnchorHead:
    """A case's chain head to anchor (:meth:`SyncGateway.anchor_many`)."""

    case_id: str
    head_seq: int
    head_hash: str


#: Heads per :meth:`SyncGateway.anchor_many` call at most (the reference server's limit).
ANCHOR_BATCH = 500


# ---------------------------------------------------------------- errors


class SyncError(KnownError):
    """Base of every failure an adapter raises; ``message`` is Chinese, for users.

    ``code`` is the stable reason (the server's error code where it gave one), ``status``
    the HTTP status when there was one.
    """

    code = "sync_error"

    def __init__(self, message: str, advice: str = "", *, code: str = "", status: int | None = None) -> None:
        super().__init__(message, advice)
        if code:
            self.code = code
        self.status = status


class RetryableError(SyncError):
    """Try the same request again later (with the same idempotency key and bytes).

    Network errors, timeouts, 408, 429, 5xx, and responses that are not what the API promises
    (a captive portal's page, invalid or truncated JSON). ``retry_after`` is the server's
    ``Retry-After`` in seconds when it sent one.
    """

    code = "retryable"

    def __init__(
        self,
        message: str = "暂时无法连接中心服务器，稍后自动重试",
        advice: str = "",
        *,
        code: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, advice, code=code, status=status)
        self.retry_after = retry_after


class RecordRejected(SyncError):
    """The server refused this one record for good: quarantine it and go on with the rest.

    (400, 403, 404, 409 other than a version conflict or a lock, 413, 415, 422.) ``details``
    are the server's, e.g. ``head_seq`` for ``event_gap``.
    """

    code = "record_rejected"

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        details: Mapping[str, Any] | None = None,
        advice: str = "",
    ) -> None:
        super().__init__(message or "中心服务器拒绝了这条数据", advice, code=code, status=status)
        self.message_zh = self.message
        self.details: Mapping[str, Any] = details or {}


class VersionConflict(SyncError):
    """The case changed on the server since ``base_version``: merge with ``server_document``.

    ``current_version`` is 0 (and ``server_document`` ``None``) when the case does not exist.
    """

    code = "version_conflict"

    def __init__(self, current_version: int, server_document: ServerCase | None, message: str = "") -> None:
        super().__init__(message or "案件已被其他设备修改，请合并后重试", status=409)
        self.current_version = current_version
        self.server_document = server_document


class CaseLocked(SyncError):
    """The case is locked after review; the server keeps ``server_document``."""

    code = "case_locked"

    def __init__(self, server_document: ServerCase | None, message: str = "") -> None:
        super().__init__(
            message or "案件已审核锁定，不能再修改",
            "本机的修改未上传；如需更改，请联系审核人员退回。",
            status=409,
        )
        self.server_document = server_document


class LoginFailed(SyncError):
    """Wrong username or password (or the account is inactive)."""

    code = "invalid_credentials"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or "用户名或密码错误", "请核对后重新登录。", status=401)


class SessionExpired(SyncError):
    """The session is over (refresh failed or the tokens were revoked): log in again."""

    code = "session_expired"

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "登录已过期，请重新登录",
            "重新登录后，未上传的数据会继续同步。",
            status=401,
        )


class UpgradeRequired(SyncError):
    """This workstation's version (or API version) is not supported by the server."""

    code = "upgrade_required"

    def __init__(self, min_client_version: str = "", max_client_version: str = "", message: str = "") -> None:
        span = f"（服务器支持 {min_client_version} 至 {max_client_version}）" if min_client_version else ""
        super().__init__(
            message or f"工作站版本与中心服务器不兼容{span}，请升级工作站",
            "升级前本机数据照常保存，升级后继续同步。",
            status=426,
        )
        self.min_client_version = min_client_version
        self.max_client_version = max_client_version


class ServerRestored(SyncError):
    """The server has lost data (restored from an older backup): stop syncing, re-upload."""

    code = "cursor_ahead"

    def __init__(self, high_water: int, message: str = "") -> None:
        super().__init__(
            message or "中心服务器的数据比本机记录的旧（可能从备份恢复），已暂停同步",
            "请联系管理员确认后重新上传本机数据。",
            status=409,
        )
        self.high_water = high_water


# ---------------------------------------------------------------- the port


class SyncGateway(Protocol):
    """A central server as the sync engine sees it (see the module doc for the rules).

    Every method may raise :class:`RetryableError`; those that need a login may raise
    :class:`SessionExpired` and :class:`UpgradeRequired`. Other raises are listed per method.
    """

    # -- session

    def handshake(self) -> ServerInfo:
        """The server's identity and ``high_water``; no login needed. UpgradeRequired when
        the API or this client's version is not supported."""
        ...

    def login(self, username: str, password: str, device_id: str) -> Tokens:
        """Log in (LoginFailed on wrong credentials); the adapter keeps and reports the tokens."""
        ...

    def refresh(self, refresh_token: str) -> Tokens:
        """New tokens for a refresh token (which is used up); SessionExpired when refused."""
        ...

    def logout(self) -> None:
        """End the session on the server (best effort) and forget the tokens."""
        ...

    def set_tokens(self, tokens: Tokens | None) -> None:
        """Use stored tokens (e.g. from the keyring), or none."""
        ...

    @property
    def tokens(self) -> Tokens | None:
        """The tokens in use now (after any automatic refresh)."""
        ...

    # -- reference data

    def pull_reference(self, kind: str, cursor: str | None, limit: int = 100) -> Page[RefItem]:
        """A page of reference items of ``kind`` (``statutes``, ``benchmarks``, ``officers``,
        ``holidays``) changed after ``cursor``. ServerRestored when the cursor is ahead."""
        ...

    # -- cases

    def push_case(
        self,
        case_id: str,
        document: Mapping[str, Any],
        base_version: int | None,
        idempotency_key: str,
        case_number: str | None = None,
    ) -> CaseAck:
        """Create (``base_version`` None or 0) or update a case's whole document.

        VersionConflict, CaseLocked, RecordRejected (``case_number_immutable`` when
        ``case_number`` differs from the one recorded; ``idempotency_key_reused``).
        """
        ...

    def get_case(self, case_id: str) -> ServerCase | None:
        """The case as the server holds it, or None when it has none."""
        ...

    def pull_changes(self, cursor: str | None, limit: int = 100) -> Page[CaseChange]:
        """A page of the township's cases changed after ``cursor`` (any device, review, lock)."""
        ...

    def push_events(self, case_id: str, events: Sequence[CaseEvent]) -> EventsAck:
        """Append 全过程记录 events (duplicates already stored are skipped).

        RecordRejected with ``event_gap`` (details ``head_seq``, ``head_hash``), ``event_mismatch``,
        ``chain_conflict``, ``hash_invalid``, ``chain_broken`` or ``not_found`` (case not pushed).
        """
        ...

    def pull_events(self, case_id: str, after_seq: int, limit: int = 500) -> Page[CaseEvent]:
        """The case's events with ``seq`` above ``after_seq``, ascending, at most ``limit``.

        Each event's hash matches its content and the events continue one another from
        ``after_seq + 1``; ``next_cursor`` is the last ``seq`` returned (as text) and
        ``has_more`` says more follow (ask again after that ``seq``). RecordRejected
        ``not_found`` when the server has no such case.
        """
        ...

    def anchor(self, case_id: str, head_seq: int, head_hash: str) -> AnchorReceipt:
        """Have the server record the chain head; RecordRejected ``anchor_mismatch``."""
        ...

    def anchor_many(self, heads: Sequence[AnchorHead]) -> list[AnchorReceipt | RecordRejected]:
        """:meth:`anchor` for up to :data:`ANCHOR_BATCH` heads (one request where the server
        takes a batch): per head, in order, its receipt or the RecordRejected :meth:`anchor`
        would raise for it. A RetryableError is raised for the whole call (anchoring a head
        again is harmless: the server answers the anchor it has)."""
        ...

    # -- attachments

    def start_upload(self, sha256: str, size: int, filename: str, media_type: str) -> UploadState:
        """Start or resume the upload of a file known by its SHA-256 (lower-case hex)."""
        ...

    def send_chunk(self, upload_id: str, offset: int, data: bytes) -> int:
        """Send bytes at ``offset``; returns the server's new offset.

        RecordRejected ``offset_mismatch`` with ``details["offset"]`` when the server holds
        another offset (continue from there).
        """
        ...

    def upload_offset(self, upload_id: str) -> int:
        """How many bytes of the upload the server holds."""
        ...

    def complete_upload(self, upload_id: str) -> UploadState:
        """Finish the upload; RecordRejected ``hash_mismatch`` (the server discarded the
        bytes, the upload restarts at 0) or ``upload_incomplete``."""
        ...

    def download(self, sha256: str, sink: IO[bytes]) -> int:
        """Write the file's bytes into ``sink``; returns the size. RetryableError when the
        bytes do not hash to ``sha256`` (discard what was written); RecordRejected
        ``not_found``."""
        ...

    # -- tasks, publication

    def pull_tasks(self, cursor: str | None, limit: int = 100) -> Page[Task]:
        """A page of the township's tasks and clues changed after ``cursor``."""
        ...

    def ack_task(self, task_id: str, status: str, case_id: str | None = None) -> Task:
        """Report a task ``accepted`` or ``done`` (repeating is harmless); RecordRejected
        ``invalid_transition`` when going back or replacing a case id."""
        ...

    def publish(
        self,
        case_id: str,
        decision_number: str,
        content: str,
        published_on: dt.date,
        idempotency_key: str,
    ) -> Publication:
        """Publish (公示) a decision; RecordRejected ``already_published``."""
        ...

    def withdraw(self, publication_id: str, reason: str) -> Publication:
        """Withdraw a publication (again: unchanged)."""
        ...

    # -- numbering

    def reserve_numbers(self, series: str, year: int, count: int, idempotency_key: str) -> NumberBlock:
        """Reserve ``count`` serials (1–200) of ``series`` and ``year`` for the officer's
        township. The same key (and arguments) answers the same block, so a reservation whose
        answer was lost is retried with its key; RecordRejected ``invalid_request`` for a bad
        series, year or count."""
        ...


def upload_file(
    gateway: SyncGateway,
    sha256: str,
    size: int,
    filename: str,
    media_type: str,
    read: Callable[[int, int], bytes],
    *,
    max_chunk_bytes: int | None = None,
) -> UploadState:
    """Upload a whole file through ``gateway``, resuming from wherever the server stands.

    ``read(offset, length)`` returns the file's bytes at ``offset`` (at most ``length``). An
    ``offset_mismatch`` moves on from the server's offset; other errors propagate (call again
    later to resume: the server keeps the bytes it received).
    """
    state = gateway.start_upload(sha256, size, filename, media_type)
    if state.already_present or state.complete:
        return state
    upload_id = state.upload_id
    if upload_id is None:
        raise RetryableError(
            "服务器响应不完整或格式不对（缺少上传编号），稍后重试", code="malformed_response"
        )
    chunk = min(state.max_chunk_bytes, max_chunk_bytes or state.max_chunk_bytes)
    offset = state.offset
    mismatches = 0
    while offset < size:
        data = read(offset, min(chunk, size - offset))
        if not data:
            raise RecordRejected("file_changed", "附件文件在上传过程中被改动或截短，已停止上传")
        try:
            offset = gateway.send_chunk(upload_id, offset, data)
        except RecordRejected as exc:
            server_offset = exc.details.get("offset")
            if exc.code != "offset_mismatch" or not isinstance(server_offset, int) or mismatches >= 3:
                raise
            mismatches += 1
            offset = server_offset
    return gateway.complete_upload(upload_id)
