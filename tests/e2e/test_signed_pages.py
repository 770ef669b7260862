"""笔录 signed page by page: a 询问笔录 long enough for several pages, signed by the interviewee,
rendered and converted by the real LibreOffice; every page of the PDF draws the signature image
in its footer (next to “被询问人签名：” and the page number), besides the 签名 block at the end.
A refusal prints the 拒签 note with the witness on every page instead."""

from __future__ import annotations

import re
import sqlite3
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from workstation.app import Core
from workstation.documents.pdf import find_soffice

pytestmark = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")

CASE = "露天焚烧秸秆产生烟尘污染（示例）"  # ordinary, under investigation: 询问笔录 applies
#: The signature's pixel size: no other image of the document has it (the QR code is square).
WIDTH, HEIGHT = 240, 96


def signature_png() -> bytes:
    """A signature-like RGB PNG of WIDTH × HEIGHT (written without Qt)."""
    rows = b"".join(
        b"\x00" + bytes(0 if abs(x - 2 * y) < 6 else 255 for x in range(WIDTH) for _ in range(3))
        for y in range(HEIGHT)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def inquiry(questions: int) -> dict[str, Any]:
    return {
        "inquiry_start": "2026年3月2日9时00分",
        "inquiry_end": "2026年3月2日10时30分",
        "inquiry_place": "榕溪镇综合行政执法队询问室",
        "interviewee": "王大力",
        "questioner": "张明",
        "recorder": "李华",
        "qa": [
            {
                "q": f"第{i}问：你对现场检查发现的焚烧秸秆情况有什么说明？请如实回答。",
                "a": f"第{i}答：情况属实，是我家在田里焚烧的，我愿意配合调查并及时改正。",
            }
            for i in range(1, questions + 1)
        ],
    }


def _case(core: Core) -> str:
    with sqlite3.connect(core.database.path) as conn:
        (found,) = conn.execute("SELECT id FROM cases WHERE title = ?", (CASE,)).fetchone()
    return str(found)


def _drawn_images(page: Any) -> list[tuple[int, int]]:
    """(width, height) of every image XObject the page's content stream draws (Do), in forms too."""
    found: list[tuple[int, int]] = []

    def walk(resources: Any, contents: Any) -> None:
        xobjects = resources.get("/XObject") if resources is not None else None
        if xobjects is None:
            return
        xobjects = xobjects.get_object()
        for operands, operator in ContentStream(contents, page.pdf).operations:
            if operator != b"Do":
                continue
            target = xobjects.get(operands[0])
            if target is None:
                continue
            target = target.get_object()
            if target.get("/Subtype") == "/Image":
                found.append((int(target["/Width"]), int(target["/Height"])))
            elif target.get("/Subtype") == "/Form":
                walk(target.get("/Resources"), target)

    walk(page.get("/Resources"), page.get_contents())
    return found


@pytest.fixture
def seeded(core: Core) -> Core:
    core.office.seed_demo(with_cases=True)
    return core


def test_every_page_of_a_signed_inquiry_record_carries_the_signature(seeded: Core, tmp_path: Path) -> None:
    case_id = _case(seeded)
    seeded.signatures.add(
        case_id, "inquiry_record", {"role": "party", "name": "王大力", "png": signature_png()}
    )
    made = seeded.documents.render(
        case_id, "inquiry_record", tmp_path / "询问笔录.docx", pdf=True, extra=inquiry(30)
    ).value
    assert made.pdf is not None
    reader = PdfReader(str(made.pdf))
    total = len(reader.pages)
    assert total >= 3
    for number, page in enumerate(reader.pages, start=1):
        assert (WIDTH, HEIGHT) in _drawn_images(page), f"page {number} of {total} has no signature"
        text = re.sub(r"\s+", "", page.extract_text())
        assert "被询问人签名：" in text and f"第{number}页共{total}页" in text
    last = re.sub(r"\s+", "", reader.pages[-1].extract_text())
    assert "当事人：王大力" in last  # the 签名 block at the end as well
    assert seeded.documents.verify(made.pdf).value.ok


def test_a_refusal_is_noted_on_every_page(seeded: Core, tmp_path: Path) -> None:
    case_id = _case(seeded)
    seeded.signatures.add(
        case_id, "inquiry_record", {"role": "party", "name": "王大力", "refused": True, "witness": "钱见证"}
    )
    made = seeded.documents.render(
        case_id, "inquiry_record", tmp_path / "询问笔录.docx", pdf=True, extra=inquiry(30)
    ).value
    assert made.pdf is not None
    pages = PdfReader(str(made.pdf)).pages
    assert len(pages) >= 3
    for page in pages:
        text = re.sub(r"\s+", "", page.extract_text())
        assert "被询问人签名：被询问人拒绝签字，见证人：钱见证" in text
