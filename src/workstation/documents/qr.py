"""The QR code printed on an issued document: what it says and the PNG that says it.

Payload format (version 1), one line of UTF-8 text, fields separated by ``|``::

    WSDOC1|<案号>|<文书编号>|<sha256>

- ``WSDOC1``: the format and its version;
- ``<案号>``: the case number (empty for a case not yet filed);
- ``<文书编号>``: the document's number; a document without a number gives its record id;
- ``<sha256>``: 64 lower-case hex digits, the document's content hash
  (documents/render.py ``content_hash``: its text with all whitespace removed; the QR
  image itself is not part of it).

A field never contains ``|`` or a line break (the numbers are written by number templates
that have neither); :func:`qr_payload` refuses one that does. The same payload is stored
in the .docx core properties (keywords and subject), which LibreOffice carries into the
PDF's information dictionary, so a PDF can be verified without reading its QR image.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import segno

PREFIX = "WSDOC1"
SEPARATOR = "|"
#: Error correction level M: about 15 % of the symbol may be damaged (a stamp over it).
ERROR_LEVEL = "m"
#: Printed size the PNG is made for: about 2.5 cm wide at 300 dpi (≈ 295 pixels).
PRINT_DPI = 300
TARGET_PIXELS = 295
QUIET_ZONE = 4

_HASH = re.compile(r"^[0-9a-f]{64}$")


def _field(value: str, what: str) -> str:
    if SEPARATOR in value or "\n" in value or "\r" in value:
        raise ValueError(f"{what} may not contain '|' or a line break: {value!r}")
    return value.strip()


def qr_payload(case_number: str, doc_number: str, content_hash: str) -> str:
    """``WSDOC1|案号|文书编号|sha256`` (see the module docstring)."""
    digest = content_hash.strip().lower()
    if not _HASH.match(digest):
        raise ValueError(f"content hash must be 64 hex digits: {content_hash!r}")
    number = _field(doc_number, "document number")
    if not number:
        raise ValueError("a document number (or record id) is required")
    return SEPARATOR.join((PREFIX, _field(case_number, "case number"), number, digest))


def parse_payload(text: str) -> tuple[str, str, str] | None:
    """(案号, 文书编号, sha256) of a payload; None when ``text`` is not a version-1 payload."""
    parts = text.strip().split(SEPARATOR)
    if len(parts) != 4 or parts[0] != PREFIX:
        return None
    _, case_number, doc_number, digest = parts
    if not doc_number or not _HASH.match(digest):
        return None
    return case_number, doc_number, digest


def qr_png(payload: str) -> bytes:
    """The payload as a QR code PNG (error level M), about 2.5 cm wide when printed at 300 dpi."""
    code = segno.make(payload, error=ERROR_LEVEL, micro=False, boost_error=False)
    modules = code.symbol_size(scale=1, border=QUIET_ZONE)[0]
    scale = max(2, round(TARGET_PIXELS / modules))
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=QUIET_ZONE, dpi=PRINT_DPI)
    return out.getvalue()


# ------------------------------------------------------------------ the payload in the file


def store_payload(docx_path: Path, payload: str) -> None:
    """Write ``payload`` into the .docx core properties (keywords and subject), in place.

    The document's text (and so its content hash) does not change.
    """
    import docx

    document = docx.Document(str(docx_path))
    props = document.core_properties
    props.keywords = payload
    props.subject = payload
    document.save(str(docx_path))


def _first_payload(*values: object) -> str | None:
    for value in values:
        if isinstance(value, str) and parse_payload(value) is not None:
            return value.strip()
    return None


def docx_payload(path: Path) -> str | None:
    """The payload stored in a .docx's core properties; None when there is none."""
    import docx

    props = docx.Document(str(path)).core_properties
    return _first_payload(props.keywords, props.subject)


_WHITESPACE = re.compile(r"\s+")


def pdf_payload_and_hash(path: Path) -> tuple[str | None, str]:
    """The payload in a PDF's information dictionary (Keywords/Subject, as LibreOffice writes
    the .docx core properties) and the sha256 of its text with all whitespace removed."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    digest = hashlib.sha256(_WHITESPACE.sub("", text).encode("utf-8")).hexdigest()
    meta = reader.metadata
    payload = None
    if meta is not None:
        payload = _first_payload(meta.get("/Keywords"), meta.get("/Subject"), meta.get("/Title"))
    return payload, digest
