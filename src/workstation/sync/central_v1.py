"""SyncGateway over the central server's API version 1 (docs/CENTRAL.md).

Bearer tokens with one transparent refresh when the server answers ``401 token_expired``
(rotated tokens go to ``on_tokens``), ``X-Client-Version`` on every request,
``Idempotency-Key`` and ``If-Match`` on case writes, chunked uploads resumable from the
server's offset, SHA-256 checks of downloads, and strict reading of every response (see
:mod:`workstation.sync.http_common`). Error bodies ``{"error": {"code", "message",
"details"}}`` become the port's typed errors (:meth:`CentralV1Gateway._raise_for`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any, TypeVar

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
    SyncError,
    Task,
    Tokens,
    UpgradeRequired,
    UploadState,
    VersionConflict,
    canonical_json,
)
from workstation.sync.http_common import (
    JSON,
    NETWORK_MESSAGE,
    RETRYABLE_STATUSES,
    EventKeys,
    Fields,
    anchor_each,
    case_ack,
    check_event_run,
    json_object,
    malformed,
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

API_VERSION = "1"
REVIEW_STATUSES = frozenset({"none", "submitted", "approved", "returned"})
TASK_STATUSES = frozenset({"open", "accepted", "done"})
UPLOAD_STATUSES = frozenset({"created", "resumed", "already_present", "open", "complete"})
#: The API's largest page of events.
MAX_EVENTS = 500
EVENT_KEYS = EventKeys()


class CentralV1Gateway(HttpGateway):
    """The central server (API v1) as a :class:`~workstation.domain.sync_ports.SyncGateway`.

    Constructor, tokens and session as :class:`~workstation.sync.http_gateway.HttpGateway`
    (``client_version`` is sent as ``X-Client-Version``, the token as ``Authorization:
    Bearer``). Thread-safe: refreshes are serialised, so a rotated refresh token is never sent
    twice.
    """

    VERSION_HEADER = "X-Client-Version"

    # ------------------------------------------------------------ session

    def handshake(self) -> ServerInfo:
        data = self._json("GET", "/v1/handshake", auth=False, what="handshake")
        api_version = data.text("api_version")
        if api_version != API_VERSION:
            raise UpgradeRequired(
                message=f"中心服务器的接口版本为 {api_version}，本工作站只支持版本 {API_VERSION}"
            )
        return ServerInfo(
            api_version=api_version,
            instance_id=data.text("instance_id"),
            high_water=data.integer("high_water"),
            min_client_version=data.text("min_client_version"),
            max_client_version=data.text("max_client_version"),
            server_version=data.text("server_version"),
            server_time=data.time("server_time"),
            feeds_follow_high_water=data.has("feeds_follow_high_water")
            and data.flag("feeds_follow_high_water"),
        )

    def _sign_in(self, username: str, password: str, device_id: str) -> Tokens:
        body = canonical_json({"username": username, "password": password, "device_id": device_id})
        return _tokens(self._json("POST", "/v1/auth/login", body=body, auth=False, what="tokens"))

    def _renew(self, refresh_token: str) -> Tokens:
        body = canonical_json({"refresh_token": refresh_token, "device_id": self.device_id})
        return _tokens(self._json("POST", "/v1/auth/refresh", body=body, auth=False, what="tokens"))

    def _sign_out(self) -> None:
        self._call("POST", "/v1/auth/logout", body=b"{}", expect=(204,), refresh=False)

    # ------------------------------------------------------------ reference, cases

    def pull_reference(self, kind: str, cursor: str | None, limit: int = 100) -> Page[RefItem]:
        return self._page(f"/v1/reference/{kind}", cursor, limit, _ref_item)

    def push_case(
        self,
        case_id: str,
        document: Mapping[str, Any],
        base_version: int | None,
        idempotency_key: str,
        case_number: str | None = None,
    ) -> CaseAck:
        base = base_version or 0
        body = canonical_json({"base_version": base, "fields": document, "case_number": case_number})
        headers = {"Idempotency-Key": idempotency_key}
        if base:
            headers["If-Match"] = f'"{base}"'
        response = self._call("PUT", f"/v1/cases/{case_id}", body=body, headers=headers, expect=(200, 201))
        replayed = response.headers.get("Idempotent-Replayed", "").lower() == "true"
        return case_ack(_case(json_object(response, "case")), replayed=replayed)

    def get_case(self, case_id: str) -> ServerCase | None:
        try:
            return _case(self._json("GET", f"/v1/cases/{case_id}", what="case"))
        except RecordRejected as exc:
            if exc.status == 404:
                return None
            raise

    def pull_changes(self, cursor: str | None, limit: int = 100) -> Page[CaseChange]:
        return self._page("/v1/changes", cursor, limit, _case)

    def push_events(self, case_id: str, events: Sequence[CaseEvent]) -> EventsAck:
        body = canonical_json({"events": [_wire_event(event) for event in events]})
        data = self._json("POST", f"/v1/cases/{case_id}/events", body=body, what="events_ack")
        return EventsAck(
            accepted=data.integer("accepted"),
            duplicates=data.integer("duplicates"),
            head_seq=data.integer("head_seq"),
            head_hash=data.opt_text("head_hash"),
        )

    def pull_events(self, case_id: str, after_seq: int, limit: int = 500) -> Page[CaseEvent]:
        params = {"after_seq": str(after_seq), "limit": str(max(1, min(limit, MAX_EVENTS)))}
        data = self._json("GET", f"/v1/cases/{case_id}/events", params=params, what="events")
        items = tuple(read_event(item, case_id, EVENT_KEYS) for item in data.objects("items"))
        head_seq = data.integer("head_seq")
        head_hash = data.opt_text("head_hash")
        has_more = data.flag("has_more")
        check_event_run(items, case_id, after_seq)
        last = items[-1] if items else None
        if has_more and last is None:
            raise malformed(f"events of {case_id}: has_more without items")
        if last is not None and (head_seq < last.seq or (not has_more and last.seq != head_seq)):
            raise malformed(f"events of {case_id}: head_seq {head_seq} after seq {last.seq}")
        if last is not None and not has_more and head_hash != last.hash:
            raise malformed(f"events of {case_id}: head_hash is not the last event's")
        return Page(items=items, next_cursor=str(last.seq if last else after_seq), has_more=has_more)

    def anchor(self, case_id: str, head_seq: int, head_hash: str) -> AnchorReceipt:
        body = canonical_json({"head_seq": head_seq, "head_hash": head_hash})
        data = self._json("POST", f"/v1/cases/{case_id}/anchor", body=body, expect=(200, 201), what="anchor")
        return AnchorReceipt(
            case_id=data.text("case_id"),
            head_seq=data.integer("head_seq"),
            head_hash=data.text("head_hash"),
            anchored_at=data.time("anchored_at"),
        )

    def anchor_many(self, heads: Sequence[AnchorHead]) -> list[AnchorReceipt | RecordRejected]:
        """``POST /v1/anchors``: the heads in one request and one server transaction (a server
        without it, 404 or 405, gets one request per head)."""
        if not heads:
            return []
        body = canonical_json(
            {
                "items": [
                    {"case_id": h.case_id, "head_seq": h.head_seq, "head_hash": h.head_hash} for h in heads
                ]
            }
        )
        try:
            data = self._json("POST", "/v1/anchors", body=body, what="anchors")
        except RecordRejected as exc:
            if exc.status in (404, 405):
                log.info("no batch anchors on this server (%s): one request per head", exc.status)
                return anchor_each(self.anchor, heads)
            raise
        items = data.objects("items")
        if len(items) != len(heads):
            raise malformed(f"anchors: {len(items)} results for {len(heads)} heads")
        return [_anchor_result(item) for item in items]

    # ------------------------------------------------------------ attachments

    def start_upload(self, sha256: str, size: int, filename: str, media_type: str) -> UploadState:
        body = canonical_json(
            {"sha256": sha256, "size": size, "filename": filename, "media_type": media_type}
        )
        return _upload(self._json("POST", "/v1/attachments", body=body, expect=(200, 201), what="upload"))

    def send_chunk(self, upload_id: str, offset: int, data: bytes) -> int:
        response = self._call(
            "PUT",
            f"/v1/attachments/uploads/{upload_id}",
            body=data,
            content_type="application/octet-stream",
            params={"offset": str(offset)},
        )
        return _upload(json_object(response, "upload")).offset

    def upload_offset(self, upload_id: str) -> int:
        response = self._call("HEAD", f"/v1/attachments/uploads/{upload_id}")
        value = response.headers.get("Upload-Offset", "")
        if not value.isdigit():
            raise malformed(f"Upload-Offset {value!r}")
        return int(value)

    def complete_upload(self, upload_id: str) -> UploadState:
        path = f"/v1/attachments/uploads/{upload_id}/complete"
        return _upload(self._json("POST", path, body=b"{}", what="upload"))

    def download(self, sha256: str, sink: IO[bytes]) -> int:
        with self._stream("GET", f"/v1/attachments/{sha256}") as response:
            return write_checked(response, sha256, sink)

    # ------------------------------------------------------------ tasks, publication

    def pull_tasks(self, cursor: str | None, limit: int = 100) -> Page[Task]:
        return self._page("/v1/tasks", cursor, limit, _task)

    def ack_task(self, task_id: str, status: str, case_id: str | None = None) -> Task:
        body = canonical_json({"status": status, "case_id": case_id})
        return _task(self._json("POST", f"/v1/tasks/{task_id}/ack", body=body, what="task"))

    def publish(
        self,
        case_id: str,
        decision_number: str,
        content: str,
        published_on: dt.date,
        idempotency_key: str,
    ) -> Publication:
        body = canonical_json(
            {
                "case_id": case_id,
                "decision_number": decision_number,
                "content": content,
                "published_on": published_on,
            }
        )
        data = self._json(
            "POST",
            "/v1/publications",
            body=body,
            headers={"Idempotency-Key": idempotency_key},
            expect=(200, 201),
            what="publication",
        )
        return _publication(data)

    def withdraw(self, publication_id: str, reason: str) -> Publication:
        body = canonical_json({"reason": reason})
        path = f"/v1/publications/{publication_id}/withdraw"
        return _publication(self._json("POST", path, body=body, what="publication"))

    def reserve_numbers(self, series: str, year: int, count: int, idempotency_key: str) -> NumberBlock:
        body = canonical_json({"series": series, "year": year, "count": count})
        data = self._json(
            "POST",
            "/v1/numbers/reserve",
            body=body,
            headers={"Idempotency-Key": idempotency_key},
            expect=(200, 201),
            what="number block",
        )
        return number_block(
            (series, year, count),
            data.text("series"),
            data.integer("year"),
            data.integer("first"),
            data.integer("last"),
            data.text("township_code"),
        )

    # ------------------------------------------------------------ HTTP

    def _page(self, path: str, cursor: str | None, limit: int, parse: Callable[[Fields], T]) -> Page[T]:
        params = {"limit": str(limit)}
        if cursor is not None:
            params["cursor"] = cursor
        data = self._json("GET", path, params=params, what="page")
        items = tuple(parse(item) for item in data.objects("items"))
        return Page(items=items, next_cursor=data.text("next_cursor"), has_more=data.flag("has_more"))

    def _json(
        self,
        method: str,
        path: str,
        *,
        what: str,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        expect: tuple[int, ...] = (200,),
    ) -> Fields:
        response = self._call(
            method, path, body=body, params=params, headers=headers, auth=auth, expect=expect
        )
        return json_object(response, what)

    def _credentials(self, token: str) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = JSON,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        expect: tuple[int, ...] = (200,),
        refresh: bool = True,
    ) -> httpx.Response:
        """Send one request (with one refresh-and-retry on an expired token); a status other
        than ``expect`` raises the port's error."""
        for attempt in (1, 2):
            token = self._keeper.access_token() if auth else None
            request = self._request(
                method,
                path,
                body=body,
                content_type=content_type,
                params=params,
                headers=headers,
                token=token,
            )
            response = send(self._client, request)
            if response.status_code in expect:
                return response
            if auth and refresh and attempt == 1 and response.status_code == 401:
                expired = _error_code(response) == "token_expired"
                if self._keeper.retry_after_auth_failure(token, expired=expired, refresh=self.refresh):
                    continue
            self._raise_for(response, auth=auth)
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def _stream(self, method: str, path: str) -> Iterator[httpx.Response]:
        """A streamed GET (downloads): errors are read and raised like :meth:`_call`'s."""
        for attempt in (1, 2):
            token = self._keeper.access_token()
            request = self._request(method, path, body=None, content_type=JSON, params=None, token=token)
            try:
                response = self._client.send(request, stream=True)
            except httpx.TransportError as exc:
                raise RetryableError(NETWORK_MESSAGE, code="network") from exc
            try:
                if response.status_code == 200:
                    yield response
                    return
                try:
                    response.read()
                except httpx.TransportError as exc:
                    raise RetryableError(code="network") from exc
                if attempt == 1 and response.status_code == 401:
                    expired = _error_code(response) == "token_expired"
                    if self._keeper.retry_after_auth_failure(token, expired=expired, refresh=self.refresh):
                        continue
                self._raise_for(response, auth=True)
            finally:
                response.close()

    def _raise_for(self, response: httpx.Response, *, auth: bool) -> None:
        """Raise the port's error for a non-success response."""
        status = response.status_code
        try:
            error = json_object(response, "error").obj("error")
            code = error.text("code")
            message = error.text("message")
            details = error.mapping("details") if error.has("details") else {}
        except RetryableError:
            if status in RETRYABLE_STATUSES or status >= 500:
                raise retryable_for_status(response) from None
            raise
        if status in RETRYABLE_STATUSES or status >= 500:
            raise retryable_for_status(response, message if status != 500 else "")
        if status == 401:
            if code == "invalid_credentials":
                raise LoginFailed(message)
            if auth:
                self._keeper.store(None)
            raise SessionExpired()
        if status == 426:
            raise UpgradeRequired(
                str(details.get("min_client_version", "")), str(details.get("max_client_version", ""))
            )
        if status == 409 and code == "version_conflict":
            current = details.get("current_version")
            if not isinstance(current, int):
                raise malformed("version_conflict without current_version")
            server = details.get("server_document")
            raise VersionConflict(
                current, None if server is None else _case(Fields.of(server, "server_document"))
            )
        if status == 409 and code == "case_locked":
            server = details.get("server_document")
            raise CaseLocked(None if server is None else _case(Fields.of(server, "server_document")))
        if status == 409 and code == "cursor_ahead":
            high_water = details.get("high_water")
            raise ServerRestored(high_water if isinstance(high_water, int) else 0)
        if 400 <= status < 500:
            raise RecordRejected(code, message, status, details)
        raise SyncError(message or "中心服务器返回了无法识别的结果", code=code, status=status)


