"""证据 of a case (the eight kinds of 《中华人民共和国行政处罚法》第四十六条) and what the evidence
service needs of storage (implemented in persistence/evidence.py).

An :class:`EvidenceTransaction` is a :class:`~workstation.domain.case_ports.CaseTransaction` that
can also insert an evidence row and read the evidence of the case, so the evidence and its
全过程记录 event commit together.

Evidence is never deleted or edited. A mistake is put right by a *correction* (更正 or 作废 with
a reason): a ``correct_evidence`` event in the case's 全过程记录, which is append-only and
hash-chained, so the original stays listed with the correction beside it. Where the evidence
came from (来源、提供人) and who collected it besides the recording officer travel in the
``add_evidence`` event the same way.

:func:`finished_reason` is the rule that closes a case's evidence: once a case is finished (结案,
归档, or at a stage from which the workflow leads nowhere but 归档) its record is sealed
(《中华人民共和国行政处罚法》第四十七条: 全过程记录，归档保存).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from workstation.domain.case_ports import CaseTransaction
from workstation.domain.cases import Case
from workstation.domain.errors import InvalidInput
from workstation.domain.record import CaseEvent, VerifyReport
from workstation.domain.workflow import WorkflowDefinition

#: Media types bound into the 电子卷宗 and how (documents/dossier.py DossierPart.kind).
DOSSIER_KINDS: dict[str, str] = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image"}
#: The largest evidence file accepted (bytes).
MAX_EVIDENCE_BYTES = 200 * 1024 * 1024

#: 全过程记录 actions of evidence.
ADD_EVIDENCE = "add_evidence"
CORRECT_EVIDENCE = "correct_evidence"

#: Kinds of correction and how a list shows the evidence they mark.
CORRECTED = "corrected"
VOIDED = "voided"
CORRECTION_LABELS: dict[str, str] = {CORRECTED: "已更正", VOIDED: "已作废"}
#: The action a correction is, as the 全过程记录 names it.
CORRECTION_ACTIONS: dict[str, str] = {CORRECTED: "更正证据", VOIDED: "作废证据"}

#: The article the sealed record rests on.
RECORD_BASIS = "《中华人民共和国行政处罚法》第四十七条"
#: Stages at which a case is finished in every workflow (结案, 归档).
FINISHED_STAGES = frozenset({"closed", "archived"})
#: Stages a finished case may still move to (归档 only).
_AFTER_FINISH = frozenset({"archived"})


class CaseFinished(InvalidInput):
    """The case is finished: its evidence can no longer be added to or corrected."""

    code = "case_finished"


def is_finished(case: Case, definition: WorkflowDefinition | None = None) -> bool:
    """Whether the case is finished: closed (``closed_on``), at 结案 or 归档, or at a stage from
    which its workflow leads nowhere but 归档 (e.g. 不予立案)."""
    if case.closed_on is not None or case.stage in FINISHED_STAGES:
        return True
    if definition is None:
        return False
    onward = {a.to_stage for a in definition.actions if case.stage in a.from_stages and a.to_stage}
    return onward <= _AFTER_FINISH


def finished_reason(case: Case, definition: WorkflowDefinition | None, doing: str) -> CaseFinished | None:
    """The refusal of ``doing`` (e.g. “添加证据”) on a finished case, None while it is open."""
    if not is_finished(case, definition):
        return None
    stage = definition.stage_label(case.stage) if definition is not None else case.stage
    head = "案件已结案" if stage == "结案" else f"案件已结案（{stage}）"
    return CaseFinished(
        f"{head}，不能再{doing}：{RECORD_BASIS}规定行政处罚全过程记录应当归档保存，"
        "结案后案卷和全过程记录不得增补或改动。",
        "如需补充证据，请报经行政机关负责人批准后另行立案调查；卷内证据有错漏的，请在卷宗备考表中说明情况。",
    )


@dataclass(frozen=True, slots=True)
class EvidenceCorrection:
    """A correction (更正) or voiding (作废) of a piece of evidence, as its event records it."""

    kind: str
    reason: str
    actor_id: str | None
    actor_name: str
    at: dt.datetime
    seq: int

    @property
    def label(self) -> str:
        """已更正 or 已作废."""
        return CORRECTION_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One piece of evidence of a case; the file fields are empty when it has no file.

    ``collected_at`` is local wall-clock time; ``collectors`` are the names of the officers who
    collected it (the recording officer first); ``correction`` is set once it is corrected.
    """

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
    source: str = ""
    collected_at: dt.datetime | None = None
    collectors: tuple[str, ...] = ()
    size: int = 0
    correction: EvidenceCorrection | None = None

    @property
    def dossier_kind(self) -> str | None:
        """ "pdf" or "image" when the file is bound into the 电子卷宗, None otherwise."""
        return DOSSIER_KINDS.get(self.media_type) if self.path is not None else None

    @property
    def status_label(self) -> str:
        """有效, 已更正 or 已作废."""
        return self.correction.label if self.correction is not None else "有效"


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

    def evidence(self, case_id: str, evidence_id: str) -> EvidenceItem | None:
        """One piece of the case's evidence with its correction, None when the case has none
        of that id; read in this transaction."""
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
        """The case's evidence in collection order (time collected, then as added)."""
        ...


__all__ = [
    "ADD_EVIDENCE",
    "CORRECTED",
    "CORRECTION_ACTIONS",
    "CORRECTION_LABELS",
    "CORRECT_EVIDENCE",
    "DOSSIER_KINDS",
    "FINISHED_STAGES",
    "MAX_EVIDENCE_BYTES",
    "RECORD_BASIS",
    "VOIDED",
    "CaseFinished",
    "EvidenceCorrection",
    "EvidenceItem",
    "EvidenceRecord",
    "EvidenceStore",
    "EvidenceTransaction",
    "finished_reason",
    "is_finished",
]
