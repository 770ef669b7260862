"""电子卷宗: one PDF of a closed case — cover, 卷内目录, every document and photo, 备考表.

Layout of the output (page numbers are the PDF's own, 1-based):

- page 1: the cover (not stamped);
- 卷内目录 (one page, more if there are many parts) with each part's real 页号 range;
- every part in order: a PDF's pages as they are, a photo (JPEG/PNG) on its own A4 page,
  scaled to fit, EXIF rotation applied;
- the 备考表 (本卷共 N 页, notes, 立卷人/检查人 lines).

Every page after the cover carries its number at the bottom centre ("- 5 -"), so 目录,
stamp and the viewer's page number agree. Bookmarks lead to the 目录, each part and the 备考表.

The cover, 目录 and 备考表 are Word documents made with python-docx and converted in ONE
LibreOffice run (Pillow and reportlab are not dependencies; LibreOffice embeds a subset of
the system CJK font, so the text renders and extracts). Photos are embedded without decoding
where PDF allows it (JPEG as DCT, PNG through the Flate PNG predictor); only PNGs with an
alpha channel are unfiltered in Python to split off the soft mask.

The output is deterministic: no dates in the metadata, and the file identifier is a hash of
the inputs, so the same case gives the same bytes. It is written to a temporary file beside
``out`` and renamed into place when complete.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, ByteStringObject

from workstation.documents.pdf import convert_to_pdf
from workstation.domain.errors import KnownError

__all__ = [
    "DossierCover",
    "DossierError",
    "DossierPart",
    "DossierReport",
    "build_dossier",
    "image_to_pdf",
]

MAX_PIXELS = 60_000_000
A4 = (595.276, 841.89)  # points
_MARGIN = 42.0
_FONT = "宋体"
_HEADING_FONT = "黑体"


class DossierError(KnownError):
    """A part cannot go into the dossier (corrupt, encrypted, unsupported, too large)."""

    code = "dossier_error"


@dataclass(frozen=True)
class DossierCover:
    agency: str
    case_number: str
    title: str
    party: str
    opened_on: str
    closed_on: str
    archive_no: str
    retention: str


@dataclass(frozen=True)
class DossierPart:
    title: str
    path: Path
    number: str = ""
    date: str = ""
    kind: str = "pdf"  # "pdf" or "image"


@dataclass(frozen=True)
class DossierReport:
    pages: int
    # (title, first page, last page) — the 目录's own ranges, 1-based PDF page numbers.
    ranges: tuple[tuple[str, int, int], ...]


# ------------------------------------------------------------------ images → PDF


def _tiny_pdf(width: float, height: float, content: bytes, resources: bytes, streams: list[bytes]) -> bytes:
    """A one-page PDF. ``streams`` are complete stream objects numbered from 5 on."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.3f %.3f] /Resources %s /Contents 4 0 R >>"
        % (width, height, resources),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        *streams,
    ]
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


@dataclass(frozen=True)
class _Image:
    width: int
    height: int
    xobject: bytes  # the image stream object
    smask: bytes | None = None
    orientation: int = 1


def _exif_orientation(app1: bytes) -> int:
    if not app1.startswith(b"Exif\0\0") or len(app1) < 14:
        return 1
    tiff = app1[6:]
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return 1
    try:
        (ifd,) = struct.unpack(order + "I", tiff[4:8])
        (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
        for i in range(count):
            entry = tiff[ifd + 2 + 12 * i : ifd + 14 + 12 * i]
            tag, kind = struct.unpack(order + "HH", entry[:4])
            if tag == 0x0112 and kind == 3:
                (value,) = struct.unpack(order + "H", entry[8:10])
                return value if 1 <= value <= 8 else 1
    except struct.error:
        return 1
    return 1


def _jpeg(data: bytes, name: str) -> _Image:
    pos = 2
    orientation = 1
    adobe = False
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos + 4 : pos + 2 + length]
        if marker == 0xE1:
            orientation = _exif_orientation(segment)
        elif marker == 0xEE and segment.startswith(b"Adobe"):
            adobe = True
        elif marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if len(segment) < 6:
                break
            bits, height, width, components = struct.unpack(">BHHB", segment[:6])
            space = {1: b"/DeviceGray", 3: b"/DeviceRGB", 4: b"/DeviceCMYK"}.get(components)
            if space is None or width == 0 or height == 0:
                break
            _check_pixels(width, height, name)
            decode = b" /Decode [1 0 1 0 1 0 1 0]" if components == 4 and adobe else b""
            entries = b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s " % (
                width,
                height,
                space,
            ) + b"/BitsPerComponent %d /Filter /DCTDecode%s" % (bits, decode)
            return _Image(width, height, _stream(entries, data), orientation=orientation)
        elif marker == 0xDA:
            break
        pos += 2 + length
    raise DossierError(f"照片文件已损坏或格式不受支持：{name}", "请重新导出为 JPEG 或 PNG 后再加入卷宗。")


