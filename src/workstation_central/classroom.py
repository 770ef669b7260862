"""What a trainer does beside ``serve``: list the cases and tasks the server holds, push a task.

Reads go straight to the tables (nothing is changed); a push goes through
:class:`~workstation_central.service.CentralService` as ``POST /v1/admin/tasks`` does, so the
files and the task take their numbers of the server's change sequence like any other write.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from workstation_central.models import AttachmentRow, CaseEventRow, CaseRow, Officer, TaskRow, Township
from workstation_central.schemas import TaskIn
from workstation_central.service import CentralService

Json = dict[str, Any]

TASK_KINDS = {"clue": "线索", "task": "任务"}
TASK_STATUSES = {"open": "待处理", "accepted": "已受理", "done": "已办结"}
REVIEW_STATUSES = {"none": "未提交审核", "submitted": "待审核", "approved": "审核通过", "returned": "已退回"}
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"
_OS_REASONS = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EISDIR: "这是一个目录"}


class ClassroomError(Exception):
    """A request the trainer can correct; ``code`` is stable, the text is Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file to attach to a task, read before anything is written."""

    filename: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_evidence(paths: Sequence[Path], max_bytes: int) -> list[EvidenceFile]:
    """Every file of ``paths``, whole; the first unreadable or oversized one is refused."""
    files = []
    for path in paths:
        try:
            if path.is_dir():
                raise ClassroomError("evidence_unreadable", f"证据文件 {path} 是一个目录，请指定文件")
            size = path.stat().st_size
            if size > max_bytes:
                raise ClassroomError(
                    "too_large", f"证据文件 {path} 有 {size} 字节，超过服务器允许的 {max_bytes} 字节"
                )
            data = path.read_bytes()
        except OSError as exc:
            reason = _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
            raise ClassroomError("evidence_unreadable", f"无法读取证据文件 {path}：{reason}") from exc
        guessed, _ = mimetypes.guess_type(path.name)
        media_type = TEXT_MEDIA_TYPE if guessed == "text/plain" else guessed or "application/octet-stream"
        files.append(EvidenceFile(path.name, media_type, data))
    return files


def parse_deadline(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ClassroomError(
            "invalid_input", f"期限应为日期（YYYY-MM-DD），例如 2026-12-31：{text}"
        ) from None


def _require_township(service: CentralService, code: str) -> str:
    """The township's name; a code the server does not know is refused."""
    with service.db.read() as s:
        row = s.get(Township, code)
        if row is None:
            raise ClassroomError(
                "not_found",
                f"服务器上没有乡镇（辖区）{code}，请先运行 workstation-central seed --township {code}",
            )
        return row.name


