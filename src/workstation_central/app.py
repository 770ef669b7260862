"""The HTTP layer: routes, headers, limits and error bodies (docs/CENTRAL.md).

:func:`create_app` builds the FastAPI application over a :class:`CentralService`; the routes
only translate between HTTP and the service.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from workstation_central import SERVER_NAME, __version__
from workstation_central.config import Settings, parse_version
from workstation_central.errors import (
    AUTH_RESPONSES,
    COMMON_RESPONSES,
    ApiError,
    ErrorBody,
    bad_request,
    forbidden,
    invalid_token,
    too_large,
)
from workstation_central.schemas import (
    AnchorBatchIn,
    AnchorBatchResult,
    AnchorIn,
    AnchorList,
    AnchorOut,
    CaseOut,
    CaseUpload,
    ChangesPage,
    EventBatch,
    EventBatchResult,
    EventsPage,
    Handshake,
    LoginRequest,
    NumberBlockOut,
    NumberReserveIn,
    OfficerIn,
    OfficerOut,
    PublicationIn,
    PublicationOut,
    PublicationPage,
    ReferenceIn,
    ReferenceItemOut,
    ReferenceKind,
    ReferencePage,
    RefreshRequest,
    ReviewIn,
    TaskAck,
    TaskIn,
    TaskOut,
    TaskPage,
    Tokens,
    TownshipIn,
    TownshipOut,
    UploadOut,
    UploadStart,
    WithdrawIn,
)
from workstation_central.service import CentralService, Principal, Stored
from workstation_central.store import Database

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CHUNK_PATH = re.compile(r"^/v1/attachments/uploads/[^/]+$")
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,100}$")
OCTET_STREAM = "application/octet-stream"
JSON_TYPE = "application/json"


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == JSON_TYPE or (media.startswith("application/") and media.endswith("+json"))


def unsupported_media_type(expected: str) -> ApiError:
    return ApiError(
        415, "unsupported_media_type", f"请求的 Content-Type 应为 {expected}", {"expected": expected}
    )


def _error_response(error: ApiError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


async def _send_error(send: Send, error: ApiError) -> None:
    body = json.dumps(error.body(), ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class GuardMiddleware:
    """Before any route: the client version check (426) and the request size limits (413)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.low = parse_version(settings.min_client_version)
        self.high = parse_version(settings.max_client_version)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        error = self._version_error(headers.get("x-client-version"))
        if error is not None:
            await _send_error(send, error)
            return
        limit = self.settings.max_json_bytes
        length = headers.get("content-length")
        if scope["method"] == "PUT" and _CHUNK_PATH.match(scope["path"]):
            limit = self.settings.max_chunk_bytes
        elif (length not in (None, "0") or "transfer-encoding" in headers) and not _is_json(
            headers.get("content-type", "")
        ):
            await _send_error(send, unsupported_media_type(JSON_TYPE))
            return
        if length is not None and length.isdigit() and int(length) > limit:
            await _send_error(send, too_large(limit))
            return
        if length is not None:
            await self.app(scope, receive, send)  # the HTTP server holds the body to Content-Length
            return
        # No Content-Length (chunked): read the body up to the limit before the route sees it.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > limit:
                await _send_error(send, too_large(limit))
                return
            if not message.get("more_body", False):
                break
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    def _version_error(self, value: str | None) -> ApiError | None:
        if value is None:
            return None
        version = parse_version(value)
        if version is None:
            return bad_request("X-Client-Version 请求头格式错误，应为 X.Y.Z")
        assert self.low is not None and self.high is not None
        if self.low <= version <= self.high:
            return None
        return ApiError(
            426,
            "upgrade_required",
            f"客户端版本 {value} 不受支持（支持 {self.settings.min_client_version} 至 "
            f"{self.settings.max_client_version}），请升级工作站",
            {
                "client_version": value,
                "min_client_version": self.settings.min_client_version,
                "max_client_version": self.settings.max_client_version,
            },
        )


