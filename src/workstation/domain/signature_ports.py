"""What signing documents needs of storage: attachments stored by content hash and the signature
records of a case's documents (implemented in persistence/attachments.py and signatures.py).

A :class:`SignatureTransaction` is a :class:`~workstation.domain.case_ports.CaseTransaction` that
can also insert a signature row, so the signature (or 拒签) and the 全过程记录 event that records
it (action :data:`SIGN_DOCUMENT`) commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from workstation.domain.case_ports import CaseTransaction
from workstation.domain.record import CaseEvent, VerifyReport

PARTY = "party"
OFFICER = "officer"
WITNESS = "witness"
#: Signer roles and their labels, in the order a form offers them.
ROLE_LABELS: dict[str, str] = {PARTY: "当事人", OFFICER: "执法人员", WITNESS: "见证人"}
#: The 全过程记录 action of a signature or a refusal to sign.
SIGN_DOCUMENT = "sign_document"
#: The article a refusal without witness or photo/video is refused with.
REFUSAL_BASIS = "《中华人民共和国民事诉讼法》第八十九条"
REFUSAL_RULE = (
    f"当事人拒绝签字的，应当有见证人签名，或者拍照、录像记录拒签情况（参照{REFUSAL_BASIS}留置送达）。"
)


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    """A file stored once by content hash; ``path`` is where it is on disk."""

    id: str
    sha256: str
    size: int
    media_type: str
    original_name: str
    path: Path


@dataclass(frozen=True, slots=True)
class SignatureRecord:
    """One signature (or refusal) on a document of a case."""

    id: str
    case_id: str
    document_code: str
    role: str
    name: str
    attachment_id: str | None
    refused: bool
    witness: str
    evidence_attachment_id: str | None
    signed_at: dt.datetime

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class AttachmentStore(Protocol):
    def put(self, data: bytes, media_type: str, original_name: str) -> StoredAttachment:
        """Store ``data`` (once per content hash) and return its attachment."""
        ...

    def put_file(self, path: Path, media_type: str | None = None) -> StoredAttachment:
        """Store the file at ``path`` (once per content hash); NotFound when it is not there."""
        ...

    def get(self, attachment_id: str) -> StoredAttachment:
        """The attachment; NotFound (Chinese) when there is none."""
        ...


class SignatureTransaction(CaseTransaction, Protocol):
    def add_signature(self, record: SignatureRecord) -> SignatureRecord:
        """Insert ``record`` in this transaction."""
        ...

    def document_number(self, case_id: str, document_code: str) -> str | None:
        """The 文书编号 of the case's latest document of ``document_code`` that is not voided;
        None before it is issued (or for a form without a number)."""
        ...


class SignatureStore(Protocol):
    def transaction(self) -> AbstractContextManager[SignatureTransaction]:
        """A case transaction that can also insert signatures: committed when the block ends
        normally, rolled back on an error."""
        ...

    def events(self, case_id: str) -> list[CaseEvent]:
        """The case's 全过程记录 in order."""
        ...

    def verify_log(self, case_id: str) -> VerifyReport:
        """Check the case's 全过程记录 for tampering."""
        ...

    def for_document(self, case_id: str, document_code: str) -> list[SignatureRecord]:
        """The signatures of a case's document in the order they were given."""
        ...


__all__ = [
    "OFFICER",
    "PARTY",
    "REFUSAL_BASIS",
    "REFUSAL_RULE",
    "ROLE_LABELS",
    "SIGN_DOCUMENT",
    "WITNESS",
    "AttachmentStore",
    "SignatureRecord",
    "SignatureStore",
    "SignatureTransaction",
    "StoredAttachment",
]
