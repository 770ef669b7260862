"""What signing documents needs of storage: attachments stored by content hash and the signature
records of a case's documents (implemented in persistence/attachments.py and signatures.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

PARTY = "party"
OFFICER = "officer"
WITNESS = "witness"
#: Signer roles and their labels, in the order a form offers them.
ROLE_LABELS: dict[str, str] = {PARTY: "当事人", OFFICER: "执法人员", WITNESS: "见证人"}
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


class SignatureStore(Protocol):
    def add(self, record: SignatureRecord) -> SignatureRecord:
        """Insert ``record``."""
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
    "WITNESS",
    "AttachmentStore",
    "SignatureRecord",
    "SignatureStore",
    "StoredAttachment",
]
