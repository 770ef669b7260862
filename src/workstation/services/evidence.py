"""证据: add evidence to a case, list it, correct it (《中华人民共和国行政处罚法》第四十六条).

A file is stored once by its SHA-256 (persistence/attachments.py) before the case transaction
(harmless: attachments are content-addressed); the evidence row and the 全过程记录 event
(action ``add_evidence``) are then written in one case transaction, so they commit together.
PNG, JPEG and PDF files are bound into the 电子卷宗 (services/documents.py); other files are
stored but not bound. Evidence without a file (a 证人证言 summarised on paper) is allowed.

Evidence is never deleted. :meth:`EvidenceService.correct` marks a piece 更正 or 作废 with a
reason: one ``correct_evidence`` event; the original stays listed with the correction. A
finished case (结案, 归档, see :func:`~workstation.domain.evidence_ports.is_finished`) takes no
more evidence and no corrections. Wrong input raises :class:`FieldError` naming the field
(``kind``, ``title``, ``description``, ``source``, ``collected_at``, ``collectors``, ``file``,
``reason``) so a form can highlight it. Imports no Qt.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from workstation.domain.cases import Case, CaseKind, EvidenceKind
from workstation.domain.errors import FieldError, InvalidInput, NotFound
from workstation.domain.evidence_ports import (
    ADD_EVIDENCE,
    CORRECT_EVIDENCE,
    CORRECTED,
    CORRECTION_LABELS,
    MAX_EVIDENCE_BYTES,
    VOIDED,
    EvidenceItem,
    EvidenceRecord,
    EvidenceStore,
    EvidenceTransaction,
    finished_reason,
)
from workstation.domain.record import FieldChange
from workstation.domain.signature_ports import AttachmentStore
from workstation.services.changes import Changes, Result, Topic

if TYPE_CHECKING:
    from workstation.domain.workflow import WorkflowDefinition

BASIS = "《中华人民共和国行政处罚法》第四十六条"
TITLE_MAX = 300
SOURCE_MAX = 200
DESCRIPTION_MAX = 4000
REASON_MAX = 500
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def kinds_text() -> str:
    """The eight kinds with their codes, as the refusal lists them."""
    return "、".join(f"{k.label}（{k.value}）" for k in EvidenceKind)


def parse_kind(kind: str) -> EvidenceKind:
    """The evidence kind by its code or its Chinese label; FieldError (Chinese) otherwise."""
    text = kind.strip()
    for k in EvidenceKind:
        if text in (k.value, k.label):
            return k
    raise FieldError(
        "kind",
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
        raise FieldError(
            "file",
            f"证据文件过大：{path.name}（{size / 1024 / 1024:.1f} MB），单个文件不能超过 200 MB。",
            "请压缩或分段后再添加。",
        )
    try:
        media = _media_type(path)
    except OSError as exc:
        raise NotFound(f"无法读取证据文件：{path}（{exc.strerror or exc}）", "请确认文件可以打开。") from exc
    return path, media


def _bounded(field: str, label: str, text: str, limit: int) -> str:
    value = text.strip()
    if len(value) > limit:
        raise FieldError(field, f"{label}过长（{len(value)} 字），不能超过 {limit} 字。")
    return value


def _safe_name(name: str) -> str:
    cleaned = "".join("_" if c in '<>:"/\\|?*' or ord(c) < 32 else c for c in name).strip(" .")
    return cleaned[:120] or "证据文件"


class EvidenceService:
    """Adds, lists and corrects the evidence of a case (see the module docstring)."""

    def __init__(
        self,
        case_store: EvidenceStore,
        attachments: AttachmentStore,
        now: Callable[[], dt.datetime],
        workflows: Mapping[CaseKind, WorkflowDefinition] | None = None,
    ) -> None:
        self._cases = case_store
        self._attachments = attachments
        self._now = now
        self._workflows = workflows or {}
        self._view_dir: Path | None = None

    def _local_now(self) -> dt.datetime:
        now = self._now()
        return now.replace(tzinfo=None)

    def _refuse_if_finished(self, case: Case, doing: str) -> None:
        refusal = finished_reason(case, self._workflows.get(case.kind), doing)
        if refusal is not None:
            raise refusal

    @staticmethod
    def _check_people(tx: EvidenceTransaction, actor_id: str, collectors: Sequence[str]) -> None:
        tx.officer(actor_id)
        for officer_id in collectors:
            try:
                tx.officer(officer_id)
            except NotFound:
                raise FieldError(
                    "collectors",
                    f"没有找到取证人（执法人员）：{officer_id}",
                    "请从本单位执法人员中选择取证人。",
                ) from None

    def _collected_at(
        self, collected_on: dt.date | None, collected_at: dt.datetime | None
    ) -> tuple[dt.datetime, dt.datetime]:
        """When the evidence was collected (local wall-clock time, to the minute) and now."""
        local_now = self._local_now()
        if collected_at is not None:
            when = collected_at.replace(tzinfo=None, second=0, microsecond=0)
            if when > local_now:
                raise FieldError(
                    "collected_at",
                    f"取证时间 {when:%Y-%m-%d %H:%M} 晚于现在（{local_now:%Y-%m-%d %H:%M}）。",
                    "请核对取证时间。",
                )
            return when, local_now
        if collected_on is not None:
            if collected_on > local_now.date():
                raise FieldError(
                    "collected_at",
                    f"取证日期 {collected_on.isoformat()} 晚于今天（{local_now.date().isoformat()}）。",
                    "请核对取证日期。",
                )
            return dt.datetime.combine(collected_on, dt.time()), local_now
        return local_now, local_now

    def add(
        self,
        case_ref: str,
        kind: str,
        title: str,
        file: Path | None,
        actor_id: str,
        description: str = "",
        collected_on: dt.date | None = None,
        *,
        source: str = "",
        collected_at: dt.datetime | None = None,
        collectors: Sequence[str] | None = None,
    ) -> Result[EvidenceItem]:
        """Add evidence of ``kind`` (code or label) to the case, with its file when given;
        the evidence row and its 全过程记录 event commit together.

        ``source`` is where it came from (提供人); ``collected_at`` (local time) or
        ``collected_on`` when it was collected (default now); ``collectors`` the officers who
        collected it (None: the recording officer ``actor_id``; the first is stored as the
        collector of the row)."""
        evidence_kind = parse_kind(kind)
        name = title.strip()
        if not name:
            raise FieldError("title", "请填写证据名称。", "例如：现场照片、询问笔录。")
        name = _bounded("title", "证据名称", name, TITLE_MAX)
        note = _bounded("description", "证据说明", description, DESCRIPTION_MAX)
        origin = _bounded("source", "证据来源（提供人）", source, SOURCE_MAX)
        when, _ = self._collected_at(collected_on, collected_at)
        chosen = [actor_id] if collectors is None else [c.strip() for c in collectors]
        people = [c for c in dict.fromkeys(chosen) if c]
        if not people:
            raise FieldError("collectors", "请至少选择一名取证人。", "取证人是收集、调取这份证据的执法人员。")
        checked = _check_file(file) if file is not None else None
        with self._cases.transaction() as tx:  # the case and officers exist before anything is stored
            case = tx.load(case_ref)
            self._refuse_if_finished(case, "添加证据")
            self._check_people(tx, actor_id, people)
            case_id = case.id
        stored = self._attachments.put_file(checked[0], checked[1]) if checked else None
        record = EvidenceRecord(
            id=str(uuid.uuid4()),
            case_id=case_id,
            kind=evidence_kind.value,
            title=name,
            description=note,
            collected_at=when,
            collected_by=people[0],
            attachment_id=stored.id if stored else None,
        )
        with self._cases.transaction() as tx:
            case = tx.load(case_id)
            self._refuse_if_finished(case, "添加证据")
            actor = tx.officer(actor_id)
            tx.add_evidence(record)
            tx.record_event(
                case_id=case.id,
                actor_id=actor.id,
                actor_role=actor.roles[0].value if actor.roles else "officer",
                action=ADD_EVIDENCE,
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
                    "collected_on": when.date().isoformat(),
                    "collected_at": when.isoformat(timespec="minutes"),
                    "source": origin,
                    "collectors": people,
                    "original_name": stored.original_name if stored else "",
                    "media_type": stored.media_type if stored else "",
                },
            )
            item = tx.evidence(case.id, record.id)
        assert item is not None
        return Result(item, Changes.of(Topic.CASES, Topic.DOCUMENTS))

    def list(self, case_ref: str) -> Result[list[EvidenceItem]]:
        """The case's evidence in collection order (time collected, then as added), each with
        its correction when it has one."""
        with self._cases.transaction() as tx:
            case_id = tx.load(case_ref).id
        return Result(self._cases.for_case(case_id))

    def correct(
        self, case_ref: str, evidence_id: str, reason: str, actor_id: str, *, void: bool = False
    ) -> Result[EvidenceItem]:
        """Mark a piece of evidence 更正 (or 作废 with ``void``) with ``reason``, as officer
        ``actor_id``: one ``correct_evidence`` event; the evidence itself is kept as it was."""
        kind = VOIDED if void else CORRECTED
        doing = "作废证据" if void else "更正证据"
        why = reason.strip()
        if not why:
            raise FieldError("reason", f"请填写{doing}的理由。", "例如：照片拍摄对象有误，已重新取证。")
        why = _bounded("reason", "理由", why, REASON_MAX)
        with self._cases.transaction() as tx:
            case = tx.load(case_ref)
            self._refuse_if_finished(case, doing)
            actor = tx.officer(actor_id)
            item = tx.evidence(case.id, evidence_id.strip())
            if item is None:
                raise NotFound(
                    f"本案没有这份证据：{evidence_id}",
                    "请用 workstation case evidence list 或案件的“证据”页查看证据编号。",
                )
            if item.correction is not None:
                done = item.correction
                raise InvalidInput(
                    f"这份证据已{done.label}（理由：{done.reason}），不能再次更正或作废。",
                    "如需补正，请添加新的证据，并在说明中写明所补正的证据。",
                )
            tx.record_event(
                case_id=case.id,
                actor_id=actor.id,
                actor_role=actor.roles[0].value if actor.roles else "officer",
                action=CORRECT_EVIDENCE,
                occurred_at=self._now(),
                changes=[FieldChange("evidence.status", None, kind)],
                payload={
                    "evidence_id": item.id,
                    "title": item.title,
                    "kind_label": item.kind_label,
                    "correction": kind,
                    "correction_label": CORRECTION_LABELS[kind],
                    "reason": why,
                },
            )
            corrected = tx.evidence(case.id, item.id)
        assert corrected is not None
        return Result(corrected, Changes.of(Topic.CASES, Topic.DOCUMENTS))

    def viewing_copy(self, item: EvidenceItem, folder: Path | None = None) -> Result[Path]:
        """A read-only copy of the evidence file under its original name, for a viewer to open
        (the stored file is named by its hash and never handed out); made once per hash."""
        if item.path is None or not item.sha256:
            raise InvalidInput(f"证据“{item.title}”没有文件。", "无文件的证据请查看其说明。")
        if not item.path.is_file():
            raise NotFound(f"证据文件不在数据目录中：{item.path}", "请从备份恢复数据目录后重试。")
        if folder is None and self._view_dir is None:  # private to this user and process
            self._view_dir = Path(tempfile.mkdtemp(prefix="workstation-evidence-"))
        base = folder or self._view_dir
        assert base is not None
        name = _safe_name(item.original_name or item.title)
        if not Path(name).suffix:
            name += mimetypes.guess_extension(item.media_type) or ""
        target = base / item.sha256[:16] / name
        if target.is_file() and target.stat().st_size == item.path.stat().st_size:
            return Result(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
        shutil.copyfile(item.path, partial)
        partial.chmod(0o444)
        os.replace(partial, target)
        return Result(target)


__all__ = ["BASIS", "EvidenceService", "kinds_text", "parse_kind"]
