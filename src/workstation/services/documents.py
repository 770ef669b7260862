"""执法文书: list what a case has and needs, render and number a document, verify a file,
assemble the e-dossier (电子卷宗).

Rendering a document (:meth:`DocumentService.render`):

1. the case, its agency, parties and officers are read; the context is built and every
   required field of the document (documents/catalog.py) checked: any empty one refuses the
   document (InvalidInput listing each field and where it is entered) — a document with an
   empty placeholder is never produced, and no number is taken;
2. in ONE transaction (persistence/documents.py ``issue``): the 文书编号's serial is allocated,
   the document is rendered into a hidden temporary folder next to ``out`` — first without
   the QR code to get its content hash (the text with all whitespace removed; the QR image is
   not part of it), then with the QR code of ``WSDOC1|案号|文书编号|hash`` (documents/qr.py),
   the payload also written into the .docx core properties — and the row inserted. A failure
   anywhere rolls it all back: no number used, no file left;
3. after the commit the file is moved into place (same folder: an atomic rename); with
   ``pdf`` it is first converted by LibreOffice (missing LibreOffice is refused before
   anything is numbered; a conversion that fails voids the number with the reason).

Legal basis: a document with ``basis_fields`` in the catalog (the decisions, the 告知书 and the
调查终结报告) prints each cited article under 法律依据 in the version in force on the day of the
conduct (``act_date``; without it the decision date, then the issue date — 《行政处罚法》第三十七条:
the law in force when the violation was committed applies). The citations are resolved by the
injected :class:`~workstation.domain.document_ports.LegalBasisResolver` (the statute library);
every one that does not resolve is reported with the missing fields (``legal_basis``: what is
wrong and where to fix it — the case field, or 找法 → 导入 when the library lacks the law) and
refuses the document: a wrong or unchecked article is never printed. Without a resolver no
articles are printed (and none checked).

Derived values: the context also gets the case's issued documents (documents/context.py: the
送达回证's document, the 催告书's decision number and date, the 卷内目录's files with page
ranges counted from their PDFs).

Number kinds: each document type with a 文书编号 counts in its own gapless sequence per agency
and year, named by the catalog's ``number_kind`` (罚决字, 告字 …) and written
``{执法主体简称}{number_kind}〔{year}〕第{serial}号`` (榕溪镇罚决字〔2026〕第3号) unless a
:class:`~workstation.domain.numbering.NumberingConfig` gives the kind another template.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workstation.domain.document_ports import (
    DocumentDraft,
    DocumentRecord,
    DocumentStore,
    LegalBasisResolver,
    Produced,
    ResolvedArticle,
)
from workstation.domain.errors import InvalidInput, KnownError, NotFound
from workstation.domain.formatting import chinese_date
from workstation.domain.numbering import CaseNumberFormat, NumberingConfig, sequence_kind, training_number
from workstation.services.cases import agency_short_name
from workstation.services.changes import Changes, Result, Topic

if TYPE_CHECKING:
    from workstation.documents.catalog import DocField, DocumentSpec
    from workstation.documents.context import IssuedDocument
    from workstation.documents.dossier import DossierReport
    from workstation.documents.signatures import SignatureMark
    from workstation.domain.case_ports import CaseStore
    from workstation.domain.cases import Case, CaseKind
    from workstation.domain.entities import Agency, Officer, Party
    from workstation.domain.evidence_ports import EvidenceItem
    from workstation.domain.workflow import WorkflowDefinition

#: Statuses of a document that counts (is in the dossier, can be verified as valid).
LIVE = ("issued", "served")
#: The status of a catalog document the case may still need (not a stored status).
AVAILABLE = "available"
AVAILABLE_LABEL = "可出具"
_NUMBER_PLACEHOLDER = "（签发时自动编号）"
#: Where the statute library is filled.
IMPORT_WHERE = "找法 → 导入（导入法规库）"


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A document of a case: an issued one (``id`` and ``number`` set) or one the case may need
    next (``status`` ``available``, with the required fields still ``missing``)."""

    code: str
    title: str
    status: str
    status_label: str
    id: str | None = None
    number: str | None = None
    issued_on: dt.date | None = None
    path: str | None = None
    content_hash: str | None = None
    missing: tuple[DocField, ...] = ()

    @property
    def issued(self) -> bool:
        return self.status != AVAILABLE

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "status": self.status,
            "status_label": self.status_label,
            "id": self.id,
            "number": self.number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "path": self.path,
            "content_hash": self.content_hash,
            "missing": [field_dict(f) for f in self.missing],
        }


