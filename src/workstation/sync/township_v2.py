"""SyncGateway over the older provincial enforcement API (v2), for provinces not yet on the
central server's API v1. docs/SYNC-ADAPTERS.md has the whole field mapping; in short:

- **Answers.** HTTP 200 with ``{"errcode": 0, "errmsg": "ok", ...}``; a non-zero ``errcode``
  is an error (:data:`ERRCODES` maps each to the port's errors). 408/429/5xx and anything that
  is not such a JSON object are retryable, as with every adapter.
- **Login.** A form POST (``application/x-www-form-urlencoded``) returning ``token``,
  ``refreshToken`` and ``expire`` seconds (and a ``SESSION`` cookie); requests carry the token
  as the ``SESSION`` cookie. ``40101`` (expired) triggers one transparent renewal
  (``/token/renew`` rotates both tokens); ``40102`` means the session is gone.
- **Feeds.** The API pages by ``?since=<rowVersion>&offset=&limit=`` answering ``{"total",
  "rows"}``. Offsets over a set that changes between requests skip or repeat rows, so the
  adapter always asks ``offset=0`` after the last ``rowVersion`` it returned, and hands the
  engine an opaque cursor (``v2:`` + base64 of ``{"f": feed, "s": rowVersion}``).
  ``has_more`` is ``total > len(rows)``. The API has no ``cursor_ahead``: an empty page whose
  cursor is beyond the server's ``maxRowVersion`` raises :class:`ServerRestored`.
- **Idempotency (limits).** Case saves carry the idempotency key as ``requestId``; the server
  replays its stored answer (``"dup": true``) but does not compare bodies, so a key reused
  with other content silently returns the first answer (the engine never does that), and it
  keeps keys for 24 hours only. Publication has no key: a repeated publish answers
  ``40910 already published``, which the adapter treats as a replay when the stored notice has
  the same case, decision number, content and date (a notice published identically by
  another device is then taken as this one: harmless). ``If-Match`` is the expected ``rev``
  in the body.
- **Times.** ``"YYYY-MM-DD HH:MM:SS"`` in Beijing time (UTC+8), read as aware datetimes.
- **Number blocks.** A form POST ``/serial-ranges`` (``bizType``, ``annual``, ``amount``,
  ``reqNo``: the series, year, count and idempotency key) answers ``startNo`` … ``endNo`` with
  the ``areaCode``; the server replays the range stored under ``reqNo`` (per user, bodies not
  compared, like ``requestId``); ``42203`` is a bad series, year or amount.
- **Events.** ``GET /case/{id}/logs?since=<seq>&offset=0&limit=`` pages a case's 全过程记录
  like the other lists (``{"total", "rows"}``, camelCase events); ``since`` is the last ``seq``
  read, so the adapter needs no cursor of its own.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any, TypeVar
from urllib.parse import urlencode

import httpx

from workstation.domain.record import CaseEvent
from workstation.domain.sync_ports import (
    AnchorHead,
    AnchorReceipt,
    CaseAck,
    CaseChange,
    CaseLocked,
    EventsAck,
    LoginFailed,
    NumberBlock,
    OfficerInfo,
    Page,
    Publication,
    RecordRejected,
    RefItem,
    RetryableError,
    ServerCase,
    ServerInfo,
    ServerRestored,
    SessionExpired,
    Task,
    Tokens,
    UpgradeRequired,
    UploadState,
    VersionConflict,
    canonical_json,
)
from workstation.sync.http_common import (
    JSON,
    RETRYABLE_STATUSES,
    EventKeys,
    Fields,
    anchor_each,
    case_ack,
    check_event_run,
    json_object,
    malformed,
    media_type,
    number_block,
    read_event,
    retryable_for_status,
    send,
    write_checked,
    write_event,
)
from workstation.sync.http_gateway import HttpGateway

log = logging.getLogger(__name__)

T = TypeVar("T")

API_MAJOR = "2"
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
FORM = "application/x-www-form-urlencoded"
#: The API's largest page.
MAX_LIMIT = 200

#: errcode → (port code, the equivalent HTTP status) for records the server refuses.
ERRCODES: dict[int, tuple[str, int]] = {
    40001: ("bad_request", 400),
    40300: ("forbidden", 403),
    40400: ("not_found", 404),
    40903: ("case_number_immutable", 409),
    40904: ("event_mismatch", 409),
    40905: ("event_gap", 409),
    40906: ("anchor_mismatch", 409),
    40907: ("offset_mismatch", 409),
    40908: ("upload_incomplete", 409),
    40909: ("invalid_transition", 409),
    40910: ("already_published", 409),
    41300: ("too_large", 413),
    42201: ("hash_invalid", 422),
    42202: ("hash_mismatch", 422),
    42203: ("invalid_request", 422),
}
AUDIT_STATES = {0: "none", 1: "submitted", 2: "approved", 3: "returned"}
CLUE_STATES = {0: "open", 1: "accepted", 2: "done"}
CLUE_TYPES = {1: "clue", 2: "task"}
TASK_STATUS_CODES = {"accepted": 1, "done": 2}
EVENT_KEYS = EventKeys(
    event_id="eventId",
    occurred_at="occurredAt",
    actor_id="actorId",
    actor_role="actorRole",
    prev_hash="prevHash",
)


class TownshipV2Gateway(HttpGateway):
    """The v2 provincial API as a :class:`~workstation.domain.sync_ports.SyncGateway`.

    Same constructor and token behaviour as
    :class:`~workstation.sync.central_v1.CentralV1Gateway` (both are
    :class:`~workstation.sync.http_gateway.HttpGateway`); paths start at ``base_url`` +
    ``/api/v2``, ``client_version`` is sent as ``X-Client-Ver`` and the token as the
    ``SESSION`` cookie.
    """

    API_ROOT = "/api/v2"
    VERSION_HEADER = "X-Client-Ver"

    # ------------------------------------------------------------ session

    def handshake(self) -> ServerInfo:
        data = self._data("GET", "/sys/info", auth=False)
        api_version = data.text("apiVersion")
        if api_version.split(".")[0] != API_MAJOR:
            raise UpgradeRequired(message=f"省级平台的接口版本为 {api_version}，本适配器只支持 2.x")
        return ServerInfo(
            api_version=api_version,
            instance_id=data.text("serverId"),
            high_water=data.integer("maxRowVersion"),
            min_client_version=data.text("minClient"),
            max_client_version=data.text("maxClient"),
            server_time=_beijing(data, "serverTime"),
        )

    def _sign_in(self, username: str, password: str, device_id: str) -> Tokens:
        form = urlencode({"username": username, "password": password, "deviceId": device_id}).encode("ascii")
        answer, response = self._exchange("POST", "/login", body=form, content_type=FORM, auth=False)
        return _tokens(answer, cookie=response.cookies.get("SESSION"))

    def _renew(self, refresh_token: str) -> Tokens:
        form = urlencode({"refreshToken": refresh_token, "deviceId": self.device_id}).encode("ascii")
        answer = self._answer("POST", "/token/renew", body=form, content_type=FORM, auth=False)
        return _tokens(answer, cookie=None)

    def _sign_out(self) -> None:
        self._answer("POST", "/logout", body=b"{}", refresh=False)

    # ------------------------------------------------------------ reference, cases

    def pull_reference(self, kind: str, cursor: str | None, limit: int = 100) -> Page[RefItem]:
        return self._page(f"dict/{kind}", f"/dict/{kind}", cursor, limit, lambda row: _ref_item(kind, row))

    def push_case(
        self,
        case_id: str,
        document: Mapping[str, Any],
        base_version: int | None,
        idempotency_key: str,
        case_number: str | None = None,
    ) -> CaseAck:
        body = canonical_json(
            {
                "caseId": case_id,
                "rev": base_version or 0,
                "caseNo": case_number,
                "payload": document,
                "requestId": idempotency_key,
            }
        )
        answer = self._answer("POST", "/case/save", body=body)
        replayed = answer.has("dup") and answer.flag("dup")
        return case_ack(_case(answer.obj("data")), replayed=replayed)

    def get_case(self, case_id: str) -> ServerCase | None:
        try:
            return _case(self._data("GET", f"/case/{case_id}"))
        except RecordRejected as exc:
            if exc.code == "not_found":
                return None
            raise

    def pull_changes(self, cursor: str | None, limit: int = 100) -> Page[CaseChange]:
        return self._page("case", "/case/changes", cursor, limit, _case)

    def push_events(self, case_id: str, events: Sequence[CaseEvent]) -> EventsAck:
        body = canonical_json({"logs": [_wire_event(event) for event in events]})
        data = self._data("POST", f"/case/{case_id}/logs", body=body)
        return EventsAck(
            accepted=data.integer("added"),
            duplicates=data.integer("skipped"),
            head_seq=data.integer("lastSeq"),
            head_hash=data.opt_text("lastHash"),
        )

    def pull_events(self, case_id: str, after_seq: int, limit: int = 500) -> Page[CaseEvent]:
        params = {"since": str(after_seq), "offset": "0", "limit": str(max(1, min(limit, MAX_LIMIT)))}
        answer = self._answer("GET", f"/case/{case_id}/logs", params=params)
        rows = answer.objects("rows")
        total = answer.integer("total")
        if total < len(rows):
            raise malformed(f"logs of {case_id}: total {total} below {len(rows)} rows")
        items = tuple(read_event(row, case_id, EVENT_KEYS) for row in rows)
        check_event_run(items, case_id, after_seq)
        has_more = total > len(rows)
        if has_more and not items:
            raise malformed(f"logs of {case_id}: total {total} without rows")
        return Page(items=items, next_cursor=str(items[-1].seq if items else after_seq), has_more=has_more)

    def anchor(self, case_id: str, head_seq: int, head_hash: str) -> AnchorReceipt:
        data = self._data(
            "POST", f"/case/{case_id}/seal", body=canonical_json({"seq": head_seq, "hash": head_hash})
        )
        return AnchorReceipt(
            case_id=data.text("caseId"),
            head_seq=data.integer("seq"),
            head_hash=data.text("hash"),
            anchored_at=_beijing(data, "sealTime"),
        )

    def anchor_many(self, heads: Sequence[AnchorHead]) -> list[AnchorReceipt | RecordRejected]:
        """The township platform seals one case per request."""
        return anchor_each(self.anchor, heads)

    # ------------------------------------------------------------ attachments

    def start_upload(self, sha256: str, size: int, filename: str, media_type: str) -> UploadState:
        body = canonical_json({"sha256": sha256, "size": size, "name": filename, "mime": media_type})
        data = self._data("POST", "/file/init", body=body)
        exists = data.flag("exists")
        file_id = data.opt_text("fileId")
        if file_id is None and not exists:
            raise malformed("file/init without fileId")
        return UploadState(
            upload_id=None if exists else file_id,
            sha256=sha256,
            size=size,
            offset=data.integer("received"),
            already_present=exists,
            max_chunk_bytes=data.integer("partSize"),
        )

    def send_chunk(self, upload_id: str, offset: int, data: bytes) -> int:
        path = f"/file/{upload_id}/part"
        answer = self._data(
            "POST", path, body=data, content_type="application/octet-stream", params={"pos": str(offset)}
        )
        return answer.integer("received")

    def upload_offset(self, upload_id: str) -> int:
        return self._data("GET", f"/file/{upload_id}/status").integer("received")

    def complete_upload(self, upload_id: str) -> UploadState:
        data = self._data("POST", f"/file/{upload_id}/finish", body=b"{}")
        if not data.flag("done"):
            raise malformed("file/finish answered without done")
        return UploadState(
            upload_id=upload_id,
            sha256=data.text("sha256"),
            size=data.integer("size"),
            offset=data.integer("received"),
            complete=True,
        )

    def download(self, sha256: str, sink: IO[bytes]) -> int:
        for attempt in (1, 2):
            token = self._keeper.access_token()
            request = self._request(
                "GET", "/file/get", body=None, content_type=JSON, params={"sha256": sha256}, token=token
            )
            try:
                response = self._client.send(request, stream=True)
                try:
                    if response.status_code == 200 and media_type(response) == "application/octet-stream":
                        return write_checked(response, sha256, sink)
                    response.read()
                finally:
                    response.close()
            except httpx.TransportError as exc:
                raise RetryableError("附件下载中断，稍后自动重试", code="network") from exc
            errcode = _errcode(response)
            if attempt == 1 and errcode in (40101, 40102):
                expired = errcode == 40101
                if self._keeper.retry_after_auth_failure(token, expired=expired, refresh=self.refresh):
                    continue
            self._raise_for(response)
            raise malformed("file/get answered errcode 0 without the file")
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------ tasks, publication

    def pull_tasks(self, cursor: str | None, limit: int = 100) -> Page[Task]:
        return self._page("clue", "/clue/list", cursor, limit, _task)

    def ack_task(self, task_id: str, status: str, case_id: str | None = None) -> Task:
        code = TASK_STATUS_CODES.get(status)
        if code is None:
            raise RecordRejected("bad_request", f"线索状态只能是已受理或已办结，不能是 {status}", 400)
        body = canonical_json({"state": code, "caseId": case_id})
        return _task(self._data("POST", f"/clue/{task_id}/feedback", body=body))

    def publish(
        self,
        case_id: str,
        decision_number: str,
        content: str,
        published_on: dt.date,
        idempotency_key: str,
    ) -> Publication:
        body = canonical_json(
            {"caseId": case_id, "docNo": decision_number, "content": content, "pubDate": published_on}
        )
        try:
            return _publication(self._data("POST", "/gongshi/publish", body=body))
        except RecordRejected as exc:
            if exc.code != "already_published":
                raise
            stored = exc.details.get("notice")
            if isinstance(stored, Publication) and (
                stored.case_id,
                stored.decision_number,
                stored.content,
                stored.published_on,
            ) == (case_id, decision_number, content, published_on):
                log.info("publication %s already stored: taken as a replay", stored.publication_id)
                return stored
            raise

    def withdraw(self, publication_id: str, reason: str) -> Publication:
        body = canonical_json({"reason": reason})
        return _publication(self._data("POST", f"/gongshi/{publication_id}/revoke", body=body))

    def reserve_numbers(self, series: str, year: int, count: int, idempotency_key: str) -> NumberBlock:
        form = urlencode(
            [("bizType", series), ("annual", str(year)), ("amount", str(count)), ("reqNo", idempotency_key)]
        ).encode("ascii")
        data = self._data("POST", "/serial-ranges", body=form, content_type=FORM)
        return number_block(
            (series, year, count),
            data.text("bizType"),
            data.integer("annual"),
            data.integer("startNo"),
            data.integer("endNo"),
            data.text("areaCode"),
        )

    # ------------------------------------------------------------ feeds

    def _page(
        self, feed: str, path: str, cursor: str | None, limit: int, parse: Callable[[Fields], T]
    ) -> Page[T]:
        since = _decode_cursor(feed, cursor)
        params = {"since": str(since), "offset": "0", "limit": str(max(1, min(limit, MAX_LIMIT)))}
        answer = self._answer("GET", path, params=params)
        rows = answer.objects("rows")
        total = answer.integer("total")
        if total < len(rows):
            raise malformed(f"{path}: total {total} below {len(rows)} rows")
        last = since
        items = []
        for row in rows:
            row_version = row.integer("rowVersion")
            if row_version <= last:
                raise malformed(f"{path}: rowVersion {row_version} not after {last}")
            items.append(parse(row))
            last = row_version
        if not rows and since > 0:
            high_water = self.handshake().high_water
            if since > high_water:
                raise ServerRestored(high_water)
        return Page(items=tuple(items), next_cursor=_encode_cursor(feed, last), has_more=total > len(rows))

    # ------------------------------------------------------------ HTTP

    def _credentials(self, token: str) -> Mapping[str, str]:
        return {"Cookie": f"SESSION={token}"}

    def _answer(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = JSON,
        params: Mapping[str, str] | None = None,
        auth: bool = True,
        refresh: bool = True,
    ) -> Fields:
        """The ``errcode: 0`` answer of one request (one renewal and retry on ``40101``)."""
        answer, _response = self._exchange(
            method, path, body=body, content_type=content_type, params=params, auth=auth, refresh=refresh
        )
        return answer

    def _exchange(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = JSON,
        params: Mapping[str, str] | None = None,
        auth: bool = True,
        refresh: bool = True,
    ) -> tuple[Fields, httpx.Response]:
        """:meth:`_answer` with the HTTP response (for the login's cookie)."""
        for attempt in (1, 2):
            token = self._keeper.access_token() if auth else None
            request = self._request(
                method, path, body=body, content_type=content_type, params=params, token=token
            )
            response = send(self._client, request)
            if response.status_code in RETRYABLE_STATUSES or response.status_code >= 500:
                raise retryable_for_status(response)
            answer = json_object(response, "answer")
            errcode = answer.integer("errcode")
            if errcode == 0:
                return answer, response
            if auth and refresh and attempt == 1 and errcode in (40101, 40102):
                expired = errcode == 40101
                if self._keeper.retry_after_auth_failure(token, expired=expired, refresh=self.refresh):
                    continue
            self._raise_errcode(answer, errcode, auth=auth)
        raise AssertionError("unreachable")  # pragma: no cover

    def _data(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = JSON,
        params: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> Fields:
        answer = self._answer(method, path, body=body, content_type=content_type, params=params, auth=auth)
        return answer.obj("data")

    def _raise_for(self, response: httpx.Response) -> None:
        if response.status_code in RETRYABLE_STATUSES or response.status_code >= 500:
            raise retryable_for_status(response)
        answer = json_object(response, "answer")
        errcode = answer.integer("errcode")
        if errcode:
            self._raise_errcode(answer, errcode, auth=True)

    def _raise_errcode(self, answer: Fields, errcode: int, *, auth: bool) -> None:
        message = answer.text("errmsg") if answer.has("errmsg") else ""
        data = answer.data.get("data")
        details = data if isinstance(data, dict) else {}
        if errcode == 40003:
            raise LoginFailed(message)
        if errcode in (40101, 40102):
            if auth:
                self._keeper.store(None)
            raise SessionExpired()
        if errcode == 42601:
            raise UpgradeRequired(str(answer.data.get("minClient", "")), message=message)
        if errcode == 40901:
            current = details.get("currentRev")
            if not isinstance(current, int):
                raise malformed("40901 without currentRev")
            server = details.get("case")
            raise VersionConflict(
                current, None if server is None else _case(Fields.of(server, "case")), message
            )
        if errcode == 40902:
            server = details.get("case")
            raise CaseLocked(None if server is None else _case(Fields.of(server, "case")), message)
        if errcode >= 50000:
            raise RetryableError(message or "省级平台繁忙，稍后自动重试", code=f"errcode_{errcode}")
        code, status = ERRCODES.get(errcode, (f"errcode_{errcode}", 400))
        raise RecordRejected(code, message, status, _details(code, details))


# ---------------------------------------------------------------- wire ↔ values


def _tokens(answer: Fields, *, cookie: str | None) -> Tokens:
    """Tokens of a login or renewal answer (the session cookie when the body has no token)."""
    now = dt.datetime.now(dt.UTC)
    token = answer.opt_text("token") if answer.has("token") else None
    token = token or cookie
    if not token:
        raise malformed("login answered without a token")
    user = answer.obj("user")
    refresh_ttl = answer.integer("refreshExpire") if answer.has("refreshExpire") else None
    return Tokens(
        access_token=token,
        refresh_token=answer.text("refreshToken"),
        access_expires_at=now + dt.timedelta(seconds=answer.integer("expire")),
        refresh_expires_at=None if refresh_ttl is None else now + dt.timedelta(seconds=refresh_ttl),
        officer=OfficerInfo(
            officer_id=user.text("userId"),
            username=user.text("userName"),
            name=user.text("realName"),
            township_code=user.text("areaCode"),
            township_name=user.text("areaName"),
        ),
    )


def _details(code: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The API's error data under the port's detail names (docs/CENTRAL.md §1.2)."""
    if code in ("event_gap", "anchor_mismatch"):
        return {
            "head_seq": data.get("lastSeq", data.get("seq")),
            "head_hash": data.get("lastHash", data.get("hash")),
        }
    if code == "offset_mismatch":
        return {"offset": data.get("received")}
    if code == "upload_incomplete":
        return {"offset": data.get("received"), "size": data.get("size")}
    if code == "case_number_immutable":
        return {"case_number": data.get("caseNo")}
    if code == "event_mismatch":
        return {"event_id": data.get("eventId")}
    if code == "invalid_transition":
        return {"status": CLUE_STATES.get(data.get("state", -1)), "case_id": data.get("caseId") or None}
    if code == "already_published":
        return {"publication_id": data.get("gsId"), "notice": _publication(Fields.of(dict(data), "notice"))}
    return dict(data)


def _encode_cursor(feed: str, since: int) -> str:
    raw = canonical_json({"f": feed, "s": since})
    return "v2:" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_cursor(feed: str, cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        if not cursor.startswith("v2:"):
            raise ValueError(cursor)
        text = cursor[3:]
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        since = value["s"]
        if value["f"] != feed or not isinstance(since, int) or since < 0:
            raise ValueError(cursor)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise RecordRejected(
            "invalid_cursor", "同步游标无效（不是本数据源的游标），请从头同步", 400
        ) from None
    return since


def _beijing(data: Fields, key: str) -> dt.datetime:
    text = data.text(key)
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        raise malformed(f"{data.what}.{key}: {text!r} is not YYYY-MM-DD HH:MM:SS") from None


def _int_flag(data: Fields, key: str) -> bool:
    value = data.integer(key)
    if value not in (0, 1):
        raise malformed(f"{data.what}.{key}: {value} is not 0 or 1")
    return value == 1


def _mapped(data: Fields, key: str, table: Mapping[int, str]) -> str:
    value = data.integer(key)
    if value not in table:
        raise malformed(f"{data.what}.{key}: unknown value {value}")
    return table[value]


def _ref_item(kind: str, data: Fields) -> RefItem:
    deleted = _int_flag(data, "removed")
    payload = data.opt_obj("payload")
    if payload is None and not deleted:
        raise malformed("dictionary row without payload")
    return RefItem(
        kind=kind,
        item_id=data.text("dictId"),
        version=data.integer("rev"),
        updated_seq=data.integer("rowVersion"),
        deleted=deleted,
        township_code=data.opt_text("areaCode"),
        payload=None if deleted or payload is None else dict(payload.data),
    )


def _case(data: Fields) -> ServerCase:
    return ServerCase(
        case_id=data.text("caseId"),
        township_code=data.text("areaCode"),
        version=data.integer("rev"),
        updated_seq=data.integer("rowVersion"),
        case_number=data.opt_text("caseNo") or None,
        review_status=_mapped(data, "auditState", AUDIT_STATES),
        locked=_int_flag(data, "frozen"),
        document=data.mapping("payload"),
        updated_at=_beijing(data, "modifyTime"),
    )


def _wire_event(event: CaseEvent) -> dict[str, Any]:
    return write_event(event, EVENT_KEYS)


def _task(data: Fields) -> Task:
    limit = data.text("limitDate")
    try:
        deadline = dt.datetime.strptime(limit, "%Y%m%d").date() if limit else None
    except ValueError:
        raise malformed(f"limitDate {limit!r}") from None
    evidence = data.text("evidence")
    return Task(
        task_id=data.text("clueId"),
        kind=_mapped(data, "clueType", CLUE_TYPES),
        township_code=data.text("areaCode"),
        title=data.text("title"),
        description=data.text("content"),
        location=data.text("address"),
        deadline=deadline,
        source=data.text("sourceName"),
        evidence_sha256=tuple(part for part in evidence.split(",") if part),
        status=_mapped(data, "state", CLUE_STATES),
        case_id=data.text("caseId") or None,
        version=data.integer("rev"),
        updated_seq=data.integer("rowVersion"),
    )


def _publication(data: Fields) -> Publication:
    state = _mapped(data, "state", {1: "published", 2: "withdrawn"})
    return Publication(
        publication_id=data.text("gsId"),
        case_id=data.text("caseId"),
        decision_number=data.text("docNo"),
        content=data.text("content") if state == "published" else None,
        published_on=data.day("pubDate"),
        status=state,
        withdrawn_reason=data.text("revokeReason") or None,
        updated_seq=data.integer("rowVersion"),
    )


def _errcode(response: httpx.Response) -> int:
    try:
        return json_object(response, "answer").integer("errcode")
    except RetryableError:
        return -1
