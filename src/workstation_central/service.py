"""What the central server does, independent of HTTP: every method maps to one endpoint.

Methods raise :class:`~workstation_central.errors.ApiError`; the HTTP layer (app.py) turns it
into the error body. Writes go through :meth:`Database.write`, which serialises them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from workstation.domain.record import canonical_json, genesis_hash
from workstation_central import API_VERSION, SERVER_NAME, __version__, cursors, security
from workstation_central.config import Settings
from workstation_central.errors import (
    ApiError,
    forbidden,
    invalid_token,
    not_found,
    too_large,
    validation_error,
)
from workstation_central.models import (
    AnchorRow,
    AttachmentOwner,
    AttachmentRow,
    CaseEventRow,
    CaseRow,
    CaseVersion,
    Counter,
    IdempotencyRecord,
    LoginSession,
    NumberBlockRow,
    NumberSeriesRow,
    Officer,
    PublicationRow,
    ReferenceItem,
    TaskRow,
    Token,
    Township,
    UploadRow,
)
from workstation_central.schemas import (
    REFERENCE_KINDS,
    AnchorBatchIn,
    AnchorIn,
    CaseUpload,
    EventBatch,
    EventIn,
    LoginRequest,
    NumberReserveIn,
    OfficerIn,
    PublicationIn,
    ReferenceIn,
    RefreshRequest,
    ReviewIn,
    TaskAck,
    TaskIn,
    UploadStart,
    WithdrawIn,
)
from workstation_central.store import Database, iso, parse_iso

log = logging.getLogger(__name__)

Json = dict[str, Any]

_TASK_ORDER = {"open": 0, "accepted": 1, "done": 2}

#: Serials one number reservation may ask for (docs/CENTRAL.md §14).
MAX_RESERVE_COUNT = 200
#: Longest series code (the desktop app's sequence kinds are at most 60 characters).
MAX_SERIES_LENGTH = 60

#: The rows a feed serves (each has an ``updated_seq``).
FeedRow = TypeVar("FeedRow", ReferenceItem, CaseRow, TaskRow, PublicationRow)


class _TownshipRow(Protocol):
    @property
    def township_code(self) -> str: ...


#: A row that belongs to one township.
OwnedRow = TypeVar("OwnedRow", bound=_TownshipRow)


@dataclass(frozen=True, slots=True)
class Principal:
    """The officer a request acts for, from its access token."""

    officer_id: str
    username: str
    name: str
    township_code: str
    township_name: str
    session_id: str
    device_id: str


@dataclass(frozen=True, slots=True)
class Stored:
    """A response to send: status, body and whether it is an idempotent replay."""

    status: int
    body: Json
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Download:
    path: Path
    media_type: str
    filename: str
    size: int


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_length(value: str, what: str, most: int) -> None:
    if not 1 <= len(value) <= most:
        raise validation_error(f"{what}长度应为 1 至 {most} 个字符")


def parse_if_match(value: str | None) -> int | None:
    """None for create (header absent or ``*``), else the version; 400 when malformed."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    if not text.isdigit():
        raise ApiError(400, "bad_request", "If-Match 请求头格式错误，应为案件版本号")
    return int(text)