def _error_code(response: httpx.Response) -> str:
    try:
        return json_object(response, "error").obj("error").text("code")
    except RetryableError:
        return ""


# ---------------------------------------------------------------- wire ↔ values


def _tokens(data: Fields) -> Tokens:
    officer = data.obj("officer")
    return Tokens(
        access_token=data.text("access_token"),
        refresh_token=data.text("refresh_token"),
        access_expires_at=data.time("access_expires_at"),
        refresh_expires_at=data.time("refresh_expires_at"),
        officer=OfficerInfo(
            officer_id=officer.text("officer_id"),
            username=officer.text("username"),
            name=officer.text("name"),
            township_code=officer.text("township_code"),
            township_name=officer.text("township_name"),
        ),
    )


def _ref_item(data: Fields) -> RefItem:
    deleted = data.flag("deleted")
    payload = data.opt_obj("payload")
    if payload is None and not deleted:
        raise malformed("reference item without payload")
    return RefItem(
        kind=data.text("kind"),
        item_id=data.text("id"),
        version=data.integer("version"),
        updated_seq=data.integer("updated_seq"),
        deleted=deleted,
        township_code=data.opt_text("township_code"),
        payload=None if payload is None else dict(payload.data),
    )


def _case(data: Fields) -> ServerCase:
    return ServerCase(
        case_id=data.text("case_id"),
        township_code=data.text("township_code"),
        version=data.integer("version"),
        updated_seq=data.integer("updated_seq"),
        case_number=data.opt_text("case_number"),
        review_status=data.choice("review_status", REVIEW_STATUSES),
        locked=data.flag("locked"),
        document=data.mapping("fields"),
        updated_at=data.time("updated_at"),
    )


