"""What the document services need: the records of issued 执法文书 and the store port
(implemented by persistence/documents.py, ``SqlDocumentStore``), and the legal basis of a
decision — the cited articles in the version in force on the day of the conduct — and the
port that resolves it (:class:`LegalBasisResolver`, implemented by library/legal_basis.py over
the statute library).
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


@dataclass(frozen=True, slots=True)
class ResolvedArticle:
    """One cited article (款, 项) as the document prints it, in the version applied."""

    #: The citation written out in full: 《中华人民共和国文物保护法》第六十六条第一款.
    citation: str
    law_title: str
    #: How the version is named (2017年11月4日修正) and the day it took effect (None if unknown).
    version_label: str
    effective_date: dt.date | None
    #: 第六十六条, 第三十六条第（二）项 …
    article_label: str
    #: The text cited: the whole article, the 款, or the 款's lead and the 项.
    text: str


@dataclass(frozen=True, slots=True)
class BasisProblem:
    """A citation that cannot be printed: ``message`` says what is wrong and what to do.

    ``needs_import``: the statute library lacks the law (or any text of it), so the fix is to
    import it (找法 → 导入) rather than to correct the citation.
    """

    citation: str
    message: str
    needs_import: bool = False


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """What a text of citations resolves to on a day: the articles and the problems."""

    articles: tuple[ResolvedArticle, ...] = ()
    problems: tuple[BasisProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


class LegalBasisResolver(Protocol):
    """Resolves the citations of a text (处罚依据 …) against the statute library for conduct on
    ``on``: each cited article in the version in force that day, checked by the citation checker
    (domain/citations.py); every citation that does not resolve is a problem, never a guess."""

    def resolve(self, text: str, on: dt.date) -> LegalBasis: ...


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
    "BasisProblem",
    "DocumentDraft",
    "DocumentRecord",
    "DocumentStore",
    "LegalBasis",
    "LegalBasisResolver",
    "Produced",
    "ResolvedArticle",
]