def field_dict(f: DocField) -> dict[str, str]:
    return {"name": f.name, "label": f.label, "where": f.where}


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    id: str
    code: str
    title: str
    number: str | None
    path: Path
    pdf: Path | None
    content_hash: str
    payload: str
    issued_on: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "title": self.title,
            "number": self.number,
            "path": str(self.path),
            "pdf": str(self.pdf) if self.pdf else None,
            "content_hash": self.content_hash,
            "payload": self.payload,
            "issued_on": self.issued_on.isoformat(),
        }


MATCH = "match"
ALTERED = "altered"
UNKNOWN = "unknown"
VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What :meth:`DocumentService.verify` found: ``status`` match / altered / unknown / voided."""

    status: str
    path: Path
    file_hash: str
    summary: str
    payload: str | None = None
    case_number: str | None = None
    number: str | None = None
    recorded_hash: str | None = None
    document: DocumentInfo | None = None

    @property
    def ok(self) -> bool:
        return self.status == MATCH

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "valid": self.ok,
            "path": str(self.path),
            "file_hash": self.file_hash,
            "recorded_hash": self.recorded_hash,
            "payload": self.payload,
            "case_number": self.case_number,
            "number": self.number,
            "document": self.document.as_dict() if self.document else None,
            "summary": self.summary,
        }


# ------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class _Prepared:
    """Read before a document is numbered: the issued documents, the resolved articles and the
    legal basis problems (so nothing is looked up inside the numbering transaction)."""

    issued: tuple[IssuedDocument, ...]
    articles: tuple[ResolvedArticle, ...]
    problems: tuple[DocField, ...]


@dataclass(frozen=True)
class _CaseFacts:
    case: Case
    agency: Agency
    parties: tuple[Party, ...]
    officers: tuple[Officer, ...]


def _templates_dir() -> Path:
    return Path(str(resources.files("workstation.resources").joinpath("templates")))


def _missing_message(spec: DocumentSpec, missing: Sequence[DocField]) -> InvalidInput:
    from workstation.documents.catalog import LEGAL_BASIS

    empty = [f for f in missing if f.name != LEGAL_BASIS]
    basis = [f for f in missing if f.name == LEGAL_BASIS]
    parts = []
    if empty:
        lines = "；".join(f"{f.label}（填写位置：{f.where}）" for f in empty)
        parts.append(f"还有{len(empty)}项内容未填写：{lines}")
    if basis:
        lines = "；".join(f"{f.label}（处理位置：{f.where}）" for f in basis)
        parts.append(f"法律依据有{len(basis)}处无法核对：{lines}")
    return InvalidInput(
        f"《{spec.title}》{'；'.join(parts)}。不能出具。",
        "请先在案件中补全或更正以上内容（法规库缺少所引法律时先导入法规库），再出具文书；"
        "文书不会带着空白内容或未经核对的条文生成，也不会占用文书编号。",
    )


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def basis_date(data: Mapping[str, Any], fallback: dt.date) -> dt.date:
    """The day whose law applies (《行政处罚法》第三十七条): the day of the conduct
    (``act_date``), else the decision date (``decided_on``), else ``fallback`` (the issue date)."""
    return _day(data.get("act_date")) or _day(data.get("decided_on")) or fallback


def _pages(record: DocumentRecord) -> int | None:
    """Pages of the PDF made with the document, when there is one beside its .docx."""
    if not record.pdf_hash or not record.path:
        return None
    pdf = Path(record.path).with_suffix(".pdf")
    if not pdf.is_file():
        return None
    try:
        from pypdf import PdfReader

        return len(PdfReader(str(pdf)).pages)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on a damaged file; the count is optional
        return None


def _info(record: DocumentRecord) -> DocumentInfo:
    return DocumentInfo(
        code=record.doc_type,
        title=record.title,
        status=record.status,
        status_label=record.status_label,
        id=record.id,
        number=record.number,
        issued_on=record.issued_on,
        path=record.path,
        content_hash=record.content_hash,
    )


@contextmanager
def _scratch(beside: Path) -> Iterator[Path]:
    """A hidden temporary folder in ``beside`` (same file system: the final move is a rename)."""
    folder = Path(tempfile.mkdtemp(prefix=".workstation-doc-", dir=beside))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_out(out: Path, suffixes: tuple[str, ...]) -> Path:
    out = out.expanduser().absolute()
    if out.suffix.lower() not in suffixes:
        raise InvalidInput(
            f"输出文件应为 {' 或 '.join(suffixes)} 文件：{out}", f"请把文件名改为以 {suffixes[0]} 结尾。"
        )
    if out.exists():
        raise InvalidInput(f"文件已存在，不会覆盖：{out}", "请换一个文件名，或先把原文件移走。")
    if not out.parent.is_dir():
        raise InvalidInput(f"文件夹不存在：{out.parent}", "请先建立该文件夹，或换一个保存位置。")
    if not os.access(out.parent, os.W_OK):
        raise InvalidInput(f"文件夹不可写：{out.parent}", "请换一个有写入权限的保存位置。")
    return out


# ------------------------------------------------------------------ the service


class DocumentService:
    def __init__(
        self,
        cases: CaseStore,
        store: DocumentStore,
        workflows: Mapping[CaseKind, WorkflowDefinition],
        today: Callable[[], dt.date],
        *,
        numbering: NumberingConfig | None = None,
        templates: Path | None = None,
        actor: str = "system",
        signatures: Callable[[str, str], Sequence[SignatureMark]] | None = None,
        evidence: Callable[[str], Sequence[EvidenceItem]] | None = None,
        legal_basis: LegalBasisResolver | None = None,
    ) -> None:
        """``signatures(case_id, code)`` gives the signatures collected for a document; they are
        printed in it before its content hash is taken, so a signed document verifies.
        ``evidence(case_id)`` gives the case's evidence in collection order; its PDF and image
        files are bound into the 电子卷宗 after the documents. ``legal_basis`` resolves the cited
        articles the decisions print (see the module docstring)."""
        self._legal_basis = legal_basis
        self._signatures = signatures
        self._evidence = evidence
        self._cases = cases
        self._store = store
        self._workflows = workflows
        self._today = today
        self._numbering = numbering
        self._templates = templates
        self._actor = actor

    # ---------------------------------------------------------------- reading

    def _facts(self, case_ref: str) -> _CaseFacts:
        with self._cases.transaction() as tx:
            case = tx.load(case_ref)
            return _CaseFacts(
                case=case,
                agency=tx.agency(case.agency_id),
                parties=tuple(tx.party(p) for p in case.party_ids),
                officers=tuple(tx.officer(o) for o in case.officer_ids),
            )

    def _issued(self, case: Case, spec: DocumentSpec) -> builtins.list[IssuedDocument]:
        """The case's issued documents (not voided) in issue order; page counts for the 卷内目录."""
        from workstation.documents.context import IssuedDocument

        count = spec.code == "dossier_index"
        return [
            IssuedDocument(
                code=r.doc_type,
                title=r.title,
                number=r.number,
                issued_on=r.issued_on,
                pages=_pages(r) if count else None,
            )
            for r in self._store.for_case(case.id)
            if r.status in LIVE
        ]

    def _prepare(
        self,
        facts: _CaseFacts,
        spec: DocumentSpec,
        issued_on: dt.date,
        extra: Mapping[str, Any] | None = None,
    ) -> _Prepared:
        """What the context needs beyond the case: issued documents and the legal basis."""
        from workstation.documents.context import build_context

        issued = tuple(self._issued(facts.case, spec))
        ctx = build_context(
            facts.case, facts.agency, facts.parties, facts.officers, None, issued_on, extra, issued=issued
        )
        articles, problems = self._legal_basis_of(facts, spec, ctx, issued_on, extra)
        return _Prepared(issued, tuple(articles), tuple(problems))

    def _context(
        self,
        facts: _CaseFacts,
        prepared: _Prepared,
        number: str | None,
        issued_on: dt.date,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        from workstation.documents.context import build_context

        return build_context(
            facts.case,
            facts.agency,
            facts.parties,
            facts.officers,
            number,
            issued_on,
            extra,
            issued=prepared.issued,
            legal_basis=prepared.articles,
        )

    def _legal_basis_of(
        self,
        facts: _CaseFacts,
        spec: DocumentSpec,
        ctx: Mapping[str, Any],
        issued_on: dt.date,
        extra: Mapping[str, Any] | None,
    ) -> tuple[builtins.list[ResolvedArticle], builtins.list[DocField]]:
        """Each citation of the document's basis fields resolved for the day of the conduct."""
        from workstation.documents.catalog import LEGAL_BASIS, DocField

        if self._legal_basis is None or not spec.basis_fields:
            return [], []
        on = basis_date({**facts.case.data, **(extra or {})}, issued_on)
        articles: dict[str, ResolvedArticle] = {}
        problems: builtins.list[DocField] = []
        for field in spec.basis_fields:
            text = str(ctx.get(field.name) or "").strip()
            if not text:
                continue  # an empty required field is reported as missing
            resolved = self._legal_basis.resolve(text, on)
            for article in resolved.articles:
                articles.setdefault(article.citation, article)
            problems.extend(
                DocField(
                    LEGAL_BASIS,
                    f"{field.label}{p.message}",
                    IMPORT_WHERE if p.needs_import else field.where,
                )
                for p in resolved.problems
            )
        return list(articles.values()), problems

    def _check(
        self,
        facts: _CaseFacts,
        prepared: _Prepared,
        spec: DocumentSpec,
        number: str | None,
        issued_on: dt.date,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], builtins.list[DocField]]:
        """The context, and what stops the document: empty required fields, then basis problems."""
        from workstation.documents.render import missing_fields

        ctx = self._context(facts, prepared, number, issued_on, extra)
        return ctx, missing_fields(spec, ctx) + list(prepared.problems)

    def _missing(self, facts: _CaseFacts, spec: DocumentSpec, issued_on: dt.date) -> list[DocField]:
        placeholder = _NUMBER_PLACEHOLDER if spec.number_kind is not None else None
        prepared = self._prepare(facts, spec, issued_on)
        return self._check(facts, prepared, spec, placeholder, issued_on)[1]

    @staticmethod
    def _spec(code: str) -> DocumentSpec:
        from workstation.documents.catalog import spec, spec_by_title

        by_title = spec_by_title(code)
        return by_title if by_title is not None else spec(code)

    def _applicable(self, case: Case) -> builtins.list[DocumentSpec]:
        """The catalog documents of the workflow actions open at (or leading to) the case's stage."""
        from workstation.documents.catalog import spec_by_title

        definition = self._workflows.get(case.kind)
        if definition is None:
            return []
        out: dict[str, DocumentSpec] = {}
        for action in definition.actions:
            if case.stage not in action.from_stages and action.to_stage != case.stage:
                continue
            for title in action.documents:
                found = spec_by_title(title)
                if found is not None and case.kind.value in found.kinds:
                    out.setdefault(found.code, found)
        return list(out.values())

    def list(self, case_ref: str) -> Result[builtins.list[DocumentInfo]]:
        """The case's documents in issue order, then the catalog documents its stage calls for
        that it has not issued yet, each with the required fields still empty."""
        facts = self._facts(case_ref)
        records = self._store.for_case(facts.case.id)
        infos = [_info(r) for r in records]
        issued_codes = {r.doc_type for r in records if r.status in LIVE}
        today = self._today()
        for spec in self._applicable(facts.case):
            if spec.code in issued_codes:
                continue
            infos.append(
                DocumentInfo(
                    code=spec.code,
                    title=spec.title,
                    status=AVAILABLE,
                    status_label=AVAILABLE_LABEL,
                    missing=tuple(self._missing(facts, spec, today)),
                )
            )
        return Result(infos)

    def missing(self, case_ref: str, code: str) -> Result[builtins.list[DocField]]:
        """The required fields of document ``code`` (code or title) still empty in the case."""
        facts = self._facts(case_ref)
        return Result(self._missing(facts, self._spec(code), self._today()))

    # ---------------------------------------------------------------- rendering

    def _format(self, kind: str) -> CaseNumberFormat:
        if self._numbering is not None and kind in self._numbering.documents:
            return self._numbering.format_for(kind)
        literal = kind.replace("{", "{{").replace("}", "}}")
        return CaseNumberFormat("{agency_short}" + literal + "〔{year}〕第{serial}号")

    def number_text(self, agency_name: str, kind: str, year: int, serial: int) -> str:
        """How the 文书编号 ``serial`` of ``kind`` is written for the agency."""
        return self._format(kind).format(agency_short_name(agency_name), year, serial)

    def _template(self, spec: DocumentSpec) -> Path:
        folder = self._templates or _templates_dir()
        path = folder / spec.template
        if not path.is_file():
            raise NotFound(
                f"没有找到《{spec.title}》的模板：{path}",
                "请重新安装本程序，或把模板文件放回 resources/templates/。",
            )
        return path

    def render(
        self, case_ref: str, code: str, out: Path, pdf: bool = False, extra: Mapping[str, Any] | None = None
    ) -> Result[RenderedDocument]:
        """Render, number and record document ``code`` (code or title) of the case into ``out``
        (.docx), with a PDF beside it when ``pdf``; see the module docstring."""
        from workstation.documents import qr
        from workstation.documents.render import content_hash, render_docx
        from workstation.documents.signatures import append_signatures

        spec = self._spec(code)
        facts = self._facts(case_ref)
        case = facts.case
        marks = list(self._signatures(case.id, spec.code)) if self._signatures is not None else []
        if case.kind.value not in spec.kinds:
            raise InvalidInput(
                f"《{spec.title}》不适用于{case.kind.label}案件。", "请选择该类案件使用的文书。"
            )
        issued_on = self._today()
        placeholder = _NUMBER_PLACEHOLDER if spec.number_kind is not None else None
        prepared = self._prepare(facts, spec, issued_on, extra)
        missing = self._check(facts, prepared, spec, placeholder, issued_on, extra)[1]
        if missing:
            raise _missing_message(spec, missing)
        out = _check_out(out, (".docx",))
        template = self._template(spec)
        if pdf:
            from workstation.documents.pdf import LibreOfficeMissing, find_soffice

            if find_soffice() is None:
                raise LibreOfficeMissing(
                    "没有找到 LibreOffice，无法生成 PDF；文书未出具，也未占用编号。",
                    "请安装 LibreOffice 后重试，或不加 --pdf 只生成 Word 文件。",
                )
        doc_id = str(uuid.uuid4())
        draft = DocumentDraft(
            case_id=case.id,
            agency_id=case.agency_id,
            doc_type=spec.code,
            title=spec.title,
            number_kind=(
                sequence_kind(spec.number_kind, case.is_training) if spec.number_kind is not None else None
            ),
            issued_on=issued_on,
            id=doc_id,
        )
        with _scratch(out.parent) as scratch:
            staged = scratch / out.name

            def produce(serial: int | None) -> Produced:
                number = None
                if spec.number_kind is not None and serial is not None:
                    number = training_number(
                        self.number_text(facts.agency.name, spec.number_kind, issued_on.year, serial),
                        case.is_training,
                    )
                context, still = self._check(facts, prepared, spec, number, issued_on, extra)
                if still:
                    raise _missing_message(spec, still)
                plain = scratch / f"plain-{out.name}"
                digest = render_docx(template, context, plain)
                if marks:
                    append_signatures(plain, marks, per_page=spec.signed_per_page)
                    digest = content_hash(plain)
                payload = qr.qr_payload(case.case_number or "", number or doc_id, digest)
                final = render_docx(template, context, staged, qr_png=qr.qr_png(payload))
                if marks:
                    append_signatures(staged, marks, per_page=spec.signed_per_page)
                    final = content_hash(staged)
                qr.store_payload(staged, payload)
                if final != digest or content_hash(staged) != digest:
                    raise InvalidInput(
                        f"《{spec.title}》的模板每次生成的内容不同，无法核验，文书未出具。",
                        "请检查模板中是否使用了随时间变化的内容（如当前时间）。",
                    )
                return Produced(number=number, content_hash=digest, path=str(out), payload=payload)

            record = self._store.issue(draft, produce)
            pdf_path: Path | None = None
            try:
                if pdf:
                    pdf_path, pdf_hash = self._to_pdf(staged, out, scratch)
                    self._store.set_path(record.id, str(out), pdf_hash)
                os.replace(staged, out)
            except BaseException as exc:
                reason = exc.message if isinstance(exc, KnownError) else type(exc).__name__
                with contextlib.suppress(Exception):
                    self._store.void(record.id, f"文书文件未能生成：{reason}"[:500], self._actor)
                if pdf_path is not None:
                    with contextlib.suppress(OSError):
                        pdf_path.unlink()
                raise
        return Result(
            RenderedDocument(
                id=record.id,
                code=spec.code,
                title=spec.title,
                number=record.number,
                path=out,
                pdf=pdf_path,
                content_hash=record.content_hash or "",
                payload=record.payload or "",
                issued_on=issued_on,
            ),
            Changes.of(Topic.DOCUMENTS, Topic.CASES),
        )

    @staticmethod
    def _to_pdf(staged: Path, out: Path, scratch: Path) -> tuple[Path, str]:
        """Convert the staged .docx; the PDF goes next to ``out`` (refused if one is there)."""
        from workstation.documents import qr
        from workstation.documents.pdf import convert_to_pdf

        target = out.with_suffix(".pdf")
        if target.exists():
            raise InvalidInput(f"文件已存在，不会覆盖：{target}", "请换一个文件名，或先把原文件移走。")
        made = convert_to_pdf([staged], scratch / "pdf")[0]
        _, pdf_hash = qr.pdf_payload_and_hash(made)
        os.replace(made, target)
        return target, pdf_hash

    # ---------------------------------------------------------------- verifying

    def verify(self, path: Path) -> Result[VerifyResult]:
        """Whether the file at ``path`` (.docx or .pdf) is a document this office issued, unaltered.

        .docx: the content hash (documents/render.py) of the file; .pdf: the sha256 of its text
        (pypdf) with all whitespace removed. The document is found by the number in the QR
        payload the file carries in its properties; the hashes are compared with the record.
        """
        from workstation.documents import qr

        path = path.expanduser().absolute()
        if not path.is_file():
            raise NotFound(f"没有找到文件：{path}", "请核对文件路径。")
        suffix = path.suffix.lower()
        if suffix == ".docx":
            from workstation.documents.render import content_hash

            file_hash = content_hash(path)
            payload = qr.docx_payload(path)
        elif suffix == ".pdf":
            try:
                payload, file_hash = qr.pdf_payload_and_hash(path)
            except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
                raise InvalidInput(f"无法读取 PDF 文件：{path}（{exc}）", "请确认文件完整。") from None
        else:
            raise InvalidInput(f"只能核验 .docx 或 .pdf 文件：{path}")
        parsed = qr.parse_payload(payload) if payload else None
        if parsed is None:
            return Result(
                VerifyResult(
                    UNKNOWN,
                    path,
                    file_hash,
                    "文件中没有本系统出具文书的二维码信息，无法核验（可能不是本系统出具的文书，或文件属性已被清除）。",
                )
            )
        case_number, number, printed_hash = parsed
        record = self._store.find(number)
        if record is None:
            return Result(
                VerifyResult(
                    UNKNOWN,
                    path,
                    file_hash,
                    f"本机没有文书{number}的出具记录，无法核验（可能是其他单位或其他工作站出具的文书）。",
                    payload=payload,
                    case_number=case_number,
                    number=number,
                )
            )
        recorded = {h for h in (record.content_hash, record.pdf_hash) if h}
        same = file_hash in recorded and printed_hash == record.content_hash
        label = f"《{record.title}》{record.number or ''}".strip()
        if not same and suffix == ".pdf" and record.pdf_hash is None:
            status, summary = (
                UNKNOWN,
                f"{label}出具时没有同时生成 PDF，本机没有该 PDF 的内容摘要，无法核验这个 PDF；"
                "请核验 Word 原件，或重新出具时选择同时生成 PDF。",
            )
        elif not same:
            status, summary = (
                ALTERED,
                f"{label}与出具时的内容不一致，文件已被修改（出具记录的内容摘要与文件不符）。",
            )
        elif record.status == VOIDED:
            status, summary = VOIDED, f"{label}内容与出具时一致，但该文书已作废。"
        else:
            status, summary = MATCH, f"{label}与出具记录一致，未被修改（{record.status_label}）。"
        return Result(
            VerifyResult(
                status,
                path,
                file_hash,
                summary,
                payload=payload,
                case_number=case_number,
                number=record.number or number,
                recorded_hash=record.content_hash,
                document=_info(record),
            )
        )

    # ---------------------------------------------------------------- the dossier

    def dossier(self, case_ref: str, out: Path) -> Result[DossierReport]:
        """The case's issued documents (not voided), in issue order, converted to PDF in one
        LibreOffice run and bound into one PDF with a cover and a 卷内目录 (documents/dossier.py);
        then the case's PDF and image (PNG/JPEG) evidence in collection order, each titled
        “证据：<名称>（<种类>）”."""
        from workstation.documents.dossier import DossierCover, DossierPart, build_dossier
        from workstation.documents.pdf import convert_to_pdf

        facts = self._facts(case_ref)
        case = facts.case
        records = [r for r in self._store.for_case(case.id) if r.status in LIVE]
        if not records:
            raise NotFound(
                f"案件{case.case_number or case.title}还没有出具任何文书，无法组卷。", "请先出具文书。"
            )
        absent = [r for r in records if not r.path or not Path(r.path).is_file()]
        if absent:
            raise NotFound(
                "以下文书的文件找不到，无法组卷："
                + "；".join(f"《{r.title}》{r.number or ''}（{r.path or '无路径'}）" for r in absent),
                "请把文件放回出具时的位置，或作废后重新出具。",
            )
        out = _check_out(out, (".pdf",))
        with _scratch(out.parent) as scratch:
            sources = []
            for i, r in enumerate(records, 1):
                copy = scratch / "src" / f"{i:03d}-{r.doc_type}.docx"
                copy.parent.mkdir(exist_ok=True)
                shutil.copyfile(str(r.path), copy)
                sources.append(copy)
            pdfs = convert_to_pdf(sources, scratch / "pdf")
            parts = [
                DossierPart(
                    title=r.title,
                    path=pdf_file,
                    number=r.number or "",
                    date=chinese_date(r.issued_on) if r.issued_on else "",
                )
                for r, pdf_file in zip(records, pdfs, strict=True)
            ]
            for item in self._evidence(case.id) if self._evidence is not None else ():
                kind = item.dossier_kind
                if kind is None or item.path is None:
                    continue  # no file, or a file the dossier cannot bind (video, audio, …)
                if not item.path.is_file():
                    raise NotFound(
                        f"证据“{item.title}”的文件找不到，无法组卷：{item.path}",
                        "请从备份恢复附件目录（attachments）。",
                    )
                # Corrected or voided evidence stays in the file (the record is kept whole) and
                # says so in its title, with the reason.
                note = item.kind_label
                if item.correction is not None:
                    note += f"，{item.correction.label}：{item.correction.reason}"
                parts.append(
                    DossierPart(
                        title=f"证据：{item.title}（{note}）",
                        path=item.path,
                        date=chinese_date(item.collected_on) if item.collected_on else "",
                        kind=kind,
                    )
                )
            cover = DossierCover(
                agency=facts.agency.name,
                case_number=case.case_number or "",
                title=case.title,
                party="、".join(p.name for p in facts.parties),
                opened_on=chinese_date(case.opened_on),
                closed_on=chinese_date(case.closed_on) if case.closed_on else "",
                archive_no=str(case.data.get("archive_no") or ""),
                retention=str(case.data.get("retention") or ""),
            )
            staged = scratch / out.name
            report = build_dossier(cover, parts, staged)
            os.replace(staged, out)
        return Result(report)
