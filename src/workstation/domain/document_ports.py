"""What the document services need of storage: the records of issued 执法文书 and the store port.

Implemented by persistence/documents.py (``SqlDocumentStore``).
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

ISSUED = "issued"
SERVED = "served"
VOIDED = "voided"
STATUS_LABELS = {"draft": "草稿", ISSUED: "已出具", SERVED: "已送达", VOIDED: "已作废"}


@dataclass(frozen=True, slots=True)
class DocumentDraft:
    """What is known of a document before its number: the case, the type and the issue date.

    ``number_kind`` None: a form without a 文书编号 (笔录 …); no serial is allocated.
    """

    case_id: str
    agency_id: str
    doc_type: str
    title: str
    number_kind: str | None
    issued_on: dt.date
    id: str = ""


@dataclass(frozen=True, slots=True)
class Produced:
    """What ``produce`` made with the serial: the written number, hash, file and QR payload."""

    number: str | None
    content_hash: str
    path: str
    payload: str
    pdf_hash: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """An issued document as stored."""

    id: str
    case_id: str
    agency_id: str
    doc_type: str
    title: str
    number_kind: str | None
    year: int | None
    serial: int | None
    number: str | None
    status: str
    content_hash: str | None
    issued_on: dt.date | None
    path: str | None
    payload: str | None
    pdf_hash: str | None
    created_at: dt.datetime

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def reference(self) -> str:
        """The number, or the record id for a document without one (as the QR payload names it)."""
        return self.number or self.id


class DocumentStore(Protocol):
    """Issued documents with gapless 文书编号 (see persistence/documents.py)."""

    def issue(self, draft: DocumentDraft, produce: Callable[[int | None], Produced]) -> DocumentRecord: ...

    def for_case(self, case_id: str) -> builtins.list[DocumentRecord]: ...

    def find(self, reference: str) -> DocumentRecord | None: ...

    def set_path(self, reference: str, path: str, pdf_hash: str | None = None) -> DocumentRecord: ...

    def void(
        self, reference: str, reason: str, actor: str, *, at: dt.datetime | None = None
    ) -> DocumentRecord: ...


__all__ = [
    "ISSUED",
    "SERVED",
    "STATUS_LABELS",
    "VOIDED",
    "DocumentDraft",
    "DocumentRecord",
    "DocumentStore",
    "Produced",
]
