"""签名: signatures on a case's 执法文书, and refusals to sign.

A signature is the PNG drawn on the signature pad (ui/signature_pad.py), stored once by
content hash as an attachment (persistence/attachments.py), and a ``signatures`` row
(persistence/signatures.py) naming the case, the document, the signer's role and name.

A refusal (拒签) needs what 《中华人民共和国民事诉讼法》第八十九条 asks of 留置送达: a witness
(见证人) or a photo or video of the refusal (拍照、录像); the photo or video is stored as an
attachment too. :meth:`SignatureService.marks` gives the signatures of a document in the shape
documents/signatures.py appends to the .docx.

Every signature or refusal is also a 全过程记录 event (action ``sign_document``), written in the
same transaction as its row: who signed which document (with its 文书编号 once issued) as which
role, or who refused with which witness, and the SHA-256 of the signature image or of the
photo/video — the hash, never the image. A failure writes neither. The officer recording it is
the event's actor when known (:meth:`SignatureService.acting_as`).

Imports no Qt.
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
    SIGN_DOCUMENT,
    AttachmentStore,
    SignatureRecord,
    SignatureStore,
)
from workstation.services.changes import Changes, Result, Topic

if TYPE_CHECKING:
    from workstation.documents.signatures import SignatureMark


def _text(signature: Mapping[str, Any], key: str) -> str:
    value = signature.get(key)
    return value.strip() if isinstance(value, str) else ""


class SignatureService:
    """Adds and lists the signatures of a case's documents (see the module docstring)."""

    def __init__(
        self,
        attachments: AttachmentStore,
        store: SignatureStore,
        *,
        now: Callable[[], dt.datetime] | None = None,
        actor: Callable[[], str | None] | None = None,
    ) -> None:
        self._attachments = attachments
        self._store = store
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._actor = actor or (lambda: None)

    def acting_as(self, actor: Callable[[], str | None]) -> SignatureService:
        """The same service recording ``actor()`` (the officer at this desk) as who took each
        signature, when :meth:`add` is not told."""
        return SignatureService(self._attachments, self._store, now=self._now, actor=actor)

    def _case_id(self, case_ref: str) -> str:
        with self._store.transaction() as tx:
            return tx.load(case_ref).id

    @staticmethod
    def _code(document_code: str) -> str:
        from workstation.documents.catalog import spec

        return spec(document_code).code

    @staticmethod
    def _title(document_code: str) -> str:
        from workstation.documents.catalog import spec

        return spec(document_code).title

    def add(
        self,
        case_ref: str,
        document_code: str,
        signature: Mapping[str, Any],
        actor_id: str | None = None,
    ) -> Result[SignatureRecord]:
        """Store ``signature`` (the dict SignatureDialog emits: role, name, png, refused, witness,
        evidence_path) on document ``document_code`` of the case, with its 全过程记录 event;
        refused in Chinese when it is neither signed nor a refusal with a witness or
        photo/video. ``actor_id`` is the officer recording it (default :meth:`acting_as`)."""
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
        code = self._code(document_code)
        officer_id = actor_id if actor_id is not None else self._actor()
        path = Path(evidence).expanduser() if refused and evidence else None
        if path is not None and not path.is_file():
            raise NotFound(f"没有找到拍照、录像文件：{path}", "请重新选择文件。")
        with self._store.transaction() as tx:  # the case and officer exist before anything is stored
            case_id = tx.load(case_ref).id
            if officer_id:
                tx.officer(officer_id)
        png_stored = None
        if png and not refused:
            png_stored = self._attachments.put(bytes(png), "image/png", f"{code}-{ROLE_LABELS[role]}签名.png")
        evidence_stored = None
        if path is not None:
            evidence_stored = self._attachments.put_file(path, mimetypes.guess_type(path.name)[0])
        at = self._now()
        with self._store.transaction() as tx:
            officer = tx.officer(officer_id) if officer_id else None
            record = tx.add_signature(
                SignatureRecord(
                    id=str(uuid.uuid4()),
                    case_id=case_id,
                    document_code=code,
                    role=role,
                    name=name,
                    attachment_id=png_stored.id if png_stored else None,
                    refused=refused,
                    witness=witness,
                    evidence_attachment_id=evidence_stored.id if evidence_stored else None,
                    signed_at=at,
                )
            )
            tx.record_event(
                case_id=case_id,
                actor_id=officer.id if officer else None,
                actor_role=(officer.roles[0].value if officer.roles else "officer") if officer else role,
                action=SIGN_DOCUMENT,
                occurred_at=at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC),
                payload={
                    "signature_id": record.id,
                    "document_code": code,
                    "document_title": self._title(code),
                    "document_number": tx.document_number(case_id, code),
                    "role": role,
                    "role_label": ROLE_LABELS[role],
                    "name": name,
                    "refused": refused,
                    "witness": witness,
                    "image_sha256": png_stored.sha256 if png_stored else None,
                    "evidence_sha256": evidence_stored.sha256 if evidence_stored else None,
                },
            )
        return Result(record, Changes.of(Topic.DOCUMENTS, Topic.CASES))

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
