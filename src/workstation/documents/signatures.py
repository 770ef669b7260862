"""签名 block appended to a filled 执法文书 (.docx) with python-docx.

The templates have no place for signatures, so :func:`append_signatures` adds one at the end
of the body: a 签名 heading, then one paragraph per signer — role, name and the drawn
signature as an inline image 35 mm wide — or, for a refusal (拒签), “当事人拒绝签字，见证人：X”
and/or “拒签，已拍照留存（文件哈希前8位）”. Every run gets the body font with its w:eastAsia
font set. The file is written to a temporary file beside it and renamed when complete.

A 笔录 is signed on every page (现场检查笔录, 询问笔录, 听证笔录: the signer confirms each page
he has read): with ``per_page`` (the signer's label, 被询问人 …) the signature of the
``per_page_role`` signer — or the 拒签 note — is also printed in the footer of every section,
next to the page number, so every printed page carries it. The templates of those documents
have the place in their footer (“被询问人签名：” followed by a blank run, see
scripts/make_templates.py); a footer without it gets the label at its start.

Appending changes the document's text, so its content hash (documents/render.py) changes: a
document should be signed before it is recorded, or re-recorded after.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from workstation.documents.render import TemplateBroken

#: Width of a signature image on the printed page.
SIGNATURE_WIDTH_MM = 35
#: Height of the signature in the footer of every page of a 笔录.
FOOTER_SIGNATURE_HEIGHT_MM = 9
#: Text size of what is added to a footer.
FOOTER_SIZE = 12
#: The signer whose signature a 笔录 carries on every page, by default (SignatureMark.role).
PER_PAGE_ROLE = "当事人"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
HEADING = "签名"


@dataclass(frozen=True, slots=True)
class SignatureMark:
    """One signer as printed: ``role`` is the label (当事人…); ``png`` None for a refusal."""

    role: str
    name: str
    png: bytes | None = None
    refused: bool = False
    witness: str = ""
    evidence_sha256: str = ""


def _font(run: Any, size: float = 16) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)


def refusal_text(mark: SignatureMark) -> str:
    """What a refusal prints instead of a signature."""
    parts = []
    if mark.witness:
        parts.append(f"{mark.role}拒绝签字，见证人：{mark.witness}")
    if mark.evidence_sha256:
        parts.append(f"拒签，已拍照留存（文件哈希前8位：{mark.evidence_sha256[:8]}）")
    return "；".join(parts) or f"{mark.role}拒绝签字"


def footer_label(label: str) -> str:
    """The text before the signature in a page footer: “被询问人签名：”."""
    return f"{label}签名："


def _footer_paragraphs(document: Any) -> list[Any]:
    """The first paragraph of each distinct footer of the document's sections."""
    seen: set[int] = set()
    out = []
    for section in document.sections:
        for footer in (section.first_page_footer, section.footer, section.even_page_footer):
            if footer.is_linked_to_previous or id(footer.part) in seen:
                continue
            seen.add(id(footer.part))
            paragraphs = footer.paragraphs
            out.append(paragraphs[0] if paragraphs else footer.add_paragraph())
    return out


def _sign_footer(paragraph: Any, label: str, marks: Sequence[SignatureMark]) -> None:
    """Put the signatures (or 拒签 notes) of ``marks`` after “{label}签名：” in ``paragraph``."""
    wanted = footer_label(label)
    runs = list(paragraph.runs)
    anchor = next((r for r in runs if r.text.strip() == wanted), None)
    if anchor is None:
        anchor = paragraph.add_run(wanted)
        _font(anchor, FOOTER_SIZE)
        first = runs[0]._r if runs else None
        if first is not None:
            first.addprevious(anchor._r)
    else:
        following = anchor._r.getnext()
        blank = next((r for r in runs if r._r is following), None)
        if blank is not None and not blank.text.strip():
            blank.text = "　"  # the blank left for a hand signature is taken by the image
    last = anchor._r
    for mark in marks:
        run = paragraph.add_run()
        if mark.refused or mark.png is None:
            run.text = refusal_text(replace(mark, role=label)) + "　"
            _font(run, FOOTER_SIZE)
        else:
            run.add_picture(io.BytesIO(mark.png), height=Mm(FOOTER_SIGNATURE_HEIGHT_MM))
        last.addnext(run._r)
        last = run._r


def append_signatures(
    path: Path,
    signatures: Sequence[SignatureMark],
    *,
    per_page: str | None = None,
    per_page_role: str = PER_PAGE_ROLE,
) -> None:
    """Append the 签名 block for ``signatures`` to the end of the .docx at ``path`` (atomically);
    with ``per_page`` also sign every page's footer (see the module docstring)."""
    try:
        document = docx.Document(str(path))
    except (KeyError, ValueError, zipfile.BadZipFile, SyntaxError, PackageNotFoundError, OSError) as exc:
        raise TemplateBroken(path, f"不是有效的 Word 文件：{exc}") from exc
    if not signatures:
        return
    if per_page is not None:
        signers = [m for m in signatures if m.role == per_page_role]
        if signers:
            for paragraph in _footer_paragraphs(document):
                _sign_footer(paragraph, per_page, signers)
    _font(document.add_paragraph().add_run(HEADING))
    for mark in signatures:
        paragraph = document.add_paragraph()
        if mark.refused or mark.png is None:
            named = f"{mark.role}：{mark.name}  " if mark.name else ""
            _font(paragraph.add_run(named + refusal_text(mark)))
        else:
            _font(paragraph.add_run(f"{mark.role}：{mark.name}  "))
            paragraph.add_run().add_picture(io.BytesIO(mark.png), width=Mm(SIGNATURE_WIDTH_MM))
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        document.save(str(tmp))
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
