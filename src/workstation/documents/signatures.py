"""签名 block appended to a filled 执法文书 (.docx) with python-docx.

The templates have no place for signatures, so :func:`append_signatures` adds one at the end
of the body: a 签名 heading, then one paragraph per signer — role, name and the drawn
signature as an inline image 35 mm wide — or, for a refusal (拒签), “当事人拒绝签字，见证人：X”
and/or “拒签，已拍照留存（文件哈希前8位）”. Every run gets the body font with its w:eastAsia
font set. The file is written to a temporary file beside it and renamed when complete.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from workstation.documents.render import TemplateBroken

#: Width of a signature image on the printed page.
SIGNATURE_WIDTH_MM = 35
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


def append_signatures(path: Path, signatures: Sequence[SignatureMark]) -> None:
    """Append the 签名 block for ``signatures`` to the end of the .docx at ``path`` (atomically)."""
    try:
        document = docx.Document(str(path))
    except (KeyError, ValueError, zipfile.BadZipFile, SyntaxError, PackageNotFoundError, OSError) as exc:
        raise TemplateBroken(path, f"不是有效的 Word 文件：{exc}") from exc
    if not signatures:
        return
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
