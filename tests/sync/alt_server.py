"""A small stand-in for the older provincial API (v2) that the township_v2 adapter speaks.

Not a real product's API: a deliberately different shape from docs/CENTRAL.md, so that the
conformance suite shows the port is not the central server's API in disguise. In short
(docs/SYNC-ADAPTERS.md has the full mapping):

- everything under ``/api/v2``; answers are HTTP 200 with ``{"errcode": 0, "errmsg": "ok",
  ...}`` or ``{"errcode": N, "errmsg": "中文"}`` (a 5xx only when the server itself breaks);
- form login (``application/x-www-form-urlencoded``) answering ``{"token", "refreshToken",
  "expire"}`` and a ``SESSION`` cookie, which authenticates later requests; expired session
  → ``40101``, unknown → ``40102``; ``/token/renew`` rotates both tokens;
- lists page by ``?since=<rowVersion>&offset=&limit=`` and answer ``{"total", "rows"}``
  (rows with ``rowVersion > since``, ascending);
- camelCase fields: ``caseNo``, ``rev``, ``payload``, ``auditState`` (0–3), ``frozen`` (0/1),
  local Beijing times ``"YYYY-MM-DD HH:MM:SS"``;
- idempotency only through ``requestId`` on ``/case/save`` (stored per user, replayed with
  ``"dup": true``, the body is not compared);
- number blocks: form ``POST /api/v2/serial-ranges`` (``bizType``, ``annual``, ``amount``,
  ``reqNo``) → ``startNo`` … ``endNo`` of the area, replayed by ``reqNo`` (per user);
- a case's logs are read with ``GET /case/{id}/logs?since=<seq>&offset=&limit=``, paged like
  the lists (``since`` is a ``seq`` there).

Run it with :class:`AltServer` (uvicorn in a daemon thread on a free port of 127.0.0.1);
tests set data up through its helper methods, not over HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Annotated, Any, Self
from urllib.parse import parse_qs

import uvicorn
from fastapi import Cookie, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse

from workstation.domain.record import CaseEvent, FieldChange, event_hash, genesis_hash

SessionCookie = Annotated[str | None, Cookie(alias="SESSION")]
BEIJING = dt.timezone(dt.timedelta(hours=8))
AREA = "330106001"
AREA_NAME = "示范镇"
PASSWORD = "legacy-2026"
KINDS = ("statutes", "benchmarks", "officers", "holidays")


class Fail(Exception):
    """An errcode answer."""

    def __init__(self, errcode: int, errmsg: str, data: Any = None) -> None:
        super().__init__(errmsg)
        self.errcode = errcode
        self.errmsg = errmsg
        self.data = data


@dataclass
class Session:
    username: str
    device_id: str
    token: str
    refresh_token: str
    expires_at: dt.datetime
    refresh_expires_at: dt.datetime
    refresh_used: bool = False
    revoked: bool = False


@dataclass
class State:
    """Everything the server holds (one lock: handlers run in a thread pool)."""

    access_ttl: float = 600
    refresh_ttl: float = 7 * 24 * 3600
    min_client: str = "0.1.0"
    max_client: str = "0.999.999"
    part_size: int = 1024 * 1024
    offset: dt.timedelta = dt.timedelta()
    lock: threading.RLock = field(default_factory=threading.RLock)
    server_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    row_version: int = 0
    users: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # name → (password, realName, userId)
    sessions: list[Session] = field(default_factory=list)
    dicts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    logs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    seals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    clues: dict[str, dict[str, Any]] = field(default_factory=dict)
    notices: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    serials: dict[tuple[str, int], int] = field(default_factory=dict)  # (bizType, annual) → last
    ranges: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (user, reqNo) → answer

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def next_row_version(self) -> int:
        self.row_version += 1
        return self.row_version

    def local_time(self) -> str:
        return self.now().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _ok(**extra: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **extra}


def _version(text: str) -> tuple[int, ...] | None:
    parts = text.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def create_app(state: State) -> FastAPI:
    app = FastAPI(title="省级执法平台接口 v2（测试替身）")

    @app.exception_handler(Fail)
    async def _fail(request: Request, exc: Fail) -> JSONResponse:
        body: dict[str, Any] = {"errcode": exc.errcode, "errmsg": exc.errmsg}
        if exc.data is not None:
            body["data"] = exc.data
        return JSONResponse(body)

    @app.middleware("http")
    async def _client_version(request: Request, call_next: Any) -> Any:
        value = request.headers.get("X-Client-Ver")
        if value is not None:
            version = _version(value)
            low, high = _version(state.min_client), _version(state.max_client)
            if version is None or low is None or high is None or not low <= version <= high:
                return JSONResponse(
                    {"errcode": 42601, "errmsg": "客户端版本过低，请升级", "minClient": state.min_client}
                )
        return await call_next(request)

    def user_of(session_cookie: str | None) -> Session:
        with state.lock:
            for session in state.sessions:
                if session_cookie and secrets.compare_digest(session.token, session_cookie):
                    if session.revoked:
                        break
                    if session.expires_at <= state.now():
                        raise Fail(40101, "会话已过期")
                    return session
        raise Fail(40102, "未登录或会话无效")

    def page(rows: list[dict[str, Any]], since: int, offset: int, limit: int) -> dict[str, Any]:
        if limit < 1 or limit > 200 or offset < 0 or since < 0:
            raise Fail(40001, "分页参数错误")
        chosen = sorted((row for row in rows if row["rowVersion"] > since), key=lambda row: row["rowVersion"])
        return _ok(total=len(chosen), rows=chosen[offset : offset + limit])

    def tokens(session: Session, response: Response) -> dict[str, Any]:
        _password, real_name, user_id = state.users[session.username]
        response.set_cookie("SESSION", session.token, httponly=True)
        return _ok(
            token=session.token,
            refreshToken=session.refresh_token,
            expire=int(state.access_ttl),
            refreshExpire=int(state.refresh_ttl),
            user={
                "userId": user_id,
                "userName": session.username,
                "realName": real_name,
                "areaCode": AREA,
                "areaName": AREA_NAME,
            },
        )

    def new_session(username: str, device_id: str) -> Session:
        now = state.now()
        session = Session(
            username,
            device_id,
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(24),
            now + dt.timedelta(seconds=state.access_ttl),
            now + dt.timedelta(seconds=state.refresh_ttl),
        )
        state.sessions.append(session)
        return session

    # ------------------------------------------------------------ system, login

    @app.get("/api/v2/sys/info")
    def info() -> dict[str, Any]:
        with state.lock:
            return _ok(
                data={
                    "apiVersion": "2.3",
                    "serverId": state.server_id,
                    "maxRowVersion": state.row_version,
                    "minClient": state.min_client,
                    "maxClient": state.max_client,
                    "serverTime": state.local_time(),
                }
            )

    @app.post("/api/v2/login")
    async def login(request: Request, response: Response) -> dict[str, Any]:
        username, password, device_id = await _form(request, "username", "password", "deviceId")
        with state.lock:
            user = state.users.get(username)
            if user is None or not secrets.compare_digest(user[0], password):
                raise Fail(40003, "用户名或密码错误")
            return tokens(new_session(username, device_id), response)

    @app.post("/api/v2/token/renew")
    async def renew(request: Request, response: Response) -> dict[str, Any]:
        refresh_token, device_id = await _form(request, "refreshToken", "deviceId")
        with state.lock:
            for session in state.sessions:
                if session.refresh_token == refresh_token:
                    if session.refresh_used or session.revoked or session.device_id != device_id:
                        session.revoked = True
                        raise Fail(40102, "登录凭证无效")
                    if session.refresh_expires_at <= state.now():
                        raise Fail(40102, "登录已过期")
                    session.refresh_used = True
                    session.revoked = True
                    return tokens(new_session(session.username, device_id), response)
            raise Fail(40102, "登录凭证无效")

    @app.post("/api/v2/logout")
    def logout(session_cookie: SessionCookie = None) -> dict[str, Any]:
        session = user_of(session_cookie)
        with state.lock:
            session.revoked = True
        return _ok()

    # ------------------------------------------------------------ dictionaries

    @app.get("/api/v2/dict/{kind}")
    def dicts(
        kind: str,
        session_cookie: SessionCookie = None,
        since: int = 0,
        offset: int = 0,
        limit: int = 20,
    ) -> dict[str, Any]:
        user_of(session_cookie)
        if kind not in KINDS:
            raise Fail(40001, f"未知的字典类别：{kind}")
        with state.lock:
            rows = [dict(row) for (k, _), row in state.dicts.items() if k == kind]
            return page(rows, since, offset, limit)

    # ------------------------------------------------------------ cases

    @app.get("/api/v2/case/changes")
    def changes(
        session_cookie: SessionCookie = None, since: int = 0, offset: int = 0, limit: int = 20
    ) -> dict[str, Any]:
        user_of(session_cookie)
        with state.lock:
            return page([dict(row) for row in state.cases.values()], since, offset, limit)

    @app.get("/api/v2/case/{case_id}")
    def get_case(case_id: str, session_cookie: SessionCookie = None) -> dict[str, Any]:
        user_of(session_cookie)
        with state.lock:
            row = state.cases.get(case_id)
            if row is None:
                raise Fail(40400, "案件不存在")
            return _ok(data=dict(row))

    @app.post("/api/v2/case/save")
    async def save_case(request: Request, session_cookie: SessionCookie = None) -> dict[str, Any]:
        session = user_of(session_cookie)
        body = await _json(request)
        case_id, rev, payload = body.get("caseId"), body.get("rev"), body.get("payload")
        case_no, request_id = body.get("caseNo"), body.get("requestId")
        if not isinstance(case_id, str) or not isinstance(rev, int) or not isinstance(payload, dict):
            raise Fail(40001, "参数错误：caseId、rev、payload 必填")
        with state.lock:
            if isinstance(request_id, str) and (session.username, request_id) in state.requests:
                return {**state.requests[(session.username, request_id)], "dup": True}
            row = state.cases.get(case_id)
            current = 0 if row is None else row["rev"]
            if rev != current:
                raise Fail(40901, "案件已被他人修改", {"currentRev": current, "case": row})
            if row is not None and row["frozen"]:
                raise Fail(40902, "案件已审核锁定，不能修改", {"case": row})
            recorded = None if row is None else row["caseNo"]
            if case_no is not None and recorded is not None and case_no != recorded:
                raise Fail(40903, "案号已登记，不能更改", {"caseNo": recorded})
            row = {
                "caseId": case_id,
                "areaCode": AREA,
                "caseNo": case_no if recorded is None else recorded,
                "rev": current + 1,
                "auditState": 0 if row is None else row["auditState"],
                "frozen": 0 if row is None else row["frozen"],
                "payload": payload,
                "rowVersion": state.next_row_version(),
                "modifyTime": state.local_time(),
            }
            state.cases[case_id] = row
            answer = _ok(data=dict(row))
            if isinstance(request_id, str):
                state.requests[(session.username, request_id)] = answer
            return answer

    @app.post("/api/v2/case/{case_id}/logs")
    async def logs(case_id: str, request: Request, session_cookie: SessionCookie = None) -> dict[str, Any]:
        user_of(session_cookie)
        body = await _json(request)
        items = body.get("logs")
        if not isinstance(items, list) or not items:
            raise Fail(40001, "参数错误：logs 必填")
        with state.lock:
            if case_id not in state.cases:
                raise Fail(40400, "案件不存在，请先上传案件")
            stored = state.logs.setdefault(case_id, [])
            by_id = {item["eventId"]: item for item in stored}
            fresh = []
            skipped = 0
            for item in sorted(items, key=lambda entry: entry.get("seq", 0)):
                known = by_id.get(item.get("eventId"))
                if known is not None:
                    if known != item:
                        raise Fail(40904, "记录编号重复但内容不同", {"eventId": item.get("eventId")})
                    skipped += 1
                    continue
                fresh.append(item)
            head_seq = len(stored)
            head_hash = stored[-1]["hash"] if stored else None
            for item in fresh:
                if item.get("seq") != head_seq + 1:
                    raise Fail(40905, "记录不连续", {"lastSeq": head_seq, "lastHash": head_hash})
                if item.get("prevHash") != (head_hash or genesis_hash(case_id)) or not _hash_ok(
                    case_id, item
                ):
                    raise Fail(42201, "记录的校验值不正确", {"eventId": item.get("eventId")})
                head_seq, head_hash = item["seq"], item["hash"]
            stored.extend(fresh)
            return _ok(
                data={"added": len(fresh), "skipped": skipped, "lastSeq": head_seq, "lastHash": head_hash}
            )

    @app.get("/api/v2/case/{case_id}/logs")
    def read_logs(
        case_id: str, session_cookie: SessionCookie = None, since: int = 0, offset: int = 0, limit: int = 20
    ) -> dict[str, Any]:
        user_of(session_cookie)
        with state.lock:
            if case_id not in state.cases:
                raise Fail(40400, "案件不存在")
            rows = [{**item, "rowVersion": item["seq"]} for item in state.logs.get(case_id, [])]
            answer = page(rows, since, offset, limit)
            for row in answer["rows"]:
                del row["rowVersion"]
            return answer

    @app.post("/api/v2/case/{case_id}/seal")
    async def seal(case_id: str, request: Request, session_cookie: SessionCookie = None) -> dict[str, Any]:
        user_of(session_cookie)
        body = await _json(request)
        seq, digest = body.get("seq"), body.get("hash")
        if not isinstance(seq, int) or seq < 1 or not isinstance(digest, str):
            raise Fail(40001, "参数错误")
        with state.lock:
            if case_id not in state.cases:
                raise Fail(40400, "案件不存在")
            stored = state.logs.get(case_id, [])
            seals = state.seals.setdefault(case_id, [])
            for known in seals:
                if known["seq"] == seq:
                    if known["hash"] != digest:
                        raise Fail(40906, "存证与已存证的记录不一致", {"seq": seq, "hash": known["hash"]})
                    return _ok(data=known)
            if seq <= len(stored) and stored[seq - 1]["hash"] != digest:
                raise Fail(40906, "存证与服务器记录不一致", {"seq": seq, "hash": stored[seq - 1]["hash"]})
            sealed = {"caseId": case_id, "seq": seq, "hash": digest, "sealTime": state.local_time()}
            seals.append(sealed)
            return _ok(data=sealed)

    # ------------------------------------------------------------ files

    @app.post("/api/v2/file/init")
    async def file_init(request: Request, session_cookie: SessionCookie = None) -> dict[str, Any]:
        user_of(session_cookie)
        body = await _json(request)
        sha, size = body.get("sha256"), body.get("size")
        if not isinstance(sha, str) or len(sha) != 64 or not isinstance(size, int) or size < 0:
            raise Fail(40001, "参数错误")
        with state.lock:
            if sha in state.files:
                return _ok(
                    data={"fileId": None, "received": size, "exists": True, "partSize": state.part_size}
                )
            for file_id, upload in state.uploads.items():
                if upload["sha256"] == sha and upload["size"] == size and not upload["done"]:
                    return _ok(
                        data={
                            "fileId": file_id,
                            "received": len(upload["data"]),
                            "exists": False,
                            "partSize": state.part_size,
                        }
                    )
            file_id = uuid.uuid4().hex
            state.uploads[file_id] = {"sha256": sha, "size": size, "data": bytearray(), "done": False}
            return _ok(data={"fileId": file_id, "received": 0, "exists": False, "partSize": state.part_size})

    def upload_of(file_id: str) -> dict[str, Any]:
        upload = state.uploads.get(file_id)
        if upload is None:
            raise Fail(40400, "上传任务不存在")
        return upload

    def file_status(upload: dict[str, Any]) -> dict[str, Any]:
        return {
            "received": len(upload["data"]),
            "size": upload["size"],
            "sha256": upload["sha256"],
            "done": upload["done"],
        }

    @app.post("/api/v2/file/{file_id}/part")
    async def file_part(
        file_id: str, request: Request, pos: Annotated[int, Query()], session_cookie: SessionCookie = None
    ) -> dict[str, Any]:
        user_of(session_cookie)
        data = await request.body()
        with state.lock:
            upload = upload_of(file_id)
            if pos != len(upload["data"]):
                raise Fail(40907, "分片位置不对", {"received": len(upload["data"])})
            if len(data) > state.part_size or pos + len(data) > upload["size"]:
                raise Fail(41300, "分片过大")
            upload["data"] += data
            return _ok(data=file_status(upload))

    @app.get("/api/v2/file/{file_id}/status")
    def file_state(file_id: str, session_cookie: SessionCookie = None) -> dict[str, Any]:
        user_of(session_cookie)
        with state.lock:
            return _ok(data=file_status(upload_of(file_id)))

    @app.post("/api/v2/file/{file_id}/finish")
    def file_finish(file_id: str, session_cookie: SessionCookie = None) -> dict[str, Any]:
        user_of(session_cookie)
        with state.lock:
            upload = upload_of(file_id)
            if not upload["done"]:
                if len(upload["data"]) != upload["size"]:
                    raise Fail(40908, "文件未传完", file_status(upload))
                if hashlib.sha256(upload["data"]).hexdigest() != upload["sha256"]:
                    upload["data"] = bytearray()
                    raise Fail(42202, "文件校验值不符，请重新上传")
                state.files[upload["sha256"]] = bytes(upload["data"])
                upload["done"] = True
            return _ok(data=file_status(upload))

    @app.get("/api/v2/file/get", response_model=None)
    def file_get(sha256: str, session_cookie: SessionCookie = None) -> Response | dict[str, Any]:
        user_of(session_cookie)
        with state.lock:
            data = state.files.get(sha256)
        if data is None:
            raise Fail(40400, "文件不存在")
        return Response(data, media_type="application/octet-stream")

    # ------------------------------------------------------------ clues, notices

    @app.get("/api/v2/clue/list")
    def clue_list(
        session_cookie: SessionCookie = None, since: int = 0, offset: int = 0, limit: int = 20
    ) -> dict[str, Any]:
        user_of(session_cookie)
        with state.lock:
            return page([dict(row) for row in state.clues.values()], since, offset, limit)

    @app.post("/api/v2/clue/{clue_id}/feedback")
    async def clue_feedback(
        clue_id: str, request: Request, session_cookie: SessionCookie = None
    ) -> dict[str, Any]:
        user_of(session_cookie)
        body = await _json(request)
        new_state, case_id = body.get("state"), body.get("caseId")
        if new_state not in (1, 2):
            raise Fail(40001, "state 只能是 1（已受理）或 2（已办结）")
        with state.lock:
            clue = state.clues.get(clue_id)
            if clue is None:
                raise Fail(40400, "线索不存在")
            if new_state < clue["state"] or (case_id and clue["caseId"] and case_id != clue["caseId"]):
                raise Fail(40909, "线索状态不能回退", {"state": clue["state"], "caseId": clue["caseId"]})
            if new_state != clue["state"] or (case_id and not clue["caseId"]):
                clue.update(
                    state=new_state,
                    caseId=clue["caseId"] or case_id or "",
                    rev=clue["rev"] + 1,
                    rowVersion=state.next_row_version(),
                )
            return _ok(data=dict(clue))

    @app.post("/api/v2/serial-ranges")
    async def serial_ranges(request: Request, session_cookie: SessionCookie = None) -> dict[str, Any]:
        session = user_of(session_cookie)
        biz_type, annual, amount, req_no = await _form(request, "bizType", "annual", "amount", "reqNo")
        if (
            not (annual.isdigit() and amount.isdigit())
            or len(biz_type) > 60
            or any(c.isspace() for c in biz_type)
        ):
            raise Fail(42203, "参数错误：bizType、annual、amount")
        year, count = int(annual), int(amount)
        this_year = state.now().astimezone(BEIJING).year
        if not 1 <= count <= 200 or not this_year - 1 <= year <= this_year + 1:
            raise Fail(42203, "号段参数超出范围")
        with state.lock:
            stored = state.ranges.get((session.username, req_no))
            if stored is not None:
                return {**stored, "dup": True}
            last = state.serials.get((biz_type, year), 0)
            state.serials[(biz_type, year)] = last + count
            answer = _ok(
                data={
                    "bizType": biz_type,
                    "annual": year,
                    "startNo": last + 1,
                    "endNo": last + count,
                    "areaCode": AREA,
                }
            )
            state.ranges[(session.username, req_no)] = answer
            return answer

    @app.post("/api/v2/gongshi/publish")
    async def publish(request: Request, session_cookie: SessionCookie = None) -> dict[str, Any]:
        user_of(session_cookie)
        body = await _json(request)
        case_id, doc_no, content, day = (body.get(k) for k in ("caseId", "docNo", "content", "pubDate"))
        if not all(isinstance(value, str) and value for value in (case_id, doc_no, content, day)):
            raise Fail(40001, "参数错误")
        with state.lock:
            if case_id not in state.cases:
                raise Fail(40400, "案件不存在")
            for notice in state.notices.values():
                if notice["caseId"] == case_id and notice["docNo"] == doc_no and notice["state"] == 1:
                    raise Fail(40910, "该决定已公示", dict(notice))
            gs_id = uuid.uuid4().hex
            notice = {
                "gsId": gs_id,
                "caseId": case_id,
                "docNo": doc_no,
                "content": content,
                "pubDate": day,
                "state": 1,
                "revokeReason": "",
                "rowVersion": state.next_row_version(),
            }
            state.notices[gs_id] = notice
            return _ok(data=dict(notice))

    @app.post("/api/v2/gongshi/{gs_id}/revoke")
    async def revoke(gs_id: str, request: Request, session_cookie: SessionCookie = None) -> dict[str, Any]:
        user_of(session_cookie)
        body = await _json(request)
        with state.lock:
            notice = state.notices.get(gs_id)
            if notice is None:
                raise Fail(40400, "公示不存在")
            if notice["state"] == 1:
                notice.update(
                    state=2,
                    content="",
                    revokeReason=str(body.get("reason", "")),
                    rowVersion=state.next_row_version(),
                )
            return _ok(data=dict(notice))

    return app


async def _form(request: Request, *names: str) -> list[str]:
    """The named fields of an ``application/x-www-form-urlencoded`` body (all required)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise Fail(40001, "请以表单方式提交")
    fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
    values = [fields.get(name, [""])[0] for name in names]
    if not all(values):
        raise Fail(40001, "参数不全：" + "、".join(names))
    return values


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise Fail(40001, "请求不是合法的 JSON") from exc
    if not isinstance(body, dict):
        raise Fail(40001, "请求应为 JSON 对象")
    return body


