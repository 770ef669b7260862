#!/usr/bin/env python3
"""Word → PDF conversion and the 电子卷宗 over N synthetic documents (real LibreOffice).

    .venv/bin/python bench/documents.py [--docs 20] [--skip-baseline]

(a) every document in ONE soffice call (convert_to_pdf); (b) the baseline, one soffice call
per document, measured in the same run over the same files; (c) a dossier end to end:
conversion of the N documents plus build_dossier (cover, 目录, 备考表, stamping, bookmarks);
(d) filling one real template (行政处罚决定书, with its QR code) from a complete case, the median
of 20 fills. Goals: a 20-document dossier <= 15 s; one fill <= 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import docx
from docx.oxml.ns import qn
from docx.shared import Mm
from tests.unit.test_document_render import _context

from workstation.documents.catalog import spec
from workstation.documents.dossier import DossierCover, DossierPart, build_dossier
from workstation.documents.pdf import convert_to_pdf, find_soffice
from workstation.documents.qr import qr_payload, qr_png
from workstation.documents.render import render_docx

GOAL_DOSSIER_S = 15.0
GOAL_FILL_MS = 100.0
BODY = "经查，当事人在未取得建设工程规划许可证的情况下擅自搭建构筑物，违反了相关规定。"


def make_docs(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        document = docx.Document()
        for section in document.sections:
            section.page_width, section.page_height = Mm(210), Mm(297)
        document.add_heading(f"行政执法文书 第{i + 1}号", level=1)
        for _ in range(12 + (i % 2) * 25):  # odd documents run to a second page
            run = document.add_paragraph().add_run(BODY)
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
        path = folder / f"doc{i:03d}.docx"
        document.save(str(path))
        paths.append(path)
    return paths


def fill_ms(folder: Path, runs: int = 20) -> float:
    """Median milliseconds to fill the 行政处罚决定书 template, QR code included."""
    templates = Path(str(resources.files("workstation.resources").joinpath("templates")))
    template = templates / spec("penalty_decision").template
    context = _context("penalty_decision")
    png = qr_png(qr_payload("榕溪镇罚立字〔2025〕第1号", "榕溪镇罚决字〔2025〕第1号", "0" * 64))
    times = []
    for i in range(runs):
        start = time.perf_counter()
        render_docx(template, context, folder / f"fill{i}.docx", qr_png=png)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def seconds(start: float) -> float:
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    if find_soffice() is None:
        print("LibreOffice (soffice) not found: apt-get install libreoffice-writer-nogui")
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
        base = Path(tmp)
        (base / "docx").mkdir()
        sources = make_docs(base / "docx", args.docs)

        start = time.perf_counter()
        batch = convert_to_pdf(sources, base / "batch")
        one_call = seconds(start)

        per_doc = float("nan")
        if not args.skip_baseline:
            start = time.perf_counter()
            for source in sources:
                convert_to_pdf([source], base / "single")
            per_doc = seconds(start)

        cover = DossierCover(
            "某某镇人民政府",
            "某镇综执罚〔2026〕1号",
            "基准测试案",
            "张三",
            "2026-01-01",
            "2026-02-01",
            "B-1",
            "永久",
        )
        start = time.perf_counter()
        pdfs = convert_to_pdf(sources, base / "dossier-parts")
        parts = [DossierPart(f"文书{i + 1}", pdf, f"第{i + 1}号", "2026-01-01") for i, pdf in enumerate(pdfs)]
        report = build_dossier(cover, parts, base / "dossier.pdf", notes="基准测试")
        dossier = seconds(start)
        (base / "fill").mkdir()
        fill = fill_ms(base / "fill")

    rows = [
        (f"(a) {args.docs} docs, one soffice call", one_call, f"{one_call / len(batch):.2f} s/doc"),
        (f"(b) {args.docs} docs, one call each", per_doc, f"{per_doc / args.docs:.2f} s/doc"),
        (f"(c) dossier of {args.docs} docs, end to end", dossier, f"{report.pages} pages"),
    ]
    print(f"{'measure':<42}{'seconds':>10}  note")
    for name, value, note in rows:
        print(f"{name:<42}{value:>10.2f}  {note}")
    if not args.skip_baseline:
        print(f"one call is {per_doc / one_call:.1f}x faster than one call per document")
    verdict = "meets" if dossier <= GOAL_DOSSIER_S else "MISSES"
    print(f"dossier {dossier:.2f} s {verdict} the goal of <= {GOAL_DOSSIER_S:.0f} s")
    fill_verdict = "meets" if fill <= GOAL_FILL_MS else "MISSES"
    print(f"(d) one fill {fill:.1f} ms (median of 20) {fill_verdict} the goal of <= {GOAL_FILL_MS:.0f} ms")
    return 0 if dossier <= GOAL_DOSSIER_S and fill <= GOAL_FILL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
