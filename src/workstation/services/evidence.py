"""证据: add evidence to a case and list it (《中华人民共和国行政处罚法》第四十六条).

A file is stored once by its SHA-256 (persistence/attachments.py) before the case transaction
(harmless: attachments are content-addressed); the evidence row and the 全过程记录 event
(action ``add_evidence``) are then written in one case transaction, so they commit together.
PNG, JPEG and PDF files are bound into the 电子卷宗 (services/documents.py); other files are
stored but not bound. Imports no Qt.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import uuid
from collections.abc import Callable
from pathlib import Path

from workstation.domain.cases import EvidenceKind
from workstation.domain.errors import InvalidInput, NotFound
from workstation.domain.evidence_ports import (
    MAX_EVIDENCE_BYTES,
    EvidenceItem,
    EvidenceRecord,
    EvidenceStore,
)
from workstation.domain.record import FieldChange
from workstation.domain.signature_ports import AttachmentStore
from workstation.services.changes import Changes, Result, Topic

BASIS = "《中华人民共和国行政处罚法》第四十六条"
TITLE_MAX = 300
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def kinds_text() -> str:
    """The eight kinds with their codes, as the refusal lists them."""
    return "、".join(f"{k.label}（{k.value}）" for k in EvidenceKind)


def parse_kind(kind: str) -> EvidenceKind:
    """The evidence kind by its code or its Chinese label; InvalidInput (Chinese) otherwise."""
    text = kind.strip()
    for k in EvidenceKind:
        if text in (k.value, k.label):
            return k
    raise InvalidInput(
        f"证据种类不明：{text or '未填写'}。{BASIS}规定的证据有：{kinds_text()}。",
        "请从以上八种证据中选择一种。",
    )


def _media_type(path: Path) -> str:
    """PDF, PNG and JPEG by their first bytes (a renamed file is still recognised); otherwise
    by the file name."""
    with path.open("rb") as fh:
        head = fh.read(16)
    for magic, media in _SIGNATURES:
        if head.startswith(magic):
            return media
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _check_file(file: Path) -> tuple[Path, str]:
    path = file.expanduser()
    if not path.is_file():
        raise NotFound(f"没有找到证据文件：{path}", "请核对文件路径后重试。")
    size = path.stat().st_size
    if size > MAX_EVIDENCE_BYTES:
        raise InvalidInput(
            f"证据文件过大：{path.name}（{size / 1024 / 1024:.1f} MB），单个文件不能超过 200 MB。",
            "请压缩或分段后再添加。",
        )
    try:
        media = _media_type(path)
    except OSError as exc:
        raise NotFound(f"无法读取证据文件：{path}（{exc.strerror or exc}）", "请确认文件可以打开。") from exc
    return path, media


class EvidenceService:
    """Adds and lists the evidence of a case (see the module docstring)."""

    def __init__(
        self,
        case_store: EvidenceStore,
        attachments: AttachmentStore,
        now: Callable[[], dt.datetime],
    ) -> None:
        self._cases = case_store
        self._attachments = attachments
        self._now = now

    def _local_now(self) -> dt.datetime:
        now = self._now()
        return now.replace(tzinfo=None)

    def add(
        self,
        case_ref: str,
        kind: str,
        title: str,
        file: Path | None,
        actor_id: str,
        description: str = "",
        collected_on: dt.date | None = None,
    ) -> Result[EvidenceItem]:
        """Add evidence of ``kind`` (code or label) to the case, with its file when given;
        the evidence row and its 全过程记录 event commit together."""
        evidence_kind = parse_kind(kind)
        name = title.strip()
        if not name:
            raise InvalidInput("请填写证据名称。", "例如：现场照片、询问笔录。")
        if len(name) > TITLE_MAX:
            raise InvalidInput(f"证据名称过长（{len(name)} 字），不能超过 {TITLE_MAX} 字。")
        local_now = self._local_now()
        if collected_on is not None and collected_on > local_now.date():
            raise InvalidInput(
                f"取证日期 {collected_on.isoformat()} 晚于今天（{local_now.date().isoformat()}）。",
                "请核对取证日期。",
            )
        checked = _check_file(file) if file is not None else None
        with self._cases.transaction() as tx:  # the case and officer exist before anything is stored
            case_id = tx.load(case_ref).id
            tx.officer(actor_id)
        stored = self._attachments.put_file(checked[0], checked[1]) if checked else None
        collected_at = dt.datetime.combine(collected_on, dt.time()) if collected_on is not None else local_now
        record = EvidenceRecord(
            id=str(uuid.uuid4()),
            case_id=case_id,
            kind=evidence_kind.value,
            title=name,
            description=description.strip(),
            collected_at=collected_at,
            collected_by=actor_id,
            attachment_id=stored.id if stored else None,
        )
        with self._cases.transaction() as tx:
            case = tx.load(case_id)
            actor = tx.officer(actor_id)
            tx.add_evidence(record)
            tx.record_event(
                case_id=case.id,
                actor_id=actor.id,
                actor_role=actor.roles[0].value if actor.roles else "officer",
                action="add_evidence",
                occurred_at=self._now(),
                changes=[
                    FieldChange("evidence.title", None, name),
                    FieldChange("evidence.kind", None, evidence_kind.value),
                    FieldChange("evidence.sha256", None, stored.sha256 if stored else None),
                ],
                payload={
                    "evidence_id": record.id,
                    "kind_label": evidence_kind.label,
                    "description": record.description,
                    "collected_on": collected_at.date().isoformat(),
                    "original_name": stored.original_name if stored else "",
                    "media_type": stored.media_type if stored else "",
                },
            )
        item = EvidenceItem(
            id=record.id,
            case_id=case_id,
            kind=evidence_kind.value,
            kind_label=evidence_kind.label,
            title=name,
            description=record.description,
            collected_on=collected_at.date(),
            sha256=stored.sha256 if stored else "",
            media_type=stored.media_type if stored else "",
            path=stored.path if stored else None,
            original_name=stored.original_name if stored else "",
        )
        return Result(item, Changes.of(Topic.CASES, Topic.DOCUMENTS))

    def list(self, case_ref: str) -> Result[list[EvidenceItem]]:
        """The case's evidence in collection order (date collected, then as added)."""
        with self._cases.transaction() as tx:
            case_id = tx.load(case_ref).id
        return Result(self._cases.for_case(case_id))


__all__ = ["BASIS", "EvidenceService", "kinds_text", "parse_kind"]