def _wire_event(event: CaseEvent) -> dict[str, Any]:
    return write_event(event, EVENT_KEYS)


def _anchor_result(item: Fields) -> AnchorReceipt | RecordRejected:
    """One result of ``POST /v1/anchors``: the receipt, or the refusal the single request
    would have raised (``anchor_mismatch`` with the server's head, ``not_found``…)."""
    status = item.choice("status", frozenset({"anchored", "error"}))
    if status == "error":
        details = item.mapping("details") if item.has("details") else {}
        return RecordRejected(item.text("code"), item.text("message"), 409, details)
    return AnchorReceipt(
        case_id=item.text("case_id"),
        head_seq=item.integer("head_seq"),
        head_hash=item.text("head_hash"),
        anchored_at=item.time("anchored_at"),
    )


def _upload(data: Fields) -> UploadState:
    status = data.choice("status", UPLOAD_STATUSES)
    upload_id = data.opt_text("upload_id")
    if upload_id is None and status != "already_present":
        raise malformed(f"upload {status} without upload_id")
    return UploadState(
        upload_id=upload_id,
        sha256=data.text("sha256"),
        size=data.integer("size"),
        offset=data.integer("offset"),
        already_present=status == "already_present",
        complete=status == "complete",
        max_chunk_bytes=data.integer("max_chunk_bytes"),
    )


def _task(data: Fields) -> Task:
    return Task(
        task_id=data.text("id"),
        kind=data.choice("kind", frozenset({"clue", "task"})),
        township_code=data.text("township_code"),
        title=data.text("title"),
        description=data.text("description"),
        location=data.text("location"),
        deadline=data.opt_day("deadline"),
        source=data.text("source"),
        evidence_sha256=data.strings("evidence_sha256"),
        status=data.choice("status", TASK_STATUSES),
        case_id=data.opt_text("case_id"),
        version=data.integer("version"),
        updated_seq=data.integer("updated_seq"),
    )


def _publication(data: Fields) -> Publication:
    return Publication(
        publication_id=data.text("id"),
        case_id=data.text("case_id"),
        decision_number=data.text("decision_number"),
        content=data.opt_text("content"),
        published_on=data.day("published_on"),
        status=data.choice("status", frozenset({"published", "withdrawn"})),
        withdrawn_reason=data.opt_text("withdrawn_reason"),
        updated_seq=data.integer("updated_seq"),
    )
