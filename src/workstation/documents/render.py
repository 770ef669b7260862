"""Filling a .docx template (docxtpl) safely, and the content hash of a filled document.

- The template runs in a sandboxed Jinja environment (no attribute access to internals, no
  code) with autoescape on, so a value such as ``<``, ``&``, ``{{7*7}}`` or ``{%`` is printed
  literally; C0 control characters (not valid in XML) are removed from every value, except tab
  and newline. Undefined variables are errors (StrictUndefined), so no placeholder is ever
  left empty by accident.
- A template that cannot be filled (not a .docx, bad XML, bad Jinja, an unknown variable, an
  unsafe access) is refused with :class:`TemplateBroken`; nothing is left at ``out``.
- The output is written to a temporary file beside ``out`` and renamed when complete.
- :func:`content_hash` is the sha256 of the canonical text: every text node of the body, then
  of the headers, then of the footers (each in document order), with all whitespace removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import uuid
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from workstation.documents.catalog import DocField, DocumentSpec
from workstation.domain.errors import KnownError

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_WHITESPACE = re.compile(r"\s+")
#: Width of the QR code image in the header.
QR_WIDTH_MM = 20


class TemplateBroken(KnownError):
    """A template that cannot be filled."""

    code = "template_broken"

    def __init__(self, template: Path, detail: str) -> None:
        self.template = template
        super().__init__(
            f"文书模板无法使用：{template.name}（{detail}）",
            f"请检查或重新生成模板文件：{template}",
        )


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


def clean(value: Any) -> Any:
    """``value`` with C0 control characters (except tab and newline) removed from every string."""
    if isinstance(value, str):
        return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, Mapping):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def _load(template: Path) -> DocxTemplate:
    if not template.is_file():
        raise TemplateBroken(template, "文件不存在")
    try:
        tpl = DocxTemplate(str(template))
        tpl.init_docx()
    except (
        KeyError,
        ValueError,
        zipfile.BadZipFile,
        SyntaxError,
        PackageNotFoundError,
        OSError,
    ) as exc:
        raise TemplateBroken(template, f"不是有效的 Word 文件：{exc}") from exc
    return tpl


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    out: Path,
    *,
    qr_png: bytes | None = None,
) -> str:
    """Fill ``template`` with ``context`` into ``out``; return the content hash of ``out``."""
    tpl = _load(template)
    values: dict[str, Any] = clean(dict(context))
    values["qr"] = InlineImage(tpl, io.BytesIO(qr_png), width=Mm(QR_WIDTH_MM)) if qr_png is not None else ""
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            tpl.render(values, jinja_env=_environment(), autoescape=True)
        except jinja2.TemplateError as exc:
            raise TemplateBroken(template, _jinja_detail(exc)) from exc
        except SyntaxError as exc:  # lxml's XMLSyntaxError
            raise TemplateBroken(template, f"XML 格式错误：{exc}") from exc
        out.parent.mkdir(parents=True, exist_ok=True)
        tpl.save(str(tmp))
        digest = content_hash(tmp)
        os.replace(tmp, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return digest


def _jinja_detail(exc: jinja2.TemplateError) -> str:
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"模板含有不允许的操作：{exc.message}"
    if isinstance(exc, jinja2.UndefinedError):
        return f"模板使用了未提供的字段：{exc.message}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"模板语法错误（第{exc.lineno}行）：{exc.message}"
    return f"模板错误：{exc.message or exc}"


def _part_texts(element: Any) -> list[str]:
    """Text of every w:t under ``element`` in document order (alternate content counted once)."""
    out = []
    for node in element.iter(f"{{{_W}}}t"):
        if any(a.tag == f"{{{_MC}}}Fallback" for a in node.iterancestors()):
            continue
        out.append(node.text or "")
    return out


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: The order python-docx and Word present a section's headers and footers in.
_HF_TYPES = ("first", "default", "even")


def canonical_text(path: Path) -> str:
    """The text of a .docx as :func:`content_hash` reads it: the body, then each distinct header
    of the sections (first, default, even page, in section order), then the footers likewise,
    with all whitespace removed. Read straight from the package's XML parts (no full load)."""
    try:
        with zipfile.ZipFile(path) as package:
            body = _xml(package.read("word/document.xml"))
            rels = _xml(package.read("word/_rels/document.xml.rels"))
            targets = {
                r.get("Id"): "word/" + str(r.get("Target")).lstrip("/").removeprefix("word/")
                for r in rels.iter(f"{{{_PKG_RELS}}}Relationship")
            }
            parts: dict[str, list[str]] = {"header": [], "footer": []}
            for sect in body.iter(f"{{{_W}}}sectPr"):
                for kind, found in parts.items():
                    refs = {
                        ref.get(f"{{{_W}}}type", "default"): ref.get(f"{{{_R}}}id")
                        for ref in sect.findall(f"{{{_W}}}{kind}Reference")
                    }
                    for hf_type in _HF_TYPES:
                        target = targets.get(refs.get(hf_type))
                        if target is not None and target not in found:
                            found.append(target)
            texts = _part_texts(body.find(f"{{{_W}}}body"))
            for name in parts["header"] + parts["footer"]:
                texts.extend(_part_texts(_xml(package.read(name))))
    except (KeyError, ValueError, zipfile.BadZipFile, SyntaxError, OSError) as exc:
        raise TemplateBroken(path, f"不是有效的 Word 文件：{exc}") from exc
    return _WHITESPACE.sub("", "".join(texts))


def _xml(data: bytes) -> Any:
    from docx.oxml.parser import parse_xml

    return parse_xml(data)


def content_hash(path: Path) -> str:
    """sha256 (hex) of :func:`canonical_text` of the document at ``path``."""
    return hashlib.sha256(canonical_text(path).encode("utf-8")).hexdigest()


def template_fields(template: Path) -> frozenset[str]:
    """The variables ``template`` uses (body, headers and footers), ``qr`` included."""
    tpl = _load(template)
    try:
        document = tpl.docx
        xml = tpl.patch_xml(tpl.get_xml())
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for _key, part in tpl.get_headers_footers(uri):
                xml += tpl.patch_xml(tpl.get_part_xml(part))
        del document
        parsed = _environment().parse(xml)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateBroken(template, _jinja_detail(exc)) from exc
    return frozenset(meta.find_undeclared_variables(parsed))


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | dict):
        return not value
    return False


def missing_fields(spec: DocumentSpec, context: Mapping[str, Any]) -> list[DocField]:
    """The required fields of ``spec`` that are absent or empty in ``context`` (in spec order)."""
    return [f for f in spec.fields if _empty(context.get(f.name))]
