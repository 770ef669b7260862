"""证据 of a case (the eight kinds of 《中华人民共和国行政处罚法》第四十六条) and what the evidence
service needs of storage (implemented in persistence/evidence.py).

An :class:`EvidenceTransaction` is a :class:`~workstation.domain.case_ports.CaseTransaction` that
can also insert an evidence row, so the evidence and its 全过程记录 event commit together.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from workstation.domain.case_ports import CaseTransaction
from workstation.domain.record import CaseEvent, VerifyReport

#: Media types bound into the 电子卷宗 and how (documents/dossier.py DossierPart.kind).
DOSSIER_KINDS: dict[str, str] = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image"}
#: The largest evidence file accepted (bytes).
MAX_EVIDENCE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One piece of evidence of a case; the file fields are empty when it has no file."""

    id: str
    case_id: str
    kind: str
    kind_label: str
    title: str
    description: str
    collected_on: dt.date | None
    sha256: str
    media_type: str
    path: Path | None
    original_name: str

    @property
    def dossier_kind(self) -> str | None:
        """ "pdf" or "image" when the file is bound into the 电子卷宗, None otherwise."""
        return DOSSIER_KINDS.get(self.media_type) if self.path is not None else None


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """An evidence row to insert; ``collected_at`` is local wall-clock time (no offset)."""

    id: str
    case_id: str
    kind: str
    title: str
    description: str
    collected_at: dt.datetime
    collected_by: str | None
    attachment_id: str | None


class EvidenceTransaction(CaseTransaction, Protocol):
    def add_evidence(self, record: EvidenceRecord) -> None:
        """Insert ``record`` in this transaction."""
        ...


class EvidenceStore(Protocol):
    def transaction(self) -> AbstractContextManager[EvidenceTransaction]:
        """A case transaction that can also insert evidence: committed when the block ends
        normally, rolled back on an error."""
        ...

    def events(self, case_id: str) -> list[CaseEvent]:
        """The case's 全过程记录 in order."""
        ...

    def verify_log(self, case_id: str) -> VerifyReport:
        """Check the case's 全过程记录 for tampering."""
        ...

    def for_case(self, case_id: str) -> list[EvidenceItem]:
        """The case's evidence in collection order (date collected, then as added)."""
        ...


__all__ = [
    "DOSSIER_KINDS",
    "MAX_EVIDENCE_BYTES",
    "EvidenceItem",
    "EvidenceRecord",
    "EvidenceStore",
    "EvidenceTransaction",
]