class CentralService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.files_dir = settings.storage_dir / "files"
        self.uploads_dir = settings.storage_dir / "uploads"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.uploads_dir.mkdir(parents=True, exist_ok=True)

    def now(self) -> dt.datetime:
        return self.settings.clock()

    # ------------------------------------------------------------ handshake

    def handshake(self) -> Json:
        return {
            "server": SERVER_NAME,
            "api_version": API_VERSION,
            "server_version": __version__,
            "min_client_version": self.settings.min_client_version,
            "max_client_version": self.settings.max_client_version,
            "instance_id": self.db.instance_id(),
            "high_water": self.db.high_water(),
            "server_time": iso(self.now()),
            "feeds_follow_high_water": True,
        }

    # ------------------------------------------------------------ auth

    def login(self, req: LoginRequest) -> Json:
        with self.db.read() as s:
            officer = s.scalar(select(Officer).where(Officer.username == req.username))
            ok = (
                officer is not None
                and officer.active
                and security.check_password(req.password, officer.password_salt, officer.password_hash)
            )
        if not ok or officer is None:
            raise ApiError(401, "invalid_credentials", "用户名或密码错误，或账号已停用")
        with self.db.write() as s:
            login_session = LoginSession(
                session_id=str(uuid.uuid4()),
                officer_id=officer.officer_id,
                device_id=req.device_id,
                created_at=iso(self.now()),
                revoked=False,
            )
            s.add(login_session)
            return self._issue(s, login_session.session_id, officer)

    def _issue(self, s: Session, session_id: str, officer: Officer) -> Json:
        now = self.now()
        access, refresh = security.new_token(), security.new_token()
        access_exp = now + dt.timedelta(seconds=self.settings.access_ttl)
        refresh_exp = now + dt.timedelta(seconds=self.settings.refresh_ttl)
        for token, kind, expires_at in ((access, "access", access_exp), (refresh, "refresh", refresh_exp)):
            s.add(
                Token(
                    token_hash=security.token_hash(token),
                    session_id=session_id,
                    kind=kind,
                    expires_at=iso(expires_at),
                    used=False,
                )
            )
        return {
            "token_type": "Bearer",
            "access_token": access,
            "access_expires_at": iso(access_exp),
            "expires_in": int(self.settings.access_ttl),
            "refresh_token": refresh,
            "refresh_expires_at": iso(refresh_exp),
            "officer": self._officer_out(s, officer),
        }

    @staticmethod
    def _officer_out(s: Session, officer: Officer) -> Json:
        township = s.get(Township, officer.township_code)
        return {
            "officer_id": officer.officer_id,
            "username": officer.username,
            "name": officer.name,
            "township_code": officer.township_code,
            "township_name": township.name if township else "",
        }

    def refresh(self, req: RefreshRequest) -> Json:
        reused = False
        with self.db.write() as s:
            token = s.get(Token, security.token_hash(req.refresh_token))
            if token is None or token.kind != "refresh":
                raise invalid_token()
            login_session = s.get(LoginSession, token.session_id)
            if login_session is None or login_session.revoked:
                raise invalid_token()
            if token.used:
                # A rotated refresh token came back: treat it as stolen, end the whole login.
                login_session.revoked = True
                reused = True
            elif login_session.device_id != req.device_id:
                raise invalid_token()
            elif parse_iso(token.expires_at) <= self.now():
                raise ApiError(401, "token_expired", "登录已过期，请重新登录")
            else:
                token.used = True
                officer = s.get(Officer, login_session.officer_id)
                if officer is None or not officer.active:
                    raise invalid_token()
                return self._issue(s, login_session.session_id, officer)
        assert reused
        log.warning("refresh token reused; login session %s revoked", token.session_id)
        raise invalid_token("登录凭证已被使用过，为安全起见本次登录已注销，请重新登录")

    def authenticate(self, access_token: str) -> Principal:
        with self.db.read() as s:
            token = s.get(Token, security.token_hash(access_token))
            if token is None or token.kind != "access" or token.used:
                raise invalid_token()
            login_session = s.get(LoginSession, token.session_id)
            if login_session is None or login_session.revoked:
                raise invalid_token()
            officer = s.get(Officer, login_session.officer_id)
            if officer is None or not officer.active:
                raise invalid_token()
            if parse_iso(token.expires_at) <= self.now():
                raise ApiError(401, "token_expired", "登录已过期，请刷新登录凭证")
            out = self._officer_out(s, officer)
            return Principal(
                officer_id=officer.officer_id,
                username=officer.username,
                name=officer.name,
                township_code=officer.township_code,
                township_name=out["township_name"],
                session_id=login_session.session_id,
                device_id=login_session.device_id,
            )

    def me(self, p: Principal) -> Json:
        return {
            "officer_id": p.officer_id,
            "username": p.username,
            "name": p.name,
            "township_code": p.township_code,
            "township_name": p.township_name,
        }

    def logout(self, p: Principal) -> None:
        with self.db.write() as s:
            s.execute(
                update(LoginSession).where(LoginSession.session_id == p.session_id).values(revoked=True)
            )

    # ------------------------------------------------------------ feeds

    @staticmethod
    def _start(s: Session, feed: str, cursor: str | None) -> int:
        after = cursors.decode(feed, cursor)
        high_water = s.scalar(select(Counter.value).where(Counter.name == "seq")) or 0
        if after > high_water:
            raise ApiError(
                409,
                "cursor_ahead",
                "服务器的数据比本机已同步的还旧（可能已从备份恢复），已停止同步，请联系管理员",
                {"high_water": high_water},
            )
        return after

    def _feed(
        self,
        feed: str,
        cursor: str | None,
        limit: int,
        row_type: type[FeedRow],
        out: Callable[[FeedRow], Json],
        *where: ColumnElement[bool],
    ) -> Json:
        """A page of ``feed``: the ``row_type`` rows matching ``where`` changed after ``cursor``."""
        with self.db.read() as s:
            after = self._start(s, feed, cursor)
            rows = s.scalars(
                select(row_type)
                .where(row_type.updated_seq > after, *where)
                .order_by(row_type.updated_seq)
                .limit(limit + 1)
            ).all()
            items = [out(r) for r in rows[:limit]]
        last = items[-1]["updated_seq"] if items else after
        return {"items": items, "next_cursor": cursors.encode(feed, last), "has_more": len(rows) > limit}

    def reference_page(self, p: Principal, kind: str, cursor: str | None, limit: int) -> Json:
        if kind not in REFERENCE_KINDS:
            raise not_found("没有这类基础数据")
        in_township = or_(
            ReferenceItem.township_code.is_(None), ReferenceItem.township_code == p.township_code
        )
        return self._feed(
            f"reference/{kind}",
            cursor,
            limit,
            ReferenceItem,
            self._reference_out,
            ReferenceItem.kind == kind,
            in_township,
        )

    @staticmethod
    def _reference_out(row: ReferenceItem) -> Json:
        return {
            "kind": row.kind,
            "id": row.item_id,
            "version": row.version,
            "updated_seq": row.updated_seq,
            "deleted": row.deleted,
            "township_code": row.township_code,
            "payload": None if row.deleted else row.payload,
        }

    def changes_page(self, p: Principal, cursor: str | None, limit: int) -> Json:
        return self._feed(
            "changes", cursor, limit, CaseRow, self._case_out, CaseRow.township_code == p.township_code
        )

    def tasks_page(self, p: Principal, cursor: str | None, limit: int) -> Json:
        return self._feed(
            "tasks", cursor, limit, TaskRow, self._task_out, TaskRow.township_code == p.township_code
        )

    def publications_page(self, township: str | None, cursor: str | None, limit: int) -> Json:
        where = [PublicationRow.township_code == township] if township else []
        return self._feed("publications", cursor, limit, PublicationRow, self._publication_out, *where)

    # ------------------------------------------------------------ ownership

    @staticmethod
    def _owned(s: Session, p: Principal, row_type: type[OwnedRow], key: str, missing: str) -> OwnedRow:
        """The ``row_type`` row ``key`` of the officer's township: 404 ``missing``, or 403."""
        row = s.get(row_type, key)
        if row is None:
            raise not_found(missing)
        if row.township_code != p.township_code:
            raise forbidden()
        return row

    @staticmethod
    def _share_file(s: Session, sha256: str, township_code: str) -> None:
        """Let ``township_code`` download the file ``sha256``."""
        if s.get(AttachmentOwner, (sha256, township_code)) is None:
            s.add(AttachmentOwner(sha256=sha256, township_code=township_code))

    @staticmethod
    def _require_township(s: Session, code: str) -> None:
        if s.get(Township, code) is None:
            raise not_found(f"辖区 {code} 不存在")

    # ------------------------------------------------------------ idempotency

    @staticmethod
    def _replay(s: Session, p: Principal, key: str, method: str, path: str, body_sha: str) -> Stored | None:
        record = s.get(IdempotencyRecord, (p.officer_id, key))
        if record is None:
            return None
        if record.method != method or record.path != path or record.request_sha256 != body_sha:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "该幂等键已用于另一个不同的请求，请为新请求生成新的幂等键",
            )
        return Stored(record.status, json.loads(record.response_body), replayed=True)

    def _remember(
        self, s: Session, p: Principal, key: str, method: str, path: str, body_sha: str, result: Stored
    ) -> Stored:
        s.add(
            IdempotencyRecord(
                officer_id=p.officer_id,
                key=key,
                method=method,
                path=path,
                request_sha256=body_sha,
                status=result.status,
                response_body=json.dumps(result.body, ensure_ascii=False),
                created_at=iso(self.now()),
            )
        )
        return result

    # ------------------------------------------------------------ cases

    @staticmethod
    def _case_out(row: CaseRow) -> Json:
        return {
            "case_id": row.case_id,
            "township_code": row.township_code,
            "version": row.version,
            "updated_seq": row.updated_seq,
            "case_number": row.case_number,
            "review_status": row.review_status,
            "locked": row.locked,
            "fields": row.fields,
            "updated_at": row.updated_at,
            "updated_by": {"officer_id": row.updated_by_officer, "device_id": row.updated_by_device},
        }

    @staticmethod
    def _check_case_id(case_id: str) -> None:
        _check_length(case_id, "案件编号（case_id）", 36)

    def _own_case(self, s: Session, p: Principal, case_id: str) -> CaseRow:
        self._check_case_id(case_id)
        return self._owned(s, p, CaseRow, case_id, "服务器上没有该案件")

    @staticmethod
    def _keep_version(s: Session, row: CaseRow, base_version: int) -> None:
        """Add the case as it now stands to its history, written over ``base_version``."""
        s.add(
            CaseVersion(
                case_id=row.case_id,
                version=row.version,
                base_version=base_version,
                fields=row.fields,
                case_number=row.case_number,
                stored_at=row.updated_at,
                officer_id=row.updated_by_officer,
                device_id=row.updated_by_device,
            )
        )

    def put_case(
        self,
        p: Principal,
        case_id: str,
        if_match: str | None,
        upload: CaseUpload,
        key: str,
        raw_body: bytes,
        path: str,
    ) -> Stored:
        self._check_case_id(case_id)
        expected = parse_if_match(if_match)
        if (expected or 0) != upload.base_version:
            raise validation_error("base_version 与 If-Match 请求头中的版本号不一致")
        body_sha = _sha256(raw_body)
        with self.db.write() as s:
            replay = self._replay(s, p, key, "PUT", path, body_sha)
            if replay is not None:
                return replay
            row = s.get(CaseRow, case_id)
            if row is not None and row.township_code != p.township_code:
                raise forbidden()
            current = row.version if row is not None else 0
            if (expected is None) != (row is None) or (row is not None and row.version != expected):
                raise ApiError(
                    409,
                    "version_conflict",
                    "案件已被其他设备修改，请合并后重试" if row else "服务器上没有该案件，请按新建上传",
                    {"current_version": current, "server_document": self._case_out(row) if row else None},
                )
            if row is not None and row.locked:
                raise ApiError(
                    409, "case_locked", "案件已审核锁定，不能再修改", {"server_document": self._case_out(row)}
                )
            if (
                row is not None
                and row.case_number is not None
                and upload.case_number is not None
                and upload.case_number != row.case_number
            ):
                raise ApiError(
                    409,
                    "case_number_immutable",
                    f"案号已登记为「{row.case_number}」，不能更改",
                    {"case_number": row.case_number, "server_document": self._case_out(row)},
                )
            seq = self.db.next_seq(s)
            now = iso(self.now())
            if row is None:
                row = CaseRow(
                    case_id=case_id,
                    township_code=p.township_code,
                    version=1,
                    review_status="none",
                    locked=False,
                    case_number=upload.case_number,
                )
                s.add(row)
                status = 201
            else:
                row.version += 1
                if row.case_number is None:
                    row.case_number = upload.case_number
                status = 200
            row.updated_seq = seq
            row.fields = upload.fields
            row.updated_at = now
            row.updated_by_officer = p.officer_id
            row.updated_by_device = p.device_id
            s.flush()
            self._keep_version(s, row, upload.base_version)
            return self._remember(s, p, key, "PUT", path, body_sha, Stored(status, self._case_out(row)))

    def get_case(self, p: Principal, case_id: str) -> Json:
        with self.db.read() as s:
            return self._case_out(self._own_case(s, p, case_id))

    # ------------------------------------------------------------ events

    @staticmethod
    def _event_content(event: EventIn) -> str:
        return canonical_json(event.model_dump(mode="json")).decode("utf-8")

    @staticmethod
    def _event_hash(case_id: str, event: EventIn) -> str:
        data = event.model_dump(mode="json")
        hashed = {k: data[k] for k in ("event_id", "seq", "occurred_at", "actor_id", "actor_role", "action")}
        hashed |= {
            "case_id": case_id,
            "changes": data["changes"],
            "payload": data["payload"],
            "prev_hash": data["prev_hash"],
        }
        return _sha256(canonical_json(hashed))

    def post_events(self, p: Principal, case_id: str, batch: EventBatch) -> Json:
        try:
            incoming = [(e, self._event_content(e), self._event_hash(case_id, e)) for e in batch.events]
        except TypeError as exc:
            raise validation_error("记录内容含有无法规范化的值") from exc
        incoming.sort(key=lambda item: item[0].seq)
        with self.db.write() as s:
            self._own_case(s, p, case_id)
            head = s.scalar(
                select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.seq.desc())
            )
            head_seq, head_hash = (head.seq, head.hash) if head else (0, None)
            seen: dict[str, str] = {}
            accepted = duplicates = 0
            for event, content, computed in incoming:
                mismatch = ApiError(
                    409,
                    "event_mismatch",
                    "同一记录编号的内容与服务器已存的不一致",
                    {"event_id": event.event_id},
                )
                if event.event_id in seen:
                    if seen[event.event_id] != content:
                        raise mismatch
                    duplicates += 1
                    continue
                seen[event.event_id] = content
                stored = s.scalar(select(CaseEventRow).where(CaseEventRow.event_id == event.event_id))
                if stored is not None:
                    if stored.case_id != case_id or stored.content != content:
                        raise mismatch
                    duplicates += 1
                    continue
                if computed != event.hash:
                    raise ApiError(
                        422, "hash_invalid", "记录的哈希值与内容不符", {"event_id": event.event_id}
                    )
                if event.seq <= head_seq:
                    taken = s.get(CaseEventRow, (case_id, event.seq))
                    assert taken is not None
                    raise ApiError(
                        409,
                        "chain_conflict",
                        f"第 {event.seq} 条记录已由另一条记录占用，本机记录与服务器分叉",
                        {"seq": taken.seq, "event_id": taken.event_id, "hash": taken.hash},
                    )
                if event.seq != head_seq + 1:
                    raise ApiError(
                        409,
                        "event_gap",
                        f"记录不连续：服务器已有 {head_seq} 条，请从第 {head_seq + 1} 条开始上传",
                        {"head_seq": head_seq, "head_hash": head_hash},
                    )
                expected_prev = head_hash if head_hash is not None else genesis_hash(case_id)
                if event.prev_hash != expected_prev:
                    raise ApiError(
                        422,
                        "chain_broken",
                        "记录的前序哈希与上一条记录不符",
                        {"event_id": event.event_id, "expected_prev_hash": expected_prev},
                    )
                s.add(
                    CaseEventRow(
                        case_id=case_id,
                        seq=event.seq,
                        event_id=event.event_id,
                        hash=event.hash,
                        content=content,
                    )
                )
                head_seq, head_hash = event.seq, event.hash
                accepted += 1
            return {
                "accepted": accepted,
                "duplicates": duplicates,
                "head_seq": head_seq,
                "head_hash": head_hash,
            }

    def get_events(self, p: Principal, case_id: str, after_seq: int, limit: int) -> Json:
        with self.db.read() as s:
            self._own_case(s, p, case_id)
            rows = s.scalars(
                select(CaseEventRow)
                .where(CaseEventRow.case_id == case_id, CaseEventRow.seq > after_seq)
                .order_by(CaseEventRow.seq)
                .limit(limit + 1)
            ).all()
            head = s.scalar(
                select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.seq.desc())
            )
            return {
                "items": [json.loads(r.content) for r in rows[:limit]],
                "head_seq": head.seq if head else 0,
                "head_hash": head.hash if head else None,
                "has_more": len(rows) > limit,
            }

    # ------------------------------------------------------------ anchors

    def anchor(self, p: Principal, case_id: str, req: AnchorIn) -> Stored:
        with self.db.write() as s:
            return self._anchor(s, p, case_id, req)

    def anchor_batch(self, p: Principal, req: AnchorBatchIn) -> Json:
        """Anchor many heads in one write transaction; one result per item, in order.

        Each item is answered as ``anchor`` would answer it: an ``ApiError`` of one item
        becomes its error result and does not affect the others.
        """
        results: list[Json] = []
        with self.db.write() as s:
            for item in req.items:
                try:
                    stored = self._anchor(s, p, item.case_id, item)
                except ApiError as error:
                    results.append(
                        {
                            "case_id": item.case_id,
                            "head_seq": item.head_seq,
                            "status": "error",
                            "code": error.code,
                            "message": error.message,
                            "details": error.details,
                        }
                    )
                else:
                    results.append({**stored.body, "status": "anchored"})
        return {"items": results}

    def _anchor(self, s: Session, p: Principal, case_id: str, req: AnchorIn) -> Stored:
        """Record the head ``req`` of ``case_id`` in the write transaction ``s``: 201 new, 200 already."""
        self._own_case(s, p, case_id)
        existing = s.get(AnchorRow, (case_id, req.head_seq))
        stored_event = s.get(CaseEventRow, (case_id, req.head_seq))
        server_hash = existing.head_hash if existing else stored_event.hash if stored_event else None
        if server_hash is not None and server_hash != req.head_hash:
            raise ApiError(
                409,
                "anchor_mismatch",
                f"第 {req.head_seq} 条记录的哈希与服务器存证不一致，记录可能已被篡改",
                {"head_seq": req.head_seq, "head_hash": server_hash},
            )
        if existing is not None:
            return Stored(200, self._anchor_out(existing))
        row = AnchorRow(
            case_id=case_id, head_seq=req.head_seq, head_hash=req.head_hash, anchored_at=iso(self.now())
        )
        s.add(row)
        s.flush()  # a later item of the same batch at this head sees it
        return Stored(201, self._anchor_out(row))

    @staticmethod
    def _anchor_out(row: AnchorRow) -> Json:
        return {
            "case_id": row.case_id,
            "head_seq": row.head_seq,
            "head_hash": row.head_hash,
            "anchored_at": row.anchored_at,
        }

    def anchors(self, p: Principal, case_id: str) -> Json:
        with self.db.read() as s:
            self._own_case(s, p, case_id)
            rows = s.scalars(
                select(AnchorRow).where(AnchorRow.case_id == case_id).order_by(AnchorRow.head_seq)
            )
            return {"items": [self._anchor_out(r) for r in rows]}

    # ------------------------------------------------------------ attachments

    def _file_path(self, sha256: str) -> Path:
        return self.files_dir / sha256[:2] / sha256

    def _part_path(self, upload_id: str) -> Path:
        return self.uploads_dir / f"{upload_id}.part"

    def _upload_out(self, row: UploadRow, status: str | None = None) -> Json:
        return {
            "status": status or row.status,
            "upload_id": row.upload_id,
            "sha256": row.sha256,
            "size": row.size,
            "offset": row.offset,
            "max_chunk_bytes": self.settings.max_chunk_bytes,
        }

    def start_upload(self, p: Principal, req: UploadStart) -> Stored:
        if req.size > self.settings.max_file_bytes:
            raise too_large(self.settings.max_file_bytes)
        with self.db.write() as s:
            present = s.get(AttachmentRow, req.sha256)
            if present is not None:
                if present.size != req.size:
                    raise validation_error("文件大小与服务器已存的同一哈希文件不符")
                self._share_file(s, req.sha256, p.township_code)
                body = {
                    "status": "already_present",
                    "upload_id": None,
                    "sha256": req.sha256,
                    "size": req.size,
                    "offset": req.size,
                    "max_chunk_bytes": self.settings.max_chunk_bytes,
                }
                return Stored(200, body)
            open_upload = s.scalar(
                select(UploadRow).where(
                    UploadRow.sha256 == req.sha256,
                    UploadRow.size == req.size,
                    UploadRow.township_code == p.township_code,
                    UploadRow.status == "open",
                )
            )
            if open_upload is not None:
                return Stored(200, self._upload_out(open_upload, "resumed"))
            row = UploadRow(
                upload_id=str(uuid.uuid4()),
                township_code=p.township_code,
                sha256=req.sha256,
                size=req.size,
                filename=req.filename,
                media_type=req.media_type,
                offset=0,
                status="open",
                created_at=iso(self.now()),
            )
            s.add(row)
            self._part_path(row.upload_id).write_bytes(b"")
            return Stored(201, self._upload_out(row, "created"))

    def _own_upload(self, s: Session, p: Principal, upload_id: str) -> UploadRow:
        return self._owned(s, p, UploadRow, upload_id, "没有该上传任务")

    def upload_state(self, p: Principal, upload_id: str) -> Json:
        with self.db.read() as s:
            return self._upload_out(self._own_upload(s, p, upload_id))

    def write_chunk(self, p: Principal, upload_id: str, offset: int, data: bytes) -> Json:
        with self.db.write() as s:
            row = self._own_upload(s, p, upload_id)
            if row.status != "open" or offset != row.offset:
                raise ApiError(
                    409,
                    "offset_mismatch",
                    f"分片位置不对：服务器已收到 {row.offset} 字节",
                    {"offset": row.offset},
                )
            if offset + len(data) > row.size:
                raise too_large(row.size)
            with self._part_path(upload_id).open("r+b") as handle:
                handle.seek(offset)
                handle.write(data)
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())
            row.offset = offset + len(data)
            return self._upload_out(row)

    def complete_upload(self, p: Principal, upload_id: str) -> Json:
        mismatch: ApiError | None = None
        with self.db.write() as s:
            row = self._own_upload(s, p, upload_id)
            if row.status == "complete":
                return self._upload_out(row)
            if row.offset < row.size:
                raise ApiError(
                    409,
                    "upload_incomplete",
                    f"文件尚未传完：已收到 {row.offset} / {row.size} 字节",
                    {"offset": row.offset, "size": row.size},
                )
            part = self._part_path(upload_id)
            digest = hashlib.sha256()
            with part.open("rb") as handle:
                for block in iter(lambda: handle.read(1024 * 1024), b""):
                    digest.update(block)
            actual = digest.hexdigest()
            if actual != row.sha256:
                row.offset = 0
                part.write_bytes(b"")
                mismatch = ApiError(
                    422,
                    "hash_mismatch",
                    "上传的文件内容与声明的 SHA-256 不符，请重新上传",
                    {"expected": row.sha256, "actual": actual},
                )
            else:
                target = self._file_path(row.sha256)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(part, target)
                if s.get(AttachmentRow, row.sha256) is None:
                    s.add(
                        AttachmentRow(
                            sha256=row.sha256,
                            size=row.size,
                            filename=row.filename,
                            media_type=row.media_type,
                            stored_at=iso(self.now()),
                        )
                    )
                self._share_file(s, row.sha256, p.township_code)
                row.status = "complete"
                return self._upload_out(row)
        assert mismatch is not None
        raise mismatch

    def put_file(self, data: bytes, filename: str, media_type: str, township_code: str) -> str:
        """Store ``data`` directly (seeding and administration); returns its SHA-256."""
        sha256 = _sha256(data)
        with self.db.write() as s:
            target = self._file_path(sha256)
            if s.get(AttachmentRow, sha256) is None:
                target.parent.mkdir(parents=True, exist_ok=True)
                temp = target.with_suffix(".tmp")
                temp.write_bytes(data)
                os.replace(temp, target)
                s.add(
                    AttachmentRow(
                        sha256=sha256,
                        size=len(data),
                        filename=filename,
                        media_type=media_type,
                        stored_at=iso(self.now()),
                    )
                )
            self._share_file(s, sha256, township_code)
        return sha256

    def download(self, p: Principal, sha256: str) -> Download:
        with self.db.read() as s:
            row = s.get(AttachmentRow, sha256)
            owner = s.get(AttachmentOwner, (sha256, p.township_code))
            if row is None or owner is None:
                raise not_found("服务器上没有该附件")
            return Download(self._file_path(sha256), row.media_type, row.filename, row.size)

    # ------------------------------------------------------------ tasks

    @staticmethod
    def _task_out(row: TaskRow) -> Json:
        return {
            "id": row.task_id,
            "kind": row.kind,
            "township_code": row.township_code,
            "title": row.title,
            "description": row.description,
            "location": row.location,
            "deadline": row.deadline,
            "source": row.source,
            "evidence_sha256": list(row.evidence_sha256),
            "status": row.status,
            "case_id": row.case_id,
            "acked_by": row.acked_by,
            "acked_at": row.acked_at,
            "created_at": row.created_at,
            "version": row.version,
            "updated_seq": row.updated_seq,
        }

    def ack_task(self, p: Principal, task_id: str, ack: TaskAck) -> Json:
        with self.db.write() as s:
            row = self._owned(s, p, TaskRow, task_id, "没有该任务")
            case_changes = ack.case_id is not None and row.case_id is not None and ack.case_id != row.case_id
            if _TASK_ORDER[ack.status] < _TASK_ORDER[row.status] or case_changes:
                raise ApiError(
                    409,
                    "invalid_transition",
                    "任务状态不能回退，已关联的案件也不能更换",
                    {"status": row.status, "case_id": row.case_id},
                )
            if ack.status == row.status and (ack.case_id is None or ack.case_id == row.case_id):
                return self._task_out(row)
            row.status = ack.status
            row.case_id = ack.case_id or row.case_id
            row.acked_by = p.officer_id
            row.acked_at = iso(self.now())
            row.version += 1
            row.updated_seq = self.db.next_seq(s)
            return self._task_out(row)

    # ------------------------------------------------------------ publications

    @staticmethod
    def _publication_out(row: PublicationRow) -> Json:
        return {
            "id": row.publication_id,
            "township_code": row.township_code,
            "case_id": row.case_id,
            "decision_number": row.decision_number,
            "content": row.content,
            "published_on": row.published_on,
            "status": row.status,
            "withdrawn_reason": row.withdrawn_reason,
            "withdrawn_at": row.withdrawn_at,
            "created_at": row.created_at,
            "updated_seq": row.updated_seq,
        }

    def publish(self, p: Principal, req: PublicationIn, key: str, raw_body: bytes, path: str) -> Stored:
        body_sha = _sha256(raw_body)
        with self.db.write() as s:
            replay = self._replay(s, p, key, "POST", path, body_sha)
            if replay is not None:
                return replay
            self._own_case(s, p, req.case_id)
            existing = s.scalar(
                select(PublicationRow).where(
                    and_(
                        PublicationRow.case_id == req.case_id,
                        PublicationRow.decision_number == req.decision_number,
                        PublicationRow.status == "published",
                    )
                )
            )
            if existing is not None:
                raise ApiError(
                    409,
                    "already_published",
                    "该决定已经公示，如需更正请先撤回",
                    {"publication_id": existing.publication_id},
                )
            row = PublicationRow(
                publication_id=str(uuid.uuid4()),
                township_code=p.township_code,
                case_id=req.case_id,
                decision_number=req.decision_number,
                content=req.content,
                published_on=req.published_on.isoformat(),
                status="published",
                created_at=iso(self.now()),
                updated_seq=self.db.next_seq(s),
            )
            s.add(row)
            return self._remember(s, p, key, "POST", path, body_sha, Stored(201, self._publication_out(row)))

    def withdraw(self, p: Principal, publication_id: str, req: WithdrawIn) -> Json:
        with self.db.write() as s:
            row = self._owned(s, p, PublicationRow, publication_id, "没有该公示")
            if row.status == "published":
                row.status = "withdrawn"
                row.content = None
                row.withdrawn_reason = req.reason
                row.withdrawn_at = iso(self.now())
                row.updated_seq = self.db.next_seq(s)
            return self._publication_out(row)

    # ------------------------------------------------------------ number blocks

    def _check_reservation(self, req: NumberReserveIn) -> None:
        series = req.series
        if (
            not 1 <= len(series) <= MAX_SERIES_LENGTH
            or series != series.strip()
            or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in series)
        ):
            raise ApiError(
                422,
                "invalid_request",
                f"编号序列无效：应为 1 至 {MAX_SERIES_LENGTH} 个字符、不含空格的代码",
                {"field": "series"},
            )
        this_year = self.now().year
        if not this_year - 1 <= req.year <= this_year + 1:
            raise ApiError(
                422,
                "invalid_request",
                f"编号年份无效：只能申领 {this_year - 1} 至 {this_year + 1} 年的编号",
                {"field": "year"},
            )
        if not 1 <= req.count <= MAX_RESERVE_COUNT:
            raise ApiError(
                422,
                "invalid_request",
                f"申领数量无效：每次应为 1 至 {MAX_RESERVE_COUNT} 个号",
                {"field": "count"},
            )

    def reserve_numbers(
        self, p: Principal, req: NumberReserveIn, key: str, raw_body: bytes, path: str
    ) -> Stored:
        """A block of ``count`` serials of the officer's township, series and year, never
        handed out twice: the series' last serial moves and the block is recorded in one
        (serialised) transaction, and the answer is stored under the idempotency key."""
        self._check_reservation(req)
        body_sha = _sha256(raw_body)
        with self.db.write() as s:
            replay = self._replay(s, p, key, "POST", path, body_sha)
            if replay is not None:
                return replay
            series = s.get(NumberSeriesRow, (p.township_code, req.series, req.year))
            if series is None:
                series = NumberSeriesRow(
                    township_code=p.township_code, series=req.series, year=req.year, last=0
                )
                s.add(series)
            first = series.last + 1
            last = series.last + req.count
            series.last = last
            s.add(
                NumberBlockRow(
                    township_code=p.township_code,
                    series=req.series,
                    year=req.year,
                    first=first,
                    last=last,
                    officer_id=p.officer_id,
                    device_id=p.device_id,
                    reserved_at=iso(self.now()),
                )
            )
            body = {
                "series": req.series,
                "year": req.year,
                "first": first,
                "last": last,
                "township_code": p.township_code,
            }
            return self._remember(s, p, key, "POST", path, body_sha, Stored(201, body))

    # ------------------------------------------------------------ administration

    def put_township(self, code: str, name: str) -> Json:
        _check_length(code, "辖区代码", 40)
        with self.db.write() as s:
            row = s.get(Township, code)
            if row is None:
                s.add(Township(code=code, name=name))
            else:
                row.name = name
            return {"code": code, "name": name}

    def put_officer(self, username: str, req: OfficerIn, *, only_if_changed: bool = False) -> Json:
        """Create or update an officer account; ``only_if_changed`` leaves an equal one alone."""
        _check_length(username, "用户名", 100)
        if only_if_changed:
            with self.db.read() as s:
                row = s.scalar(select(Officer).where(Officer.username == username))
                if (
                    row is not None
                    and (row.name, row.township_code, row.active) == (req.name, req.township_code, req.active)
                    and security.check_password(req.password, row.password_salt, row.password_hash)
                ):
                    return self._officer_out(s, row)
        salt = security.new_salt()
        password_hash = security.hash_password(req.password, salt)
        with self.db.write() as s:
            self._require_township(s, req.township_code)
            row = s.scalar(select(Officer).where(Officer.username == username))
            if row is None:
                row = Officer(officer_id=str(uuid.uuid4()), username=username)
                s.add(row)
            row.name = req.name
            row.township_code = req.township_code
            row.password_salt = salt
            row.password_hash = password_hash
            row.active = req.active
            s.flush()
            return self._officer_out(s, row)

    @staticmethod
    def _check_kind(kind: str, item_id: str) -> None:
        if kind not in REFERENCE_KINDS:
            raise not_found("没有这类基础数据")
        _check_length(item_id, "基础数据编号", 200)

    def put_reference(
        self, kind: str, item_id: str, req: ReferenceIn, *, only_if_changed: bool = False
    ) -> Json:
        """Write a reference item (a new version); ``only_if_changed`` leaves an equal one alone."""
        self._check_kind(kind, item_id)
        with self.db.write() as s:
            row = s.get(ReferenceItem, (kind, item_id))
            if (
                only_if_changed
                and row is not None
                and not row.deleted
                and row.township_code == req.township_code
                and row.payload == req.payload
            ):
                return self._reference_out(row)
            seq = self.db.next_seq(s)
            if row is None:
                row = ReferenceItem(kind=kind, item_id=item_id, version=0)
                s.add(row)
            row.version += 1
            row.township_code = req.township_code
            row.payload = req.payload
            row.deleted = False
            row.updated_seq = seq
            return self._reference_out(row)

    def delete_reference(self, kind: str, item_id: str) -> Json:
        self._check_kind(kind, item_id)
        with self.db.write() as s:
            row = s.get(ReferenceItem, (kind, item_id))
            if row is None:
                raise not_found("没有该基础数据")
            if not row.deleted:
                row.version += 1
                row.deleted = True
                row.payload = None
                row.updated_seq = self.db.next_seq(s)
            return self._reference_out(row)

    def create_task(self, req: TaskIn, task_id: str | None = None) -> Json:
        with self.db.write() as s:
            self._require_township(s, req.township_code)
            if task_id is not None and (existing := s.get(TaskRow, task_id)) is not None:
                return self._task_out(existing)
            for sha in req.evidence_sha256:
                if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
                    raise validation_error("证据附件的 SHA-256 格式错误")
                self._share_file(s, sha, req.township_code)
            row = TaskRow(
                task_id=task_id or str(uuid.uuid4()),
                township_code=req.township_code,
                kind=req.kind,
                title=req.title,
                description=req.description,
                location=req.location,
                deadline=req.deadline.isoformat() if req.deadline else None,
                source=req.source,
                evidence_sha256=list(req.evidence_sha256),
                status="open",
                created_at=iso(self.now()),
                version=1,
                updated_seq=self.db.next_seq(s),
            )
            s.add(row)
            return self._task_out(row)

    def review_case(self, case_id: str, req: ReviewIn) -> Json:
        with self.db.write() as s:
            row = s.get(CaseRow, case_id)
            if row is None:
                raise not_found("服务器上没有该案件")
            base = row.version
            row.review_status = req.review_status
            row.locked = req.locked
            row.version += 1
            row.updated_seq = self.db.next_seq(s)
            row.updated_at = iso(self.now())
            row.updated_by_officer = None
            row.updated_by_device = None
            self._keep_version(s, row, base)
            return self._case_out(row)