def _check_text(value: str, what: str, most: int, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise ClassroomError("invalid_input", f"{what}不能为空")
    if len(text) > most:
        raise ClassroomError("invalid_input", f"{what}最多 {most} 个字符（现有 {len(text)} 个）")
    return text


def push_task(
    service: CentralService,
    *,
    township_code: str,
    title: str,
    kind: str = "task",
    description: str = "",
    location: str = "",
    deadline: dt.date | None = None,
    source: str = "",
    evidence: Sequence[EvidenceFile] = (),
) -> Json:
    """Push a task or clue to ``township_code``; its evidence becomes server attachments the
    township may download. Returns ``{"task": Task, "township_name", "evidence": [...]}``."""
    if kind not in TASK_KINDS:
        raise ClassroomError("invalid_input", f"任务类型应为 task（任务）或 clue（线索）：{kind}")
    title = _check_text(title, "任务标题", 400, required=True)
    location = _check_text(location, "地点", 400)
    source = _check_text(source, "来源", 200)
    township_name = _require_township(service, township_code)
    task_in = TaskIn(
        township_code=township_code,
        kind="clue" if kind == "clue" else "task",
        title=title,
        description=description.strip(),
        location=location,
        deadline=deadline,
        source=source,
        evidence_sha256=[file.sha256 for file in evidence],
    )
    stored = []
    for file in evidence:
        sha256 = service.put_file(file.data, file.filename, file.media_type, township_code)
        stored.append(
            {
                "sha256": sha256,
                "filename": file.filename,
                "size": len(file.data),
                "media_type": file.media_type,
            }
        )
    task = service.create_task(task_in)
    return {"task": task, "township_name": township_name, "evidence": stored}


def _officer_names(service: CentralService, officer_ids: set[str]) -> dict[str, str]:
    if not officer_ids:
        return {}
    with service.db.read() as s:
        query = select(Officer.officer_id, Officer.name).where(Officer.officer_id.in_(officer_ids))
        return dict(s.execute(query).all())


def _township_names(service: CentralService) -> dict[str, str]:
    with service.db.read() as s:
        return dict(s.execute(select(Township.code, Township.name)).all())


def list_cases(service: CentralService, township_code: str | None = None, limit: int = 50) -> Json:
    """The cases the server holds, the latest changed first: ``{"total", "cases": [...]}``."""
    if township_code is not None:
        _require_township(service, township_code)
    where = [CaseRow.township_code == township_code] if township_code is not None else []
    events = (
        select(CaseEventRow.case_id, func.count().label("events")).group_by(CaseEventRow.case_id).subquery()
    )
    with service.db.read() as s:
        total = s.scalar(select(func.count()).select_from(CaseRow).where(*where)) or 0
        rows = s.execute(
            select(CaseRow, func.coalesce(events.c.events, 0))
            .outerjoin(events, events.c.case_id == CaseRow.case_id)
            .where(*where)
            .order_by(CaseRow.updated_seq.desc())
            .limit(limit)
        ).all()
    names = _officer_names(service, {row.updated_by_officer for row, _ in rows if row.updated_by_officer})
    townships = _township_names(service)
    cases = []
    for row, event_count in rows:
        fields = row.fields if isinstance(row.fields, dict) else {}
        title = fields.get("title")
        cases.append(
            {
                "case_id": row.case_id,
                "case_number": row.case_number,
                "title": title if isinstance(title, str) else None,
                "kind": fields.get("kind") if isinstance(fields.get("kind"), str) else None,
                "township_code": row.township_code,
                "township_name": townships.get(row.township_code, ""),
                "version": row.version,
                "updated_seq": row.updated_seq,
                "events": int(event_count),
                "review_status": row.review_status,
                "review_status_label": REVIEW_STATUSES.get(row.review_status, row.review_status),
                "locked": row.locked,
                "updated_at": row.updated_at,
                "updated_by": names.get(row.updated_by_officer or ""),
                "updated_by_device": row.updated_by_device,
            }
        )
    return {"township": township_code, "total": total, "cases": cases}


def list_tasks(service: CentralService, township_code: str | None = None, limit: int = 50) -> Json:
    """The tasks and clues pushed, the newest first: ``{"total", "tasks": [...]}``."""
    if township_code is not None:
        _require_township(service, township_code)
    where = [TaskRow.township_code == township_code] if township_code is not None else []
    with service.db.read() as s:
        total = s.scalar(select(func.count()).select_from(TaskRow).where(*where)) or 0
        rows = s.scalars(
            select(TaskRow).where(*where).order_by(TaskRow.created_at.desc(), TaskRow.task_id).limit(limit)
        ).all()
        wanted = {sha for row in rows for sha in row.evidence_sha256}
        query = select(AttachmentRow.sha256, AttachmentRow.filename).where(AttachmentRow.sha256.in_(wanted))
        files = dict(s.execute(query).all())
    names = _officer_names(service, {row.acked_by for row in rows if row.acked_by})
    townships = _township_names(service)
    tasks = [
        {
            "id": row.task_id,
            "kind": row.kind,
            "kind_label": TASK_KINDS.get(row.kind, row.kind),
            "title": row.title,
            "township_code": row.township_code,
            "township_name": townships.get(row.township_code, ""),
            "description": row.description,
            "location": row.location,
            "deadline": row.deadline,
            "source": row.source,
            "evidence": [{"sha256": sha, "filename": files.get(sha)} for sha in row.evidence_sha256],
            "status": row.status,
            "status_label": TASK_STATUSES.get(row.status, row.status),
            "case_id": row.case_id,
            "acked_by": names.get(row.acked_by or ""),
            "acked_at": row.acked_at,
            "created_at": row.created_at,
            "version": row.version,
            "updated_seq": row.updated_seq,
        }
        for row in rows
    ]
    return {"township": township_code, "total": total, "tasks": tasks}