# ---------------------------------------------------------------- dependencies

_bearer = HTTPBearer(auto_error=False, description="登录获得的访问令牌")
_admin_key = APIKeyHeader(name="X-Admin-Token", auto_error=False, description="服务器配置的管理令牌")


def _service(request: Request) -> CentralService:
    service: CentralService = request.app.state.service
    return service


def _client_version(
    x_client_version: Annotated[
        str | None, Header(description="客户端版本 X.Y.Z；不在支持范围内时返回 426 upgrade_required")
    ] = None,
) -> None:
    """Documents the header; the check itself runs in :class:`GuardMiddleware`."""


async def _principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise invalid_token("缺少登录凭证，请先登录")
    return await run_in_threadpool(_service(request).authenticate, credentials.credentials)


def _admin(request: Request, token: Annotated[str | None, Depends(_admin_key)]) -> None:
    configured = _service(request).settings.admin_token
    if not configured or token is None or token != configured:
        raise forbidden("管理令牌无效")


def _idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", description="客户端生成的幂等键（1–100 个可见 ASCII 字符）"),
    ] = None,
) -> str:
    if idempotency_key is None or not _KEY_RE.match(idempotency_key):
        raise ApiError(400, "idempotency_key_required", "缺少或格式错误的 Idempotency-Key 请求头")
    return idempotency_key


async def _raw_body(request: Request) -> bytes:
    return await request.body()


Svc = Annotated[CentralService, Depends(_service)]
Officer = Annotated[Principal, Depends(_principal)]
Cursor = Annotated[str | None, Query(description="上一页返回的 next_cursor；不传表示从头开始")]
Limit = Annotated[int, Query(ge=1, le=500)]


def _stored(result: Stored, headers: dict[str, str] | None = None) -> JSONResponse:
    all_headers = dict(headers or {})
    if result.replayed:
        all_headers["Idempotent-Replayed"] = "true"
    return JSONResponse(result.body, status_code=result.status, headers=all_headers)


def _etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


# ---------------------------------------------------------------- routes

public = APIRouter(prefix="/v1", responses=COMMON_RESPONSES)
officers = APIRouter(prefix="/v1", responses=AUTH_RESPONSES)
admin = APIRouter(
    prefix="/v1/admin", responses=AUTH_RESPONSES, dependencies=[Depends(_admin)], tags=["admin"]
)


@public.get("/handshake", response_model=Handshake, tags=["handshake"])
async def handshake(svc: Svc) -> dict[str, Any]:
    return await run_in_threadpool(svc.handshake)


@public.post(
    "/auth/login",
    response_model=Tokens,
    tags=["auth"],
    responses={401: {"model": ErrorBody, "description": "invalid_credentials"}},
)
async def login(body: LoginRequest, svc: Svc) -> dict[str, Any]:
    return await run_in_threadpool(svc.login, body)


@public.post(
    "/auth/refresh",
    response_model=Tokens,
    tags=["auth"],
    responses={401: {"model": ErrorBody, "description": "invalid_token / token_expired"}},
)
async def refresh(body: RefreshRequest, svc: Svc) -> dict[str, Any]:
    return await run_in_threadpool(svc.refresh, body)


@officers.post("/auth/logout", status_code=204, tags=["auth"])
async def logout(svc: Svc, officer: Officer) -> Response:
    await run_in_threadpool(svc.logout, officer)
    return Response(status_code=204)


@officers.get("/auth/me", response_model=OfficerOut, tags=["auth"])
async def me(svc: Svc, officer: Officer) -> dict[str, Any]:
    return svc.me(officer)


@officers.get("/reference/{kind}", response_model=ReferencePage, tags=["reference"])
async def reference(
    kind: ReferenceKind, svc: Svc, officer: Officer, cursor: Cursor = None, limit: Limit = 100
) -> dict[str, Any]:
    return await run_in_threadpool(svc.reference_page, officer, kind, cursor, limit)