def _check_pixels(width: int, height: int, name: str) -> None:
    if width * height > MAX_PIXELS:
        raise DossierError(
            f"照片过大（{width}×{height}，约 {width * height / 1e6:.0f} 百万像素，上限 60 百万像素）：{name}",
            "请缩小照片后再加入卷宗。",
        )


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw: bytes, width: int, height: int, bpp: int, name: str) -> bytes:
    stride = width * bpp
    out = bytearray(stride * height)
    prev = bytearray(stride)
    pos = 0
    for row in range(height):
        if pos + 1 + stride > len(raw):
            raise DossierError(f"PNG 照片数据不完整：{name}", "请重新导出照片后再加入卷宗。")
        kind = raw[pos]
        line = bytearray(raw[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((x + y) & 0xFF for x, y in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                upleft = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 0xFF
        elif kind != 0:
            raise DossierError(f"PNG 照片数据已损坏：{name}", "请重新导出照片后再加入卷宗。")
        out[row * stride : (row + 1) * stride] = line
        prev = line
    return bytes(out)


def _png(data: bytes, name: str) -> _Image:
    pos = 8
    header: tuple[int, int, int, int, int, int, int] | None = None
    palette = b""
    idat = bytearray()
    try:
        while pos + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[pos : pos + 8])
            body = data[pos + 8 : pos + 8 + length]
            if len(body) != length:
                break
            if kind == b"IHDR":
                header = struct.unpack(">IIBBBBB", body[:13])
            elif kind == b"PLTE":
                palette = body
            elif kind == b"IDAT":
                idat += body
            elif kind == b"IEND":
                break
            pos += 12 + length
    except struct.error:
        header = None
    if header is None or not idat:
        raise DossierError(f"PNG 照片已损坏：{name}", "请重新导出照片后再加入卷宗。")
    width, height, depth, color, _compression, _filter, interlace = header
    _check_pixels(width, height, name)
    if interlace:
        raise DossierError(f"不支持隔行扫描的 PNG 照片：{name}", "请另存为 JPEG 或普通 PNG 后再加入卷宗。")
    base = b"/Type /XObject /Subtype /Image /Width %d /Height %d " % (width, height)
    if color in (0, 2, 3):
        colors = {0: 1, 2: 3, 3: 1}[color]
        if color == 3:
            if not palette:
                raise DossierError(f"PNG 照片缺少调色板：{name}", "请重新导出照片后再加入卷宗。")
            space = b"[/Indexed /DeviceRGB %d <%s>]" % (len(palette) // 3 - 1, palette.hex().encode())
        else:
            space = b"/DeviceGray" if color == 0 else b"/DeviceRGB"
        entries = base + (
            b"/ColorSpace %s /BitsPerComponent %d /Filter /FlateDecode "
            b"/DecodeParms << /Predictor 15 /Colors %d /BitsPerComponent %d /Columns %d >>"
        ) % (space, depth, colors, depth, width)
        return _Image(width, height, _stream(entries, bytes(idat)))
    if color not in (4, 6) or depth not in (8, 16):
        raise DossierError(f"PNG 照片格式不受支持：{name}", "请另存为 JPEG 后再加入卷宗。")
    channels = 2 if color == 4 else 4
    size = depth // 8
    try:
        raw = zlib.decompress(bytes(idat))
    except zlib.error as exc:
        raise DossierError(f"PNG 照片数据已损坏：{name}", "请重新导出照片后再加入卷宗。") from exc
    pixels = _unfilter(raw, width, height, channels * size, name)
    step = channels * size
    colour = bytearray(width * height * (channels - 1) * size)
    alpha = bytearray(width * height * size)
    colour_step = (channels - 1) * size
    for c in range(channels - 1):
        for k in range(size):
            colour[c * size + k :: colour_step] = pixels[c * size + k :: step]
    for k in range(size):
        alpha[k::size] = pixels[(channels - 1) * size + k :: step]
    space = b"/DeviceGray" if color == 4 else b"/DeviceRGB"
    smask = _stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent %d /Filter /FlateDecode" % (width, height, depth),
        zlib.compress(bytes(alpha), 6),
    )
    entries = base + b"/ColorSpace %s /BitsPerComponent %d /Filter /FlateDecode /SMask 6 0 R" % (space, depth)
    return _Image(width, height, _stream(entries, zlib.compress(bytes(colour), 6)), smask=smask)


def _placement(image: _Image) -> bytes:
    """The content stream placing the image on A4, scaled to fit, EXIF orientation applied."""
    o = image.orientation
    shown_w, shown_h = (image.height, image.width) if o >= 5 else (image.width, image.height)
    box_w, box_h = A4[0] - 2 * _MARGIN, A4[1] - 2 * _MARGIN
    scale = min(box_w / shown_w, box_h / shown_h)
    dw, dh = shown_w * scale, shown_h * scale
    x, y = (A4[0] - dw) / 2, (A4[1] - dh) / 2
    matrix = {
        1: (dw, 0, 0, dh, x, y),
        2: (-dw, 0, 0, dh, x + dw, y),
        3: (-dw, 0, 0, -dh, x + dw, y + dh),
        4: (dw, 0, 0, -dh, x, y + dh),
        5: (0, -dh, -dw, 0, x + dw, y + dh),
        6: (0, -dh, dw, 0, x, y + dh),
        7: (0, dh, dw, 0, x, y),
        8: (0, dh, -dw, 0, x + dw, y),
    }[o]
    numbers = " ".join(f"{v:.4f}" for v in matrix)
    return f"q {numbers} cm /Im0 Do Q".encode()


def image_to_pdf(path: Path) -> bytes:
    """One A4 page holding the photo (JPEG or PNG), scaled to fit; deterministic bytes."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DossierError(f"无法读取照片：{name}（{exc.strerror}）", "请检查文件是否存在。") from exc
    if data.startswith(b"\xff\xd8"):
        image = _jpeg(data, name)
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        image = _png(data, name)
    else:
        raise DossierError(
            f"照片格式不受支持（仅支持 JPEG、PNG）或文件已损坏：{name}", "请另存为 JPEG 后再加入卷宗。"
        )
    streams = [image.xobject] + ([image.smask] if image.smask else [])
    return _tiny_pdf(A4[0], A4[1], _placement(image), b"<< /XObject << /Im0 5 0 R >> >>", streams)


# ------------------------------------------------------------------ reading parts


def _read_part(part: DossierPart) -> PdfReader:
    name = part.path.name
    if part.kind == "image":
        return PdfReader(io.BytesIO(image_to_pdf(part.path)))
    if part.kind != "pdf":
        raise DossierError(f"卷宗材料类型未知（{part.kind}）：{name}", "材料类型只能是 pdf 或 image。")
    try:
        data = part.path.read_bytes()
    except OSError as exc:
        raise DossierError(f"无法读取卷宗材料：{name}（{exc.strerror}）", "请检查文件是否存在。") from exc
    advice = "请重新生成或重新扫描该材料后再组卷。"
    if not data.startswith(b"%PDF-"):
        raise DossierError(f"卷宗材料不是有效的 PDF 文件：{name}", advice)
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DossierError(f"卷宗材料已加密，无法组卷：{name}", "请提供未加密的 PDF。")
        if len(reader.pages) == 0:
            raise DossierError(f"卷宗材料没有页面：{name}", advice)
        for page in reader.pages:  # touch every page: a broken tree fails here, not mid-write
            page.get_contents()
    except DossierError:
        raise
    except Exception as exc:  # a corrupt file can break the parser anywhere
        raise DossierError(f"卷宗材料 PDF 已损坏：{name}（{type(exc).__name__}）", advice) from exc
    return reader


# ------------------------------------------------------------------ cover, 目录, 备考表


def _a4(doc: DocxDocument) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(25)


def _run(paragraph: Paragraph, text: str, size: float, bold: bool = False, font: str = _FONT) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _para(
    doc: DocxDocument,
    text: str,
    size: float = 12,
    *,
    bold: bool = False,
    center: bool = False,
    font: str = _FONT,
    before: float = 0,
    after: float = 6,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    _run(paragraph, text, size, bold, font)
    return paragraph


def _cell(table: Table, row: int, col: int, text: str, size: float = 11, *, center: bool = False) -> None:
    paragraph = table.cell(row, col).paragraphs[0]
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, size)


def _widths(table: Table, widths: Sequence[Length]) -> None:
    table.autofit = False
    for col, width in enumerate(widths):
        table.columns[col].width = width
        for cell in table.columns[col].cells:
            cell.width = width


def _cover_docx(cover: DossierCover, path: Path) -> None:
    doc = Document()
    _a4(doc)
    _para(doc, cover.agency, 18, center=True, font=_HEADING_FONT, before=60, after=24)
    _para(doc, "行政执法案卷", 30, bold=True, center=True, font=_HEADING_FONT, after=60)
    rows = [
        ("案    号", cover.case_number),
        ("案    由", cover.title),
        ("当 事 人", cover.party),
        ("立案日期", cover.opened_on),
        ("结案日期", cover.closed_on),
        ("归 档 号", cover.archive_no),
        ("保管期限", cover.retention),
    ]
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (label, value) in enumerate(rows):
        _cell(table, i, 0, label, 14, center=True)
        _cell(table, i, 1, value, 14)
    _widths(table, (Mm(35), Mm(115)))
    doc.save(str(path))


def _pages_text(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _toc_docx(parts: Sequence[DossierPart], ranges: Sequence[tuple[int, int]], path: Path) -> None:
    doc = Document()
    _a4(doc)
    _para(doc, "卷 内 目 录", 22, bold=True, center=True, font=_HEADING_FONT, after=18)
    table = doc.add_table(rows=len(parts) + 1, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(13), Mm(42), Mm(58), Mm(28), Mm(19))
    for col, head in enumerate(("序号", "文号", "题名", "日期", "页号")):
        _cell(table, 0, col, head, 11, center=True)
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every 目录 page
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    for i, (part, (first, last)) in enumerate(zip(parts, ranges, strict=True), start=1):
        values = (str(i), part.number, part.title, part.date, _pages_text(first, last))
        for col, value in enumerate(values):
            _cell(table, i, col, value, 10.5, center=col in (0, 3, 4))
    _widths(table, widths)
    doc.save(str(path))


def _notes_docx(total: int, count: int, notes: str, path: Path) -> None:
    doc = Document()
    _a4(doc)
    _para(doc, "卷 内 备 考 表", 22, bold=True, center=True, font=_HEADING_FONT, after=24)
    _para(doc, f"本卷共 {total} 页（含封面、卷内目录和备考表），文件材料 {count} 件。", 14, after=12)
    _para(doc, "说明：", 14, after=6)
    for line in (notes or "无").splitlines() or ["无"]:
        _para(doc, line, 12, after=4)
    last = _para(doc, "", 12, after=0)
    last.add_run().add_break(WD_BREAK.LINE)
    _para(doc, "立卷人：________________    日期：____年____月____日", 14, before=36, after=18)
    _para(doc, "检查人：________________    日期：____年____月____日", 14, after=18)
    doc.save(str(path))


def _front_matter(
    cover: DossierCover,
    parts: Sequence[DossierPart],
    part_pages: Sequence[int],
    notes: str,
    work: Path,
) -> tuple[PdfReader, PdfReader, PdfReader, list[tuple[int, int]]]:
    """Cover, 目录 and 备考表 as PDFs, with the 目录 ranges consistent with its own length.

    One LibreOffice run; a second one only when the 目录 or 备考表 turned out longer than
    assumed (many parts, long notes)."""
    toc_pages, notes_pages = 1, 1
    for attempt in range(4):
        ranges: list[tuple[int, int]] = []
        page = 1 + toc_pages + 1
        for count in part_pages:
            ranges.append((page, page + count - 1))
            page += count
        total = page - 1 + notes_pages
        run = work / f"front{attempt}"
        run.mkdir()
        sources = [run / "cover.docx", run / "toc.docx", run / "notes.docx"]
        _cover_docx(cover, sources[0])
        _toc_docx(parts, ranges, sources[1])
        _notes_docx(total, len(parts), notes, sources[2])
        pdfs = convert_to_pdf(sources, run / "pdf")
        readers = [PdfReader(p) for p in pdfs]
        got = (len(readers[1].pages), len(readers[2].pages))
        if got == (toc_pages, notes_pages):
            return readers[0], readers[1], readers[2], ranges
        toc_pages, notes_pages = got
    raise DossierError("卷内目录页数无法确定，组卷失败。", "请减少备考表说明文字后重试。")


# ------------------------------------------------------------------ stamping and output


def _stamp(number: int, width: float, height: float) -> PageObject:
    text = f"- {number} -".encode()
    x = width / 2 - len(text) * 10 * 0.556 / 2  # centred: Helvetica digits are 0.556 em, 10 pt
    content = b"BT /Fpn 10 Tf %.2f 20 Td (%s) Tj ET" % (x, text)
    resources = b"<< /Font << /Fpn << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    return PdfReader(io.BytesIO(_tiny_pdf(width, height, content, resources, []))).pages[0]


def _fingerprint(cover: DossierCover, parts: Sequence[DossierPart], notes: str) -> bytes:
    digest = hashlib.sha256()
    for value in (*vars(cover).values(), notes):
        digest.update(str(value).encode() + b"\0")
    for part in parts:
        for value in (part.title, part.number, part.date, part.kind):
            digest.update(value.encode() + b"\0")
        digest.update(hashlib.sha256(part.path.read_bytes()).digest())
    return digest.digest()[:16]


def build_dossier(
    cover: DossierCover,
    parts: Sequence[DossierPart],
    out: Path,
    notes: str = "",
) -> DossierReport:
    """Assemble the 电子卷宗 into ``out`` (atomically); raise DossierError naming a bad part."""
    readers = [_read_part(part) for part in parts]  # refuse a bad part before any work
    part_pages = [len(r.pages) for r in readers]
    fingerprint = _fingerprint(cover, parts, notes)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workstation-dossier-") as tmp:
        cover_pdf, toc_pdf, notes_pdf, ranges = _front_matter(cover, parts, part_pages, notes, Path(tmp))
        writer = PdfWriter()
        writer.add_metadata({"/Producer": "workstation", "/Title": f"{cover.case_number} {cover.title}"})
        writer._ID = ArrayObject([ByteStringObject(fingerprint), ByteStringObject(fingerprint)])

        def append(reader: PdfReader) -> int:
            first = len(writer.pages)
            for page in reader.pages:
                writer.add_page(page)
            return first

        append(cover_pdf)
        toc_at = append(toc_pdf)
        starts = [append(reader) for reader in readers]
        notes_at = append(notes_pdf)

        for index, page in enumerate(writer.pages):
            if index == 0:
                continue
            if page.get("/Rotate", 0) % 360:
                page.transfer_rotation_to_content()
            box = page.cropbox
            stamp = _stamp(index + 1, float(box.width), float(box.height))
            page.merge_transformed_page(stamp, Transformation().translate(float(box.left), float(box.bottom)))

        writer.add_outline_item(title="卷内目录", page_number=toc_at)
        for part, start in zip(parts, starts, strict=True):
            writer.add_outline_item(title=part.title, page_number=start)
        writer.add_outline_item(title="备考表", page_number=notes_at)
        writer.page_mode = "/UseOutlines"
        writer.compress_identical_objects()

        total = len(writer.pages)
        fd, partial = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                writer.write(fh)
            os.replace(partial, out)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    titled = tuple((part.title, first, last) for part, (first, last) in zip(parts, ranges, strict=True))
    return DossierReport(pages=total, ranges=titled)
