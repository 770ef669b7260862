"""Word → PDF through the real LibreOffice, and the 电子卷宗 built from the results."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader
from pypdf.generic import Destination

from workstation.documents.dossier import (
    DossierCover,
    DossierError,
    DossierPart,
    build_dossier,
)
from workstation.documents.pdf import (
    ConversionFailed,
    LibreOfficeMissing,
    convert_to_pdf,
    find_soffice,
)
from workstation.domain.errors import KnownError

pytestmark = pytest.mark.skipif(
    find_soffice() is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
)

TEXTS = ("行政处罚决定书张三", "责令限期改正通知书李四", "现场检查笔录王五")


def make_docx(path: Path, text: str, paragraphs: int = 3) -> Path:
    document = docx.Document()
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
    for _ in range(paragraphs):
        run = document.add_paragraph().add_run(text)
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    document.save(str(path))
    return path


def make_png(path: Path, width: int, height: int) -> Path:
    rows = b"".join(b"\x00" + bytes((x * 7 + y) % 256 for x in range(width * 3)) for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def text_of(pdf: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(pdf).pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("convert")
    sources = [make_docx(base / f"doc{i}.docx", text) for i, text in enumerate(TEXTS)]
    return convert_to_pdf(sources, base / "pdf")


# ------------------------------------------------------------------ conversion


def test_many_documents_convert_in_one_call_with_chinese_text(converted: list[Path]) -> None:
    assert [p.name for p in converted] == ["doc0.pdf", "doc1.pdf", "doc2.pdf"]
    for pdf, text in zip(converted, TEXTS, strict=True):
        assert pdf.read_bytes().startswith(b"%PDF-")
        assert text in squash(text_of(pdf))
    assert sorted(p.name for p in converted[0].parent.iterdir()) == ["doc0.pdf", "doc1.pdf", "doc2.pdf"]


def _ink_crops(png: Path) -> tuple[int, list[bytes]]:
    """Dark pixel count of a greyscale PGM render and the byte rows of the first text line."""
    data = png.read_bytes()
    magic, width, height, _max, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    w, h = int(width), int(height)
    rows = [pixels[y * w : (y + 1) * w] for y in range(h)]
    dark = sum(1 for row in rows for v in row if v < 128)
    inked = [row for row in rows if any(v < 128 for v in row)]
    return dark, inked


def test_chinese_renders_as_distinct_glyphs(converted: list[Path], tmp_path: Path) -> None:
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is needed to rasterise"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(converted[0]), str(tmp_path / "p")]
    )
    png = next(tmp_path.glob("p*.png"))
    assert png.stat().st_size > 0 and png.read_bytes().startswith(b"\x89PNG")
    # Grey bitmap for inspection (pdftoppm -gray writes PGM).
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-f", "1", "-l", "1", str(converted[0]), str(tmp_path / "g")]
    )
    dark, inked = _ink_crops(next(tmp_path.glob("g*.pgm")))
    assert dark > 100, "the page has no ink: the Chinese text did not render"
    # Tofu boxes are identical: cut the first text line into glyph-wide columns and compare.
    line = inked[: max(1, min(12, len(inked)))]
    columns = [i for i in range(len(line[0])) if any(row[i] < 128 for row in line)]
    first, last = columns[0], columns[-1]
    glyph = max(4, (last - first) // len(TEXTS[0]))
    crops = {
        b"".join(row[start : start + glyph] for row in line) for start in range(first, last - glyph, glyph)
    }
    assert len(crops) >= len(TEXTS[0]) // 2, "glyph crops are identical: tofu boxes instead of Chinese"


def test_timeout_kills_and_leaves_nothing(tmp_path: Path) -> None:
    sources = [make_docx(tmp_path / f"t{i}.docx", "超时测试") for i in range(2)]
    out = tmp_path / "out"
    with pytest.raises(ConversionFailed) as caught:
        convert_to_pdf(sources, out, timeout_s=0.2)
    assert "超时" in caught.value.message and "t0.docx" in caught.value.message
    assert "0.2" in caught.value.message
    assert list(out.iterdir()) == []


def test_missing_soffice_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSTATION_SOFFICE", str(tmp_path / "no-such-soffice"))
    assert find_soffice() is None
    source = make_docx(tmp_path / "a.docx", "测试")
    with pytest.raises(LibreOfficeMissing) as caught:
        convert_to_pdf([source], tmp_path / "out")
    assert isinstance(caught.value, KnownError)
    assert "libreoffice-writer-nogui" in caught.value.advice and "libreoffice.org" in caught.value.advice


def test_corrupt_docx_is_named(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx", "正常文书")
    bad = tmp_path / "损坏的文书.docx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip" * 20)
    out = tmp_path / "out"
    with pytest.raises(ConversionFailed) as caught:
        convert_to_pdf([good, bad], out)
    assert "损坏的文书.docx" in caught.value.message and "good.docx" not in caught.value.message
    assert caught.value.files == (bad,)
    assert not out.exists() or list(out.iterdir()) == []


# ------------------------------------------------------------------ dossier

COVER = DossierCover(
    agency="某某镇人民政府",
    case_number="某镇综执罚〔2026〕12号",
    title="张三违法搭建案",
    party="张三",
    opened_on="2026-01-02",
    closed_on="2026-03-04",
    archive_no="2026-WS-0001",
    retention="永久",
)


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory, converted: list[Path]) -> list[DossierPart]:
    base = tmp_path_factory.mktemp("parts")
    long_doc = make_docx(base / "long.docx", "询问笔录内容" * 20, paragraphs=60)
    (long_pdf,) = convert_to_pdf([long_doc], base / "pdf")
    photo = make_png(base / "photo.png", 160, 90)
    return [
        DossierPart("立案审批表", converted[0], "某镇立〔2026〕1号", "2026-01-02"),
        DossierPart("询问笔录", long_pdf, "", "2026-01-05"),
        DossierPart("现场照片", photo, kind="image"),
        DossierPart("行政处罚决定书", converted[1], "某镇综执罚〔2026〕12号", "2026-03-01"),
    ]


def test_dossier_structure(parts: list[DossierPart], tmp_path: Path) -> None:
    out = tmp_path / "卷宗.pdf"
    report = build_dossier(COVER, parts, out, notes="本案材料齐全。")
    reader = PdfReader(out)
    sizes = [len(PdfReader(p.path).pages) if p.kind == "pdf" else 1 for p in parts]
    assert sizes[1] >= 2 and sizes[2] == 1  # the long record spans pages; the photo is one page
    assert report.pages == len(reader.pages) == 1 + 1 + sum(sizes) + 1

    # The ranges are the real positions, and the 目录 prints them.
    page = 3
    expected = []
    for part, size in zip(parts, sizes, strict=True):
        expected.append((part.title, page, page + size - 1))
        page += size
    assert report.ranges == tuple(expected)
    toc = squash(reader.pages[1].extract_text())
    assert "卷内目录" in toc and "页号" in toc
    for title, first, last in expected:
        assert title in toc
        assert (str(first) if first == last else f"{first}-{last}") in toc
    for title, first, _ in expected:
        if title != "现场照片":
            assert squash(reader.pages[first - 1].extract_text())[:1]  # the part starts there

    # Parts in order: each text appears on its first page.
    assert TEXTS[0] in squash(reader.pages[expected[0][1] - 1].extract_text())
    assert TEXTS[1] in squash(reader.pages[expected[3][1] - 1].extract_text())

    cover = squash(reader.pages[0].extract_text())
    assert "行政执法案卷" in cover and "张三违法搭建案" in cover and not re.search(r"-1-", cover)
    notes = squash(reader.pages[-1].extract_text())
    assert f"本卷共{report.pages}页" in notes and "本案材料齐全" in notes
    assert "立卷人" in notes and "检查人" in notes

    # Page numbers on every page after the cover.
    for index in range(1, report.pages):
        assert f"-{index + 1}-" in squash(reader.pages[index].extract_text())

    # Bookmarks: 目录, each part, 备考表 — with their targets.
    items = [item for item in reader.outline if isinstance(item, Destination)]
    assert len(items) == len(reader.outline)  # flat: no nested levels
    outline = [(item.title, reader.get_destination_page_number(item)) for item in items]
    assert outline == [
        ("卷内目录", 1),
        *[(title, first - 1) for title, first, _ in expected],
        ("备考表", report.pages - 1),
    ]


def test_dossier_is_deterministic(parts: list[DossierPart], tmp_path: Path) -> None:
    first = tmp_path / "a.pdf"
    second = tmp_path / "b.pdf"
    build_dossier(COVER, parts, first)
    build_dossier(COVER, parts, second)
    assert first.read_bytes() == second.read_bytes()
    assert b"CreationDate" not in first.read_bytes()


def test_corrupt_evidence_is_refused_by_name(parts: list[DossierPart], tmp_path: Path) -> None:
    broken = tmp_path / "损坏证据.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    out = tmp_path / "out" / "卷宗.pdf"
    with pytest.raises(DossierError) as caught:
        build_dossier(COVER, [*parts[:1], DossierPart("证据", broken)], out)
    assert "损坏证据.pdf" in caught.value.message
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_huge_image_is_refused_by_name(tmp_path: Path) -> None:
    huge = tmp_path / "巨幅照片.png"
    header = struct.pack(">IIBBBBB", 10_000, 7_000, 8, 2, 0, 0, 0)
    body = b"IHDR" + header
    huge.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + body
        + struct.pack(">I", zlib.crc32(body))
        + struct.pack(">I", 2)
        + b"IDAT\x78\x9c"
        + b"\0\0\0\0"
    )
    out = tmp_path / "卷宗.pdf"
    with pytest.raises(DossierError) as caught:
        build_dossier(COVER, [DossierPart("航拍", huge, kind="image")], out)
    assert "巨幅照片.png" in caught.value.message and "60" in caught.value.message
    assert not out.exists()