@officers.put(
    "/cases/{case_id}",
    response_model=CaseOut,
    tags=["cases"],
    responses={
        201: {"model": CaseOut, "description": "created"},
        409: {"model": ErrorBody, "description": "version_conflict / case_locked / case_number_immutable"},
    },
)
async def put_case(
    case_id: str,
    body: CaseUpload,
    request: Request,
    svc: Svc,
    officer: Officer,
    key: Annotated[str, Depends(_idempotency_key)],
    raw: Annotated[bytes, Depends(_raw_body)],
    if_match: Annotated[
        str | None, Header(alias="If-Match", description='"<version>"；新建时不传或为 *')
    ] = None,
) -> JSONResponse:
    result = await run_in_threadpool(
        svc.put_case, officer, case_id, if_match, body, key, raw, request.url.path
    )
    return _stored(result, _etag(int(result.body["version"])))


@officers.get("/cases/{case_id}", response_model=CaseOut, tags=["cases"])
async def get_case(case_id: str, svc: Svc, officer: Officer) -> JSONResponse:
    body = await run_in_threadpool(svc.get_case, officer, case_id)
    return JSONResponse(body, headers=_etag(int(body["version"])))


@officers.get("/changes", response_model=ChangesPage, tags=["cases"])
async def changes(svc: Svc, officer: Officer, cursor: Cursor = None, limit: Limit = 100) -> dict[str, Any]:
    return await run_in_threadpool(svc.changes_page, officer, cursor, limit)


@officers.post(
    "/cases/{case_id}/events",
    response_model=EventBatchResult,
    tags=["events"],
    responses={409: {"model": ErrorBody, "description": "event_mismatch / event_gap / chain_conflict"}},
)
async def post_events(case_id: str, body: EventBatch, svc: Svc, officer: Officer) -> dict[str, Any]:
    return await run_in_threadpool(svc.post_events, officer, case_id, body)


@officers.get("/cases/{case_id}/events", response_model=EventsPage, tags=["events"])
async def get_events(
    case_id: str,
    svc: Svc,
    officer: Officer,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
) -> dict[str, Any]:
    return await run_in_threadpool(svc.get_events, officer, case_id, after_seq, limit)


@officers.post(
    "/cases/{case_id}/anchor",
    response_model=AnchorOut,
    status_code=201,
    tags=["anchors"],
    responses={
        200: {"model": AnchorOut, "description": "already anchored"},
        409: {"model": ErrorBody, "description": "anchor_mismatch"},
    },
)
async def anchor(case_id: str, body: AnchorIn, svc: Svc, officer: Officer) -> JSONResponse:
    return _stored(await run_in_threadpool(svc.anchor, officer, case_id, body))


@officers.post(
    "/anchors",
    response_model=AnchorBatchResult,
    tags=["anchors"],
    responses={422: {"model": ErrorBody, "description": "validation_error (0 or more than 500 items)"}},
)
async def anchor_batch(body: AnchorBatchIn, svc: Svc, officer: Officer) -> dict[str, Any]:
    """Anchor many cases' heads in one transaction; each item is answered as the single endpoint would."""
    return await run_in_threadpool(svc.anchor_batch, officer, body)


@officers.get("/cases/{case_id}/anchor", response_model=AnchorList, tags=["anchors"])
async def anchors(case_id: str, svc: Svc, officer: Officer) -> dict[str, Any]:
    return await run_in_threadpool(svc.anchors, officer, case_id)


@officers.post(
    "/attachments",
    response_model=UploadOut,
    status_code=201,
    tags=["attachments"],
    responses={
        200: {"model": UploadOut, "description": "resumed / already_present"},
        413: {"model": ErrorBody, "description": "too_large"},
    },
)
async def start_upload(body: UploadStart, svc: Svc, officer: Officer) -> JSONResponse:
    return _stored(await run_in_threadpool(svc.start_upload, officer, body))