def _hash_ok(case_id: str, item: dict[str, Any]) -> bool:
    try:
        event = CaseEvent(
            event_id=item["eventId"],
            case_id=case_id,
            seq=item["seq"],
            occurred_at=dt.datetime.fromisoformat(item["occurredAt"]),
            actor_id=item["actorId"],
            actor_role=item["actorRole"],
            action=item["action"],
            changes=tuple(FieldChange(c["field"], c["old"], c["new"]) for c in item["changes"]),
            payload=item["payload"],
            prev_hash=item["prevHash"],
            hash=item["hash"],
        )
    except (KeyError, TypeError, ValueError):
        return False
    return bool(event_hash(event) == item["hash"])


class AltServer:
    """The v2 stand-in under uvicorn on a free port of 127.0.0.1 (a daemon thread)."""

    def __init__(self, *, access_ttl: float = 600, part_size: int = 1024 * 1024) -> None:
        self.state = State(access_ttl=access_ttl, part_size=part_size)
        self.username = "zhangsan"
        self.password = PASSWORD
        self.state.users[self.username] = (PASSWORD, "张三", "u-0001")
        self.state.users["lisi"] = (PASSWORD, "李四", "u-0002")
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._seed()

    def _seed(self) -> None:
        with self.state.lock:
            for number in range(1, 6):
                self.put_dict("statutes", f"law-{number}", {"title": f"第{number}部法规"})
            self.put_dict("holidays", "2026", {"days": ["2026-10-01"]})
            self.add_clue("人民路 12 号门前占道经营")

    # ------------------------------------------------------------ test helpers

    def put_dict(self, kind: str, item_id: str, payload: dict[str, Any], area: str | None = None) -> None:
        with self.state.lock:
            known = self.state.dicts.get((kind, item_id))
            self.state.dicts[(kind, item_id)] = {
                "dictId": item_id,
                "rev": 1 if known is None else known["rev"] + 1,
                "rowVersion": self.state.next_row_version(),
                "removed": 0,
                "areaCode": area,
                "payload": payload,
            }

    def remove_dict(self, kind: str, item_id: str) -> None:
        with self.state.lock:
            known = self.state.dicts[(kind, item_id)]
            known.update(
                removed=1, payload=None, rev=known["rev"] + 1, rowVersion=self.state.next_row_version()
            )

    def freeze_case(self, case_id: str) -> None:
        """What a reviewer's approval does: 审核通过 and locked."""
        with self.state.lock:
            row = self.state.cases[case_id]
            row.update(auditState=2, frozen=1, rev=row["rev"] + 1, rowVersion=self.state.next_row_version())

    def add_clue(self, title: str, evidence: tuple[str, ...] = ()) -> str:
        with self.state.lock:
            clue_id = uuid.uuid4().hex
            self.state.clues[clue_id] = {
                "clueId": clue_id,
                "clueType": 1,
                "areaCode": AREA,
                "title": title,
                "content": "非现场监测发现，请核查处理。",
                "address": "示范镇人民路",
                "limitDate": "20261201",
                "sourceName": "非现场监测",
                "evidence": ",".join(evidence),
                "state": 0,
                "caseId": "",
                "rev": 1,
                "rowVersion": self.state.next_row_version(),
            }
            return clue_id

    def advance_clock(self, seconds: float) -> None:
        with self.state.lock:
            self.state.offset += dt.timedelta(seconds=seconds)

    # ------------------------------------------------------------ life cycle

    def start(self) -> Self:
        app = create_app(self.state)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="alt-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the v2 stand-in did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
