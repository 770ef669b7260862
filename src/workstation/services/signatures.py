"""签名: signatures on a case's 执法文书, and refusals to sign.

A signature is the PNG drawn on the signature pad (ui/signature_pad.py), stored once by
content hash as an attachment (persistence/attachments.py), and a ``signatures`` row
(persistence/signatures.py) naming the case, the document, the signer's role and name.

A refusal (拒签) needs what 《中华人民共和国民事诉讼法》第八十九条 asks of 留置送达: a witness
(见证人) or a photo or video of the refusal (拍照、录像); the photo or video is stored as an
attachment too. :meth:`SignatureService.marks` gives the signatures of a document in the shape
documents/signatures.py appends to the .docx.

Imports no Qt. The record and port types live here until the domain has a home for them.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workstation.domain.errors import InvalidInput, NotFound
from workstation.domain.signature_ports import (
    REFUSAL_RULE,
    ROLE_LABELS,
    AttachmentStore,
    SignatureRecord,
    SignatureStore,
)
from workstation.services.changes import Changes, Result, Topic

if TYPE_CHECKING:
    from workstation.documents.signatures import SignatureMark
    from workstation.domain.case_ports import CaseStore


def _text(signature: Mapping[str, Any], key: str) -> str:
    value = signature.get(key)
    return value.strip() if isinstance(value, str) else ""


class SignatureService:
    """Adds and lists the signatures of a case's documents (see the module docstring)."""

    def __init__(
        self,
        attachments: AttachmentStore,
        store: SignatureStore,
        cases: CaseStore | None = None,
        *,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._attachments = attachments
        self._store = store
        self._cases = cases
        self._now = now or (lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))

    def _case_id(self, case_ref: str) -> str:
        if self._cases is None:
            return case_ref
        with self._cases.transaction() as tx:
            return tx.load(case_ref).id

    @staticmethod
    def _code(document_code: str) -> str:
        from workstation.documents.catalog import spec

        return spec(document_code).code

    def add(self, case_ref: str, document_code: str, signature: Mapping[str, Any]) -> Result[SignatureRecord]:
        """Store ``signature`` (the dict SignatureDialog emits: role, name, png, refused, witness,
        evidence_path) on document ``document_code`` of the case; refused in Chinese when it is
        neither signed nor a refusal with a witness or photo/video."""
        role = _text(signature, "role")
        if role not in ROLE_LABELS:
            raise InvalidInput(
                f"签名人身份不明：{role or '未填写'}", "请选择：" + "、".join(ROLE_LABELS.values()) + "。"
            )
        name = _text(signature, "name")
        refused = bool(signature.get("refused"))
        witness = _text(signature, "witness")
        evidence = _text(signature, "evidence_path")
        png = signature.get("png")
        if png is not None and not isinstance(png, bytes | bytearray):
            raise InvalidInput("签名图像格式不正确。", "请重新签名。")
        if refused:
            if not witness and not evidence:
                raise InvalidInput(
                    f"拒签须有见证人或拍照、录像记录。{REFUSAL_RULE}",
                    "请填写见证人姓名或选择拍照、录像文件。",
                )
        else:
            if not png:
                raise InvalidInput("还没有签名。", "请在签名板上签名；当事人拒绝签字的，请勾选“拒签”。")
            if not name:
                raise InvalidInput(f"请填写{ROLE_LABELS[role]}姓名。")
        case_id = self._case_id(case_ref)
        code = self._code(document_code)
        png_id = None
        if png and not refused:
            stored = self._attachments.put(bytes(png), "image/png", f"{code}-{ROLE_LABELS[role]}签名.png")
            png_id = stored.id
        evidence_id = None
        if refused and evidence:
            path = Path(evidence).expanduser()
            if not path.is_file():
                raise NotFound(f"没有找到拍照、录像文件：{path}", "请重新选择文件。")
            evidence_id = self._attachments.put_file(path, mimetypes.guess_type(path.name)[0]).id
        record = self._store.add(
            SignatureRecord(
                id=str(uuid.uuid4()),
                case_id=case_id,
                document_code=code,
                role=role,
                name=name,
                attachment_id=png_id,
                refused=refused,
                witness=witness,
                evidence_attachment_id=evidence_id,
                signed_at=self._now(),
            )
        )
        return Result(record, Changes.of(Topic.DOCUMENTS))

    def for_document(self, case_ref: str, document_code: str) -> Result[list[SignatureRecord]]:
        """The signatures of document ``document_code`` of the case, in the order given."""
        return Result(self._store.for_document(self._case_id(case_ref), self._code(document_code)))

    def marks(self, case_ref: str, document_code: str) -> Result[list[SignatureMark]]:
        """The document's signatures as documents/signatures.py appends them to a .docx."""
        from workstation.documents.signatures import SignatureMark

        out = []
        for r in self.for_document(case_ref, document_code).value:
            png = self._attachments.get(r.attachment_id).path.read_bytes() if r.attachment_id else None
            evidence = (
                self._attachments.get(r.evidence_attachment_id).sha256 if r.evidence_attachment_id else ""
            )
            out.append(
                SignatureMark(
                    role=r.role_label,
                    name=r.name,
                    png=png,
                    refused=r.refused,
                    witness=r.witness,
                    evidence_sha256=evidence,
                )
            )
        return Result(out)