@officers.put(
    "/attachments/uploads/{upload_id}",
    response_model=UploadOut,
    tags=["attachments"],
    responses={
        409: {"model": ErrorBody, "description": "offset_mismatch"},
        413: {"model": ErrorBody, "description": "too_large"},
        415: {"model": ErrorBody, "description": "unsupported_media_type"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def put_chunk(
    upload_id: str,
    request: Request,
    svc: Svc,
    officer: Officer,
    offset: Annotated[int, Query(ge=0, description="本分片在文件中的起始位置，须等于已收到的字节数")],
) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != OCTET_STREAM:
        raise unsupported_media_type(OCTET_STREAM)
    data = await request.body()
    return await run_in_threadpool(svc.write_chunk, officer, upload_id, offset, data)


@officers.head("/attachments/uploads/{upload_id}", tags=["attachments"])
async def head_upload(upload_id: str, svc: Svc, officer: Officer) -> Response:
    state = await run_in_threadpool(svc.upload_state, officer, upload_id)
    return Response(
        status_code=200, headers={"Upload-Offset": str(state["offset"]), "Upload-Length": str(state["size"])}
    )


@officers.get("/attachments/uploads/{upload_id}", response_model=UploadOut, tags=["attachments"])
async def get_upload(upload_id: str, svc: Svc, officer: Officer) -> dict[str, Any]:
    return await run_in_threadpool(svc.upload_state, officer, upload_id)


@officers.post(
    "/attachments/uploads/{upload_id}/complete",
    response_model=UploadOut,
    tags=["attachments"],
    responses={409: {"model": ErrorBody, "description": "upload_incomplete"}},
)
async def complete_upload(upload_id: str, svc: Svc, officer: Officer) -> dict[str, Any]:
    return await run_in_threadpool(svc.complete_upload, officer, upload_id)


@officers.get(
    "/attachments/{sha256}",
    tags=["attachments"],
    response_class=FileResponse,
    responses={200: {"content": {OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}}}},
)
async def download(sha256: str, svc: Svc, officer: Officer) -> FileResponse:
    found = await run_in_threadpool(svc.download, officer, sha256)
    return FileResponse(
        found.path, media_type=found.media_type, filename=found.filename, headers={"ETag": f'"{sha256}"'}
    )


@officers.get("/tasks", response_model=TaskPage, tags=["tasks"])
async def tasks(svc: Svc, officer: Officer, cursor: Cursor = None, limit: Limit = 100) -> dict[str, Any]:
    return await run_in_threadpool(svc.tasks_page, officer, cursor, limit)


@officers.post(
    "/tasks/{task_id}/ack",
    response_model=TaskOut,
    tags=["tasks"],
    responses={409: {"model": ErrorBody, "description": "invalid_transition"}},
)
async def ack_task(task_id: str, body: TaskAck, svc: Svc, officer: Officer) -> dict[str, Any]:
    return await run_in_threadpool(svc.ack_task, officer, task_id, body)


@officers.post(
    "/publications",
    response_model=PublicationOut,
    status_code=201,
    tags=["publications"],
    responses={409: {"model": ErrorBody, "description": "already_published"}},
)
async def publish(
    body: PublicationIn,
    request: Request,
    svc: Svc,
    officer: Officer,
    key: Annotated[str, Depends(_idempotency_key)],
    raw: Annotated[bytes, Depends(_raw_body)],
) -> JSONResponse:
    return _stored(await run_in_threadpool(svc.publish, officer, body, key, raw, request.url.path))


@officers.post(
    "/publications/{publication_id}/withdraw", response_model=PublicationOut, tags=["publications"]
)
async def withdraw(publication_id: str, body: WithdrawIn, svc: Svc, officer: Officer) -> dict[str, Any]:
    return await run_in_threadpool(svc.withdraw, officer, publication_id, body)


@public.get("/publications", response_model=PublicationPage, tags=["publications"])
async def publications(
    svc: Svc,
    township: Annotated[str | None, Query(description="只列出该辖区的公示")] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    return await run_in_threadpool(svc.publications_page, township, cursor, limit)


@officers.post(
    "/numbers/reserve",
    response_model=NumberBlockOut,
    status_code=201,
    tags=["numbers"],
    responses={422: {"model": ErrorBody, "description": "invalid_request / validation_error"}},
)
async def reserve_numbers(
    body: NumberReserveIn,
    request: Request,
    svc: Svc,
    officer: Officer,
    key: Annotated[str, Depends(_idempotency_key)],
    raw: Annotated[bytes, Depends(_raw_body)],
) -> JSONResponse:
    return _stored(await run_in_threadpool(svc.reserve_numbers, officer, body, key, raw, request.url.path))


@admin.put("/townships/{code}", response_model=TownshipOut)
async def admin_township(code: str, body: TownshipIn, svc: Svc) -> dict[str, Any]:
    return await run_in_threadpool(svc.put_township, code, body.name)


@admin.put("/officers/{username}", response_model=OfficerOut)
async def admin_officer(username: str, body: OfficerIn, svc: Svc) -> dict[str, Any]:
    return await run_in_threadpool(svc.put_officer, username, body)


@admin.put("/reference/{kind}/{item_id}", response_model=ReferenceItemOut)
async def admin_reference(kind: ReferenceKind, item_id: str, body: ReferenceIn, svc: Svc) -> dict[str, Any]:
    return await run_in_threadpool(svc.put_reference, kind, item_id, body)


@admin.delete("/reference/{kind}/{item_id}", response_model=ReferenceItemOut)
async def admin_delete_reference(kind: ReferenceKind, item_id: str, svc: Svc) -> dict[str, Any]:
    return await run_in_threadpool(svc.delete_reference, kind, item_id)


@admin.post("/tasks", response_model=TaskOut, status_code=201)
async def admin_task(body: TaskIn, svc: Svc) -> dict[str, Any]:
    return await run_in_threadpool(svc.create_task, body)


@admin.post("/cases/{case_id}/review", response_model=CaseOut)
async def admin_review(case_id: str, body: ReviewIn, svc: Svc) -> dict[str, Any]:
    return await run_in_threadpool(svc.review_case, case_id, body)


# ---------------------------------------------------------------- errors


async def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _error_response(exc)


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(part) for part in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    if any(e["type"] == "json_invalid" for e in errors):
        return _error_response(bad_request("请求内容不是有效的 JSON"))
    fields = "、".join(sorted({".".join(e["loc"][1:]) or e["loc"][0] for e in errors if e["loc"]}))
    return _error_response(
        ApiError(422, "validation_error", f"请求内容不符合要求：{fields}", {"errors": errors})
    )


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        error = ApiError(404, "not_found", "未找到请求的资源")
    elif exc.status_code == 405:
        error = ApiError(405, "method_not_allowed", "不支持该请求方法")
    else:
        error = ApiError(exc.status_code, "bad_request", "请求无法处理")
    return _error_response(error, dict(exc.headers or {}))


async def _on_crash(_request: Request, exc: Exception) -> JSONResponse:
    log.error("internal error", exc_info=exc)
    return _error_response(ApiError(500, "internal_error", "服务器内部错误，请稍后重试"))


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """The application over ``settings`` (the database is opened here unless given)."""
    if db is None:
        db = Database(settings.db_url)
        db.open(settings.clock())
    app = FastAPI(
        title="乡镇综合行政执法工作站 中心平台接口",
        summary=SERVER_NAME,
        description="HTTP contract between the workstation and the central platform (docs/CENTRAL.md).",
        version=__version__,
        dependencies=[Depends(_client_version)],
    )
    app.state.service = CentralService(db, settings)
    app.include_router(public)
    app.include_router(officers)
    app.include_router(admin)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_crash)
    app.add_middleware(GuardMiddleware, settings=settings)
    return app
